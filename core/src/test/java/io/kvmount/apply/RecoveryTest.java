package io.kvmount.apply;

import static io.kvmount.apply.Fixtures.dir;
import static io.kvmount.apply.Fixtures.file;
import static io.kvmount.apply.Fixtures.mode;
import static io.kvmount.apply.Fixtures.plan;
import static io.kvmount.apply.Fixtures.snapshot;
import static io.kvmount.apply.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal in {@code .kvmount/state}, exercised deterministically: trees exactly as an
 * interrupted run leaves them at each step (the crash test hits the same states at random).
 */
class RecoveryTest {

  @TempDir Path tmp;
  Path root;
  Path units;

  private static final PlannedFile A = file("mnt-a.mount", unit("/mnt/a"));
  private static final PlannedFile B = file("mnt-b.mount", unit("/mnt/b"));
  private static final PlannedFile B2 = file("mnt-b.mount", unit("/mnt/b") + "# new\n");
  private static final PlannedFile DROPIN =
      file("web.service.d/10-kvmount-volumes.conf", "[Unit]\nRequires=mnt-a.mount\n");

  private static Plan p1() {
    return plan(List.of(A, B2, DROPIN), List.of(dir("/mnt/new", 01777, 0, 0, false)));
  }

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectory(tmp.resolve("root"));
    units = root.resolve("usr/lib/systemd/system");
    PlanWriter.apply(plan(A, B), root);
  }

  private Path clean(Plan... plans) throws Exception {
    Path c = Files.createDirectory(tmp.resolve("clean"));
    for (Plan p : plans) {
      PlanWriter.apply(p, c);
    }
    return c;
  }

  private static String sha(String s) {
    return Fixtures.sha(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The state line for a unit file kvmount wrote with this content. */
  private static String line(PlannedFile f) {
    return "file " + sha(f.content()) + " usr/lib/systemd/system/" + f.path() + "\n";
  }

  private void writeState(String body) throws IOException {
    // The journal of a run over the tree setUp made keeps the directories that run created (as
    // StateFile.pending does), so a re-run records them as a clean run does.
    Files.writeString(root.resolve(".kvmount/state"), StateFile.HEADER + "\n" + body
        + "created-dir usr\ncreated-dir usr/lib\ncreated-dir usr/lib/systemd\ncreated-dir usr/lib/systemd/system\n");
  }

  @Test
  void killedAfterRecordingAndHalfTheWork_reRunConverges() throws Exception {
    // The interrupted run recorded old and new hashes, the new directories and its staging
    // directory; it created mnt/new (mode still 0700, not yet chmod'ed), staged one file, and
    // moved the new mnt-b.mount into place.
    writeState(
        line(A)
            + line(B)
            + line(B2)
            + line(DROPIN)
            + "dir usr/lib/systemd/system/web.service.d\n"
            + "mkdir mnt\n"
            + "mkdir mnt/new\n"
            + "mkdir usr/lib/systemd/system/web.service.d\n"
            + "staging usr/lib/systemd/system/.kvmount-staging-0123456789abcdef\n");
    Path newDir = Files.createDirectories(root.resolve("mnt/new"));
    Files.setAttribute(newDir, "unix:mode", 0700);
    Path staging = Files.createDirectory(units.resolve(".kvmount-staging-0123456789abcdef"));
    Files.writeString(staging.resolve("f0"), DROPIN.content());
    Files.writeString(units.resolve("mnt-b.mount"), B2.content());
    Files.setAttribute(units.resolve("mnt-b.mount"), "unix:mode", 0644);
    Files.writeString(root.resolve(".kvmount/state.tmp"), "half a state fi");

    PlanWriter.apply(p1(), root);

    assertThat(mode(newDir)).as("mode of a directory the interrupted run created").isEqualTo(01777);
    assertThat(snapshot(root, false)).isEqualTo(snapshot(clean(plan(A, B), p1()), false));
  }

  @Test
  void killedBeforeRemovingDirectoriesItCreated_reRunWithoutThemRemovesThem() throws Exception {
    // An interrupted run of p1 created mnt/new and a drop-in directory; the next run's plan no
    // longer wants them, so they go (they are empty and kvmount made them).
    writeState(
        line(A)
            + line(B)
            + "mkdir mnt\n"
            + "mkdir mnt/new\n"
            + "mkdir usr/lib/systemd/system/web.service.d\n");
    Files.createDirectories(root.resolve("mnt/new"));
    Files.createDirectories(units.resolve("web.service.d"));

    PlanWriter.apply(plan(A, B), root);

    assertThat(root.resolve("mnt")).doesNotExist();
    assertThat(units.resolve("web.service.d")).doesNotExist();
    assertThat(snapshot(root, false)).isEqualTo(snapshot(clean(plan(A, B)), false));
  }

  @Test
  void directoryTheInterruptedRunCreated_keepsUserFilesPutThere() throws Exception {
    writeState(
        line(A)
            + line(B)
            + "mkdir mnt\n");
    Files.createDirectories(root.resolve("mnt"));
    Files.writeString(root.resolve("mnt/data.txt"), "user data\n");

    PlanWriter.apply(plan(A, B), root);

    assertThat(root.resolve("mnt/data.txt")).hasContent("user data\n");
    assertThat(Files.readString(root.resolve(".kvmount/state")))
        .as("the directory is forgotten, not kept in the state")
        .doesNotContain("mkdir");
  }

  @Test
  void staleStagingDirectoryNotInTheState_isRemovedToo() throws Exception {
    Path staging = Files.createDirectory(units.resolve(".kvmount-staging-fedcba9876543210"));
    Files.writeString(staging.resolve("f0"), "x");
    ApplyResult r = PlanWriter.apply(plan(A, B), root);
    assertThat(staging).doesNotExist();
    assertThat(r.nothingChanged()).isTrue();
  }
}
