package io.kvmount.apply;

import static io.kvmount.apply.Fixtures.file;
import static io.kvmount.apply.Fixtures.plan;
import static io.kvmount.apply.Fixtures.snapshot;
import static io.kvmount.apply.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.error.InvalidInputException;
import io.kvmount.plan.PlannedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-runs over a tree kvmount wrote before: the options it records with its state, every
 * conflicting file named in one refusal, and {@code force} with its backup. Real files in a temp
 * directory.
 */
class RerunStateTest {

  @TempDir Path tmp;
  Path root;
  Path units;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    units = root.resolve("usr/lib/systemd/system");
  }

  private static final PlannedFile SHARE = file("mnt-data.mount", unit("/mnt/data"));
  private static final PlannedFile BIND =
      file("opt-stage2-web-rootfs-var-data.mount", unit("/opt/stage2/web/rootfs/var/data"));
  private static final PlannedFile OTHER = file("mnt-other.mount", unit("/mnt/other"));

  private static ApplyOptions record(String... words) {
    return new ApplyOptions(List.of(words), false);
  }

  private static final ApplyOptions FORCE = new ApplyOptions(List.of(), true);

  @Test
  void apply_recordsOptions_inStateInOrder_andReplacesThemOnTheNextRun() throws Exception {
    PlanWriter.apply(plan(SHARE), root, PlanWriter.DEFAULT_LOCK_WAIT,
        record("--transport=virtiofs", "--reserve-tag=b", "--reserve-tag=a"));
    assertThat(StateFile.recordedOptions(root))
        .containsExactly("--transport=virtiofs", "--reserve-tag=b", "--reserve-tag=a");
    String state = Files.readString(root.resolve(".kvmount/state"));
    assertThat(state).startsWith(StateFile.HEADER + "\noption --transport=virtiofs\noption --reserve-tag=b\n");

    // Same files, other options: only the state changes.
    ApplyResult r = PlanWriter.apply(plan(SHARE), root, PlanWriter.DEFAULT_LOCK_WAIT, record("--transport=9p"));
    assertThat(r.nothingChanged()).isTrue();
    assertThat(StateFile.recordedOptions(root)).containsExactly("--transport=9p");
    // The state parses strictly, as every run reads it.
    assertThat(StateFile.parse(Files.readAllBytes(root.resolve(".kvmount/state")), "state").options())
        .containsExactly("--transport=9p");
  }

  @Test
  void recordedOptions_stateOneWithoutOptions_isEmpty() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    Path state = root.resolve(".kvmount/state");
    // A state written by a kvmount that recorded no options.
    Files.writeString(state, Files.readString(state).replace(StateFile.HEADER,
        "# kvmount state 1: files kvmount wrote into this stage1 rootfs; do not edit"));
    assertThat(StateFile.recordedOptions(root)).isEmpty();
    assertThat(PlanWriter.apply(plan(SHARE), root).nothingChanged()).isTrue();
    assertThat(StateFile.recordedOptions(tmp.resolve("none"))).isEmpty();
  }

  @Test
  void apply_optionWordWithLineBreak_isRefused_nothingWritten() throws Exception {
    assertThatThrownBy(() -> PlanWriter.apply(plan(SHARE), root, PlanWriter.DEFAULT_LOCK_WAIT,
            record("--units-dir=a\nfile x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("holds a line break or NUL");
    assertThat(root).isEmptyDirectory();
  }

  @Test
  void apply_severalConflicts_allNamedInOneRefusal_nothingWritten() throws Exception {
    PlanWriter.apply(plan(SHARE, BIND), root);
    Files.writeString(units.resolve("mnt-data.mount"), "edited\n"); // kvmount's, changed
    Files.writeString(units.resolve("mnt-other.mount"), "mine\n"); // foreign, where kvmount writes
    Files.writeString(units.resolve("opt-stage2-web-rootfs-var-data.mount"), "edited too\n"); // stale, changed
    SortedMap<String, String> before = snapshot(root, true);

    assertThatThrownBy(() -> PlanWriter.apply(plan(file("mnt-data.mount", unit("/mnt/x")), OTHER), root))
        .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.paths()).containsExactly(
            "usr/lib/systemd/system/mnt-data.mount",
            "usr/lib/systemd/system/mnt-other.mount",
            "usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount"))
        .hasMessage("refusing to change 3 files: refusing to overwrite \"usr/lib/systemd/system/mnt-data.mount\":"
            + " it was changed after kvmount wrote it; move it away to let kvmount write it again; refusing to"
            + " overwrite \"usr/lib/systemd/system/mnt-other.mount\": not written by kvmount; refusing to remove"
            + " \"usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount\": it was changed after kvmount"
            + " wrote it; remove it by hand if it is no longer needed");
    assertThat(snapshot(root, true)).isEqualTo(before);
    // A dry run's analysis refuses the same way.
    assertThatThrownBy(() -> PlanWriter.changes(plan(file("mnt-data.mount", unit("/mnt/x")), OTHER), root))
        .isInstanceOf(ConflictException.class)
        .hasMessageStartingWith("refusing to change 3 files: ");
  }

  @Test
  void apply_force_backsUpEachConflict_thenReplaces_andTouchesNothingElse() throws Exception {
    PlanWriter.apply(plan(SHARE, BIND), root);
    Files.writeString(units.resolve("mnt-data.mount"), "edited\n");
    Files.writeString(units.resolve("mnt-other.mount"), "mine\n");
    Files.writeString(units.resolve("opt-stage2-web-rootfs-var-data.mount"), "edited too\n");
    Files.writeString(units.resolve("foreign.service"), "[Service]\n"); // not kvmount's, not planned
    PlannedFile newShare = file("mnt-data.mount", unit("/mnt/x"));

    ApplyResult r = PlanWriter.apply(plan(newShare, OTHER), root, PlanWriter.DEFAULT_LOCK_WAIT, FORCE);

    assertThat(r.backedUp()).containsExactly(
        "usr/lib/systemd/system/mnt-data.mount",
        "usr/lib/systemd/system/mnt-other.mount",
        "usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount");
    String dir = r.backupDirectory().orElseThrow();
    assertThat(dir).matches("\\.kvmount/backup/\\d{8}T\\d{6}Z");
    assertThat(root.resolve(dir).resolve("usr/lib/systemd/system/mnt-data.mount")).hasContent("edited");
    assertThat(root.resolve(dir).resolve("usr/lib/systemd/system/mnt-other.mount")).hasContent("mine");
    assertThat(root.resolve(dir).resolve("usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount"))
        .hasContent("edited too");
    assertThat(units.resolve("mnt-data.mount")).hasContent(newShare.content());
    assertThat(units.resolve("mnt-other.mount")).hasContent(OTHER.content());
    assertThat(units.resolve("opt-stage2-web-rootfs-var-data.mount")).doesNotExist();
    assertThat(units.resolve("foreign.service")).hasContent("[Service]");
    assertThat(r.removed()).containsExactly("usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount");
    // kvmount's now: a plain re-run changes nothing.
    assertThat(PlanWriter.apply(plan(newShare, OTHER), root).nothingChanged()).isTrue();
  }

  @Test
  void apply_force_twiceInOneSecond_neverOverwritesABackup() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    Files.writeString(units.resolve("mnt-data.mount"), "first\n");
    ApplyResult r1 = PlanWriter.apply(plan(SHARE), root, PlanWriter.DEFAULT_LOCK_WAIT, FORCE);
    Files.writeString(units.resolve("mnt-data.mount"), "second\n");
    ApplyResult r2 = PlanWriter.apply(plan(SHARE), root, PlanWriter.DEFAULT_LOCK_WAIT, FORCE);
    Files.writeString(units.resolve("mnt-data.mount"), "third\n");
    ApplyResult r3 = PlanWriter.apply(plan(SHARE), root, PlanWriter.DEFAULT_LOCK_WAIT, FORCE);

    List<String> dirs = List.of(
        r1.backupDirectory().orElseThrow(), r2.backupDirectory().orElseThrow(), r3.backupDirectory().orElseThrow());
    assertThat(dirs).doesNotHaveDuplicates();
    assertThat(root.resolve(dirs.get(0)).resolve("usr/lib/systemd/system/mnt-data.mount")).hasContent("first");
    assertThat(root.resolve(dirs.get(1)).resolve("usr/lib/systemd/system/mnt-data.mount")).hasContent("second");
    assertThat(root.resolve(dirs.get(2)).resolve("usr/lib/systemd/system/mnt-data.mount")).hasContent("third");
    // No conflict, no backup.
    ApplyResult r4 = PlanWriter.apply(plan(SHARE), root, PlanWriter.DEFAULT_LOCK_WAIT, FORCE);
    assertThat(r4.backedUp()).isEmpty();
    assertThat(r4.backupDirectory()).isEmpty();
  }

  private static io.kvmount.plan.Plan withDirs(List<PlannedFile> files, String... mountPoints) {
    List<io.kvmount.plan.PlannedDirectory> dirs = new java.util.ArrayList<>();
    for (String m : mountPoints) {
      dirs.add(Fixtures.dir(m, 0755, 0, 0, false));
    }
    return plan(files, dirs);
  }

  @Test
  void apply_mountPointNoLongerPlanned_directoriesKvmountCreatedAreRemovedWhenEmpty() throws Exception {
    Files.createDirectories(root.resolve("opt/stage2/web/rootfs/etc")); // the image's: never removed
    PlanWriter.apply(withDirs(List.of(SHARE), "/opt/stage2/web/rootfs/var/data", "/opt/stage2/web/rootfs/srv/a/b",
        "/opt/stage2/web/rootfs/etc/app"), root);
    assertThat(Files.readString(root.resolve(".kvmount/state")))
        .contains("\ncreated-dir opt/stage2/web/rootfs/var/data\n")
        .doesNotContain("created-dir opt/stage2/web/rootfs/etc\n");

    // srv/a/b goes; var/data stays; etc/app goes.
    ApplyResult r = PlanWriter.apply(withDirs(List.of(SHARE), "/opt/stage2/web/rootfs/var/data"), root);
    assertThat(r.directoriesRemoved()).containsExactly(
        "opt/stage2/web/rootfs/srv/a/b", "opt/stage2/web/rootfs/srv/a", "opt/stage2/web/rootfs/srv",
        "opt/stage2/web/rootfs/etc/app");
    assertThat(r.directoriesLeft()).isEmpty();
    assertThat(root.resolve("opt/stage2/web/rootfs/srv")).doesNotExist();
    assertThat(root.resolve("opt/stage2/web/rootfs/etc")).isDirectory();
    assertThat(root.resolve("opt/stage2/web/rootfs/var/data")).isDirectory();
    assertThat(Files.readString(root.resolve(".kvmount/state"))).doesNotContain("srv");

    // Nothing planned there any more, but the user put a file in var/data: left, and said.
    Files.writeString(root.resolve("opt/stage2/web/rootfs/var/data/keep"), "x");
    ApplyResult r2 = PlanWriter.apply(withDirs(List.of(SHARE)), root);
    assertThat(r2.directoriesLeft()).containsExactly("opt/stage2/web/rootfs/var/data");
    assertThat(root.resolve("opt/stage2/web/rootfs/var/data/keep")).hasContent("x");
    assertThat(root.resolve("opt/stage2/web/rootfs/etc")).isDirectory();
    assertThat(root.resolve("usr/lib/systemd/system/mnt-data.mount")).exists();
    // Forgotten: the next run neither removes nor reports it.
    ApplyResult r3 = PlanWriter.apply(withDirs(List.of(SHARE)), root);
    assertThat(r3.directoriesLeft()).isEmpty();
    assertThat(r3.nothingChanged()).isTrue();
  }

  @Test
  void apply_stateWithoutCreatedDirs_removesNoDirectory() throws Exception {
    PlanWriter.apply(withDirs(List.of(SHARE), "/opt/stage2/web/rootfs/var/data"), root);
    Path state = root.resolve(".kvmount/state");
    // A state written before directories were recorded.
    Files.writeString(state, Files.readString(state).replaceAll("created-dir [^\n]*\n", ""));
    ApplyResult r = PlanWriter.apply(withDirs(List.of(SHARE)), root);
    assertThat(r.directoriesRemoved()).isEmpty();
    assertThat(root.resolve("opt/stage2/web/rootfs/var/data")).isDirectory();
  }
}
