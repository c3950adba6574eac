package io.kvmount.apply;

import static io.kvmount.apply.Fixtures.dir;
import static io.kvmount.apply.Fixtures.file;
import static io.kvmount.apply.Fixtures.mode;
import static io.kvmount.apply.Fixtures.plan;
import static io.kvmount.apply.Fixtures.read;
import static io.kvmount.apply.Fixtures.snapshot;
import static io.kvmount.apply.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.error.InvalidInputException;
import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlanWriterTest {

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
  private static final PlannedFile DROPIN =
      file(
          "web.service.d/10-kvmount-volumes.conf",
          "[Unit]\nRequires=opt-stage2-web-rootfs-var-data.mount\n"
              + "After=opt-stage2-web-rootfs-var-data.mount\n");

  private Plan full() {
    return plan(
        List.of(SHARE, BIND, DROPIN),
        List.of(
            dir("/mnt/data", 01777, 0, 0, true),
            dir("/opt/stage2/web/rootfs/var/data", 0755, 0, 0, false)));
  }

  @Test
  void apply_freshTree_writesExactFilesAndDirectories() throws Exception {
    ApplyResult r = PlanWriter.apply(full(), root);

    assertThat(read(units.resolve("mnt-data.mount"))).isEqualTo(SHARE.content());
    assertThat(read(units.resolve("web.service.d/10-kvmount-volumes.conf")))
        .isEqualTo(DROPIN.content());
    assertThat(Files.readAllBytes(units.resolve("opt-stage2-web-rootfs-var-data.mount")))
        .isEqualTo(BIND.content().getBytes(StandardCharsets.UTF_8));
    for (String f :
        List.of(
            "mnt-data.mount",
            "opt-stage2-web-rootfs-var-data.mount",
            "web.service.d/10-kvmount-volumes.conf")) {
      assertThat(mode(units.resolve(f))).as(f).isEqualTo(0644);
    }
    assertThat(mode(root.resolve("mnt/data"))).isEqualTo(01777);
    assertThat(mode(root.resolve("mnt"))).isEqualTo(0755);
    assertThat(mode(units.resolve("web.service.d"))).isEqualTo(0755);
    assertThat(r.written())
        .containsExactly(
            "usr/lib/systemd/system/mnt-data.mount",
            "usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount",
            "usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf");
    assertThat(r.unchanged()).isEmpty();
    assertThat(r.removed()).isEmpty();
    assertThat(r.directoriesCreated())
        .containsExactly(
            "mnt",
            "mnt/data",
            "opt",
            "opt/stage2",
            "opt/stage2/web",
            "opt/stage2/web/rootfs",
            "opt/stage2/web/rootfs/var",
            "opt/stage2/web/rootfs/var/data",
            "usr",
            "usr/lib",
            "usr/lib/systemd",
            "usr/lib/systemd/system",
            "usr/lib/systemd/system/web.service.d");
    // No staging directory is left behind.
    try (var s = Files.list(units)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "mnt-data.mount", "opt-stage2-web-rootfs-var-data.mount", "web.service.d");
    }
    assertThat(read(root.resolve(".kvmount/state")))
        .isEqualTo(
            StateFile.HEADER
                + "\n"
                + "file "
                + Fixtures.sha(SHARE.content().getBytes(StandardCharsets.UTF_8))
                + " usr/lib/systemd/system/mnt-data.mount\n"
                + "file "
                + Fixtures.sha(BIND.content().getBytes(StandardCharsets.UTF_8))
                + " usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount\n"
                + "file "
                + Fixtures.sha(DROPIN.content().getBytes(StandardCharsets.UTF_8))
                + " usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf\n"
                + "dir usr/lib/systemd/system/web.service.d\n"
                + "created-dir mnt\ncreated-dir mnt/data\ncreated-dir opt\ncreated-dir opt/stage2\n"
                + "created-dir opt/stage2/web\ncreated-dir opt/stage2/web/rootfs\n"
                + "created-dir opt/stage2/web/rootfs/var\ncreated-dir opt/stage2/web/rootfs/var/data\n"
                + "created-dir usr\ncreated-dir usr/lib\ncreated-dir usr/lib/systemd\n"
                + "created-dir usr/lib/systemd/system\n");
  }

  @Test
  void apply_twice_secondRunWritesNothing() throws Exception {
    PlanWriter.apply(full(), root);
    // Push every time into the past so that any rewrite would show.
    FileTime old = FileTime.fromMillis(1_000_000_000_000L);
    try (var s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.setLastModifiedTime(p, old);
      }
    }
    SortedMap<String, String> before = snapshot(root, true);

    ApplyResult r = PlanWriter.apply(full(), root);

    assertThat(r.written()).isEmpty();
    assertThat(r.removed()).isEmpty();
    assertThat(r.directoriesCreated()).isEmpty();
    assertThat(r.nothingChanged()).isTrue();
    assertThat(r.unchanged()).hasSize(3);
    assertThat(snapshot(root, true)).isEqualTo(before);
  }

  @Test
  void apply_stage1RootfsMissing_throws() {
    Path missing = tmp.resolve("nope");
    assertThatThrownBy(() -> PlanWriter.apply(full(), missing))
        .isInstanceOf(IOException.class)
        .hasMessage("stage1 rootfs \"" + missing + "\" does not exist");
    assertThat(missing).doesNotExist();
  }

  @Test
  void apply_stage1RootfsIsAFile_throws() throws IOException {
    Path f = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> PlanWriter.apply(full(), f))
        .isInstanceOf(IOException.class)
        .hasMessage("stage1 rootfs \"" + f + "\" is not a directory");
  }

  @Test
  void apply_smallerPlan_removesStaleFilesAndEmptyDropInDirectory() throws Exception {
    PlanWriter.apply(full(), root);
    ApplyResult r = PlanWriter.apply(plan(SHARE), root);

    assertThat(r.removed())
        .containsExactly(
            "usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount",
            "usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf");
    assertThat(r.unchanged()).containsExactly("usr/lib/systemd/system/mnt-data.mount");
    assertThat(units.resolve("opt-stage2-web-rootfs-var-data.mount")).doesNotExist();
    assertThat(units.resolve("web.service.d")).doesNotExist();
    assertThat(units.resolve("mnt-data.mount")).exists();
    // Directories kvmount created (a volume, mount points) that the plan no longer has go when
    // empty (one holding data is left: RerunStateTest).
    assertThat(root.resolve("mnt")).doesNotExist();
    assertThat(root.resolve("opt")).doesNotExist();
    assertThat(r.directoriesRemoved()).containsExactly("opt/stage2/web/rootfs/var/data", "opt/stage2/web/rootfs/var",
        "opt/stage2/web/rootfs", "opt/stage2/web", "opt/stage2", "opt", "mnt/data", "mnt");
    // The result equals a clean run of the smaller plan.
    Path clean = Files.createDirectory(tmp.resolve("clean"));
    PlanWriter.apply(plan(SHARE), clean);
    assertThat(snapshot(units, false))
        .isEqualTo(snapshot(clean.resolve("usr/lib/systemd/system"), false));
    assertThat(snapshot(root, false)).isEqualTo(snapshot(clean, false));
    assertThat(read(root.resolve(".kvmount/state")))
        .isEqualTo(read(clean.resolve(".kvmount/state")));
  }

  @Test
  void apply_userFileInDropInDirectory_keepsItAndTheDirectory() throws Exception {
    PlanWriter.apply(full(), root);
    Path mine = units.resolve("web.service.d/50-mine.conf");
    Files.writeString(mine, "[Service]\nNice=5\n");

    PlanWriter.apply(plan(SHARE), root);

    assertThat(mine).hasContent("[Service]\nNice=5\n");
    assertThat(units.resolve("web.service.d/10-kvmount-volumes.conf")).doesNotExist();
  }

  @Test
  void apply_neverTouchesUserFiles() throws Exception {
    Files.createDirectories(units);
    Path service =
        Files.writeString(units.resolve("web.service"), "[Service]\nExecStart=/bin/web\n");
    Path other = Files.writeString(units.resolve("other.mount"), "[Mount]\n");
    Files.setLastModifiedTime(service, FileTime.fromMillis(1_000_000_000_000L));
    SortedMap<String, String> before = snapshot(units, true);

    PlanWriter.apply(full(), root);
    PlanWriter.apply(plan(), root);

    SortedMap<String, String> after = snapshot(units, true);
    assertThat(after.get("web.service")).isEqualTo(before.get("web.service"));
    assertThat(after.get("other.mount")).isEqualTo(before.get("other.mount"));
    assertThat(other).hasContent("[Mount]\n");
  }

  @Test
  void apply_foreignFileWithOtherContent_refusesBeforeChangingAnything() throws Exception {
    Files.createDirectories(units);
    Files.writeString(units.resolve("mnt-data.mount"), "[Mount]\nWhat=mine\n");
    SortedMap<String, String> before = snapshot(root, true);

    assertThatThrownBy(() -> PlanWriter.apply(full(), root))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "refusing to overwrite \"usr/lib/systemd/system/mnt-data.mount\": not written by"
                + " kvmount");
    assertThat(snapshot(root, true)).isEqualTo(before);
  }

  @Test
  void apply_foreignFileWithSameContent_isAdoptedAndLaterRemoved() throws Exception {
    Files.createDirectories(units);
    Files.writeString(units.resolve("mnt-data.mount"), SHARE.content());
    Files.setAttribute(units.resolve("mnt-data.mount"), "unix:mode", 0644);

    ApplyResult r = PlanWriter.apply(plan(SHARE, BIND), root);
    assertThat(r.unchanged()).containsExactly("usr/lib/systemd/system/mnt-data.mount");
    assertThat(r.written())
        .containsExactly("usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount");

    ApplyResult r2 = PlanWriter.apply(plan(BIND), root);
    assertThat(r2.removed()).containsExactly("usr/lib/systemd/system/mnt-data.mount");
  }

  @Test
  void apply_sameContentWrongMode_rewritesWith0644() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    Files.setAttribute(units.resolve("mnt-data.mount"), "unix:mode", 0600);
    ApplyResult r = PlanWriter.apply(plan(SHARE), root);
    assertThat(r.written()).containsExactly("usr/lib/systemd/system/mnt-data.mount");
    assertThat(mode(units.resolve("mnt-data.mount"))).isEqualTo(0644);
  }

  @Test
  void apply_changedContent_overwritesKvmountFile() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    PlannedFile changed = file("mnt-data.mount", unit("/mnt/data2"));
    ApplyResult r = PlanWriter.apply(plan(changed), root);
    assertThat(r.written()).containsExactly("usr/lib/systemd/system/mnt-data.mount");
    assertThat(units.resolve("mnt-data.mount")).hasContent(changed.content());
  }

  @Test
  void apply_kvmountFileEditedByUser_refusesOverwriteAndRemoval() throws Exception {
    PlanWriter.apply(plan(SHARE, BIND), root);
    Files.writeString(units.resolve("mnt-data.mount"), "edited\n");
    Files.writeString(units.resolve("opt-stage2-web-rootfs-var-data.mount"), "edited too\n");
    SortedMap<String, String> before = snapshot(root, true);

    assertThatThrownBy(
            () -> PlanWriter.apply(plan(file("mnt-data.mount", unit("/mnt/other")), BIND), root))
        .isInstanceOf(IOException.class)
        .hasMessage( // both conflicts at once (the bind unit is planned, with other content)
            "refusing to change 2 files: refusing to overwrite \"usr/lib/systemd/system/mnt-data.mount\": it was"
                + " changed after kvmount wrote it; move it away to let kvmount write it again; refusing to overwrite"
                + " \"usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount\": it was changed after kvmount"
                + " wrote it; move it away to let kvmount write it again");
    assertThatThrownBy(() -> PlanWriter.apply(plan(), root))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("refusing to");
    assertThatThrownBy(() -> PlanWriter.apply(plan(file("mnt-data.mount", "edited\n")), root))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "refusing to remove \"usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount\":"
                + " it was changed after kvmount wrote it; remove it by hand if it is no longer"
                + " needed");
    assertThat(snapshot(root, true)).isEqualTo(before);
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(ints = {0777, 01777, 0700, 02775, 04755, 0, 0555})
  void apply_directoryMode_isExactWhateverTheUmask(int bits) throws Exception {
    PlanWriter.apply(plan(List.of(), List.of(dir("/mnt/vol", bits, 0, 0, false))), root);
    Path vol = root.resolve("mnt/vol");
    assertThat(mode(vol)).isEqualTo(bits);
    assertThat(Fixtures.statMode(vol)).isEqualTo(Integer.toOctalString(bits));
  }

  @Test
  void apply_owner_isSet() throws Exception {
    assumeTrue(Fixtures.isRoot(tmp), "setting another owner needs root; CI runs the tests as root");
    PlanWriter.apply(plan(List.of(), List.of(dir("/mnt/vol", 02770, 1234, 4321, true))), root);
    Path vol = root.resolve("mnt/vol");
    assertThat(Files.getAttribute(vol, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1234);
    assertThat(Files.getAttribute(vol, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4321);
    assertThat(Files.getAttribute(root.resolve("mnt"), "unix:uid", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0);
    // chown would clear set-gid on some systems; the mode is applied after it.
    assertThat(mode(vol)).isEqualTo(02770);
  }

  @Test
  void apply_managedDirectory_reappliesModeAndOwnerEveryRun() throws Exception {
    Path vol = Files.createDirectories(root.resolve("mnt/vol"));
    Files.setAttribute(vol, "unix:mode", 0700);
    PlanWriter.apply(plan(List.of(), List.of(dir("/mnt/vol", 0750, 0, 0, true))), root);
    assertThat(mode(vol)).isEqualTo(0750);
    Files.setAttribute(vol, "unix:mode", 0700);
    PlanWriter.apply(plan(List.of(), List.of(dir("/mnt/vol", 0750, 0, 0, true))), root);
    assertThat(mode(vol)).isEqualTo(0750);
  }

  @Test
  void apply_unmanagedExistingDirectory_isLeftAsItIs() throws Exception {
    Path target = Files.createDirectories(root.resolve("opt/app/var/data"));
    Files.setAttribute(target, "unix:mode", 0700);
    ApplyResult r =
        PlanWriter.apply(
            plan(List.of(), List.of(dir("/opt/app/var/data", 0755, 0, 0, false))), root);
    assertThat(mode(target)).isEqualTo(0700);
    assertThat(r.directoriesCreated()).isEmpty();
  }

  @Test
  void apply_invalidPlans_throwInvalidInputAndWriteNothing() throws Exception {
    List<Plan> bad =
        List.of(
            plan(SHARE, SHARE),
            plan(
                List.of(SHARE),
                List.of(dir("/usr/lib/systemd/system/mnt-data.mount", 0755, 0, 0, false))),
            plan(List.of(), List.of(dir("/.kvmount/x", 0755, 0, 0, false))),
            plan(List.of(), List.of(dir("/mnt/x", 0755, -1, 0, false))),
            plan(
                List.of(),
                List.of(dir("/mnt/x", 0755, 0, 0, false), dir("/mnt/x", 0700, 0, 0, false))),
            plan(file(".kvmount-staging-1/x.mount", "x\n")),
            plan(file("a\nb.mount", "x\n")),
            plan(List.of(), List.of(longDir(List.of("mnt", "e".repeat(256))))),
            plan(List.of(), List.of(longDir(List.of("mnt", "\u00e9".repeat(128))))),
            plan(List.of(), List.of(longDir(java.util.Collections.nCopies(2048, "p")))),
            plan(List.of(new PlannedFile(RelativePath.of("x".repeat(250) + ".mount"), "x\n")), List.of()),
            new Plan(List.of(), GuestPath.ROOT, List.of(SHARE), List.of(), List.of(), List.of()));
    for (Plan p : bad) {
      assertThatThrownBy(() -> PlanWriter.apply(p, root))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("plan: ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    try (var s = Files.list(root)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void apply_pathsLinuxCannotHold_areRefusedBeforeWriting() throws IOException {
    // Before, mkdir failed with ENAMETOOLONG after parent directories had been created (exit 1,
    // tree changed); now the plan is refused as a whole.
    // GuestPath.parse refuses such paths, but a GuestPath built from components (resolve) does not.
    assertThatThrownBy(() -> PlanWriter.apply(plan(List.of(), List.of(longDir(List.of("mnt", "e".repeat(256))))), root))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("plan: directory path \"mnt/eeee")
        .hasMessageEndingWith("has a component of 256 bytes; Linux file names are at most 255 bytes");
    assertThatThrownBy(() -> PlanWriter.apply(plan(List.of(), List.of(longDir(java.util.Collections.nCopies(2048, "p")))), root))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageEndingWith("is 4096 bytes long; Linux paths are at most 4095 bytes");
    try (var s = Files.list(root)) {
      assertThat(s).isEmpty();
    }
  }

  private static PlannedDirectory longDir(List<String> components) {
    return new PlannedDirectory(new GuestPath(components), new FileMode(0755), 0, 0, true);
  }

  @Test
  void apply_duplicatePlanMessages_nameThePath() {
    assertThatThrownBy(() -> PlanWriter.apply(plan(SHARE, SHARE), root))
        .hasMessage("plan: file \"usr/lib/systemd/system/mnt-data.mount\" is planned twice");
    assertThatThrownBy(
            () ->
                PlanWriter.apply(
                    plan(
                        List.of(SHARE),
                        List.of(dir("/usr/lib/systemd/system/mnt-data.mount", 0755, 0, 0, false))),
                    root))
        .hasMessage(
            "plan: \"usr/lib/systemd/system/mnt-data.mount\" is planned both as a file and as a"
                + " directory");
  }

  @Test
  void apply_unitsDirElsewhere_writesThere() throws Exception {
    Plan p =
        new Plan(
            List.of(),
            GuestPath.parse("/etc/systemd/system"),
            List.of(SHARE),
            List.of(),
            List.of(),
            List.of());
    ApplyResult r = PlanWriter.apply(p, root);
    assertThat(r.written()).containsExactly("etc/systemd/system/mnt-data.mount");
    assertThat(root.resolve("etc/systemd/system/mnt-data.mount")).hasContent(SHARE.content());
    // Moving the units directory removes the files kvmount wrote at the old place.
    ApplyResult r2 = PlanWriter.apply(plan(SHARE), root);
    assertThat(r2.removed()).containsExactly("etc/systemd/system/mnt-data.mount");
    assertThat(units.resolve("mnt-data.mount")).exists();
  }

  @Test
  void apply_corruptStateFile_failsWithHowToRecover() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    Files.writeString(root.resolve(".kvmount/state"), "garbage line\n");
    assertThatThrownBy(() -> PlanWriter.apply(plan(SHARE), root))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("line 1 is malformed (unknown entry \"garbage\")")
        .hasMessageEndingWith("remove the file to make kvmount forget which files it wrote");
  }

  @Test
  void apply_utf8Content_isWrittenByteExact() throws Exception {
    PlannedFile f = file("mnt-caf\\xc3\\xa9.mount", "[Unit]\nDescription=café ☕ 100%%\n");
    PlanWriter.apply(plan(f), root);
    assertThat(Files.readAllBytes(units.resolve("mnt-caf\\xc3\\xa9.mount")))
        .isEqualTo("[Unit]\nDescription=café ☕ 100%%\n".getBytes(StandardCharsets.UTF_8));
  }
}
