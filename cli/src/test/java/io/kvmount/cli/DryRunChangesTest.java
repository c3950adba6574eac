package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code generate --dry-run} lists what a run would change (text section and JSON {@code changes}
 * field) and writes nothing, not even the lock file: on a fresh tree, an unchanged tree, a tree
 * with a stale file, and a tree with a file changed by hand.
 */
class DryRunChangesTest {

  @TempDir Path tmp;

  private CliRunner.Result dryRun(Path pod, Path stage1, String format) {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--dry-run", "--format", format);
    assertThat(r.exit()).as(r.err()).isZero();
    return r;
  }

  private static CliRunner.Result dryRunRaw(Path pod, Path stage1, String format, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString(), "--dry-run", "--format", format));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(new String[0]));
  }

  private static String section(String text) {
    int i = text.indexOf("\nChanges a run would make in the stage1 rootfs:\n");
    assertThat(i).as(text).isPositive();
    return text.substring(i + 1);
  }

  @Test
  void freshTree_listsEveryDirectoryAndFile_writesNothing() throws Exception {
    Path pod = BigPod.write(tmp.resolve("pod.json"), tmp.resolve("host"), 0, 2, 2);
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    String text = section(dryRun(pod, stage1, "text").out());
    assertThat(text).contains("  create directory  usr/lib/systemd/system\n")
        .contains("  write file        usr/lib/systemd/system/app-0.service.d/10-kvmount-volumes.conf\n")
        .doesNotContain("unchanged").doesNotContain("remove");
    String json = dryRun(pod, stage1, "json").out();
    assertThat(json).contains("\"changes\" : [")
        .contains("\"path\" : \"usr/lib/systemd/system\",\n    \"change\" : \"create-directory\"")
        .contains("\"change\" : \"write-file\"");
    try (var s = Files.list(stage1)) {
      assertThat(s.toList()).isEmpty(); // no .kvmount, no lock file
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "json", "args", "dot"})
  void missingStage1Rootfs_dryRunFailsAsTheRun_exit1(String format) throws Exception {
    // A run refuses a missing stage1 rootfs (exit 1); so does a dry run, with the same line and
    // nothing on stdout (it printed a plan and exited 0 before).
    Path pod = BigPod.write(tmp.resolve("pod.json"), tmp.resolve("host"), 0, 1, 1);
    Path stage1 = tmp.resolve("not-yet");
    var run = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString());
    assertThat(run.exit()).isEqualTo(1);
    String why = "stage1 rootfs \"" + stage1 + "\" does not exist or is not a directory";
    assertThat(run.err()).isEqualTo("kvmount: " + why + "\n");
    var dry = dryRunRaw(pod, stage1, format);
    assertThat(dry.exit()).isEqualTo(1);
    assertThat(dry.err()).isEqualTo(run.err());
    assertThat(dry.out()).isEmpty();
    assertThat(stage1).doesNotExist();
  }

  @Test
  void filesInTheWay_dryRunReportsEveryOneAsTheRun_exit3_andForceListsTheBackups() throws Exception {
    Path host = tmp.resolve("host");
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    Path pod = BigPod.write(tmp.resolve("pod.json"), host, 0, 2, 2);
    assertThat(CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString())
        .exit()).isZero();
    Path units = stage1.resolve("usr/lib/systemd/system");
    Files.writeString(units.resolve("app-0.service.d/10-kvmount-volumes.conf"), "# changed by hand\n");
    Files.writeString(units.resolve("app-1.service.d/10-kvmount-volumes.conf"), "# changed too\n");
    var before = TreeSnapshot.of(stage1);
    var run = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString());
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).startsWith("kvmount: refusing to change 2 files: ");
    for (String format : List.of("text", "json")) {
      var dry = dryRunRaw(pod, stage1, format);
      assertThat(dry.exit()).isEqualTo(3);
      assertThat(dry.err()).isEqualTo(run.err());
      assertThat(dry.out()).isEmpty();
    }
    String forced = section(dryRunRaw(pod, stage1, "text", "--force").out()).replaceAll(" {2,}", "  ");
    assertThat(forced)
        .contains("  back up conflicting file  usr/lib/systemd/system/app-0.service.d/10-kvmount-volumes.conf\n")
        .contains("  back up conflicting file  usr/lib/systemd/system/app-1.service.d/10-kvmount-volumes.conf\n")
        .contains("  write file  usr/lib/systemd/system/app-0.service.d/10-kvmount-volumes.conf\n");
    assertThat(TreeSnapshot.of(stage1)).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "json", "args", "dot"})
  void planARunWouldReject_dryRunExits3(String format) throws Exception {
    // --units-dir inside .kvmount: a run rejects the plan (exit 3); so does a dry run, in every
    // format, with the same message and nothing on stdout.
    Path pod = BigPod.write(tmp.resolve("pod.json"), tmp.resolve("host"), 0, 1, 1);
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    String[] args = {"generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString(),
        "--units-dir", ".kvmount/units"};
    var run = CliRunner.run(args);
    assertThat(run.exit()).isEqualTo(3);
    var dry = dryRunRaw(pod, stage1, format, "--units-dir", ".kvmount/units");
    assertThat(dry.exit()).isEqualTo(3);
    assertThat(dry.err()).isEqualTo(run.err());
    assertThat(dry.out()).isEmpty();
    try (var s = Files.list(stage1)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void unchangedTree_listsOnlyUnchangedFiles() throws Exception {
    Path pod = BigPod.write(tmp.resolve("pod.json"), tmp.resolve("host"), 0, 2, 2);
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    assertThat(CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString())
        .exit()).isZero();
    var before = TreeSnapshot.of(stage1);
    String text = section(dryRun(pod, stage1, "text").out());
    List<String> lines = text.lines().skip(1).toList();
    assertThat(lines).isNotEmpty().allMatch(l -> l.startsWith("  leave file unchanged  "), "unchanged");
    assertThat(dryRun(pod, stage1, "json").out()).contains("\"change\" : \"unchanged-file\"")
        .doesNotContain("write-file").doesNotContain("create-directory");
    assertThat(TreeSnapshot.of(stage1)).isEqualTo(before);
  }

  @Test
  void staleAndChangedFiles_areShown() throws Exception {
    Path host = tmp.resolve("host");
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    Path pod0 = BigPod.write(tmp.resolve("pod0.json"), host, 0, 3, 2);
    Path pod1 = BigPod.write(tmp.resolve("pod1.json"), host, 0, 2, 2); // app-2 is gone
    assertThat(CliRunner.run("generate", "--pod-manifest", pod0.toString(), "--stage1-rootfs", stage1.toString())
        .exit()).isZero();
    var before = TreeSnapshot.of(stage1);

    String stale = section(dryRun(pod1, stage1, "text").out()).replaceAll(" {2,}", "  "); // columns aside
    assertThat(stale).contains("  remove file  usr/lib/systemd/system/app-2.service.d/10-kvmount-volumes.conf\n")
        .contains("  remove directory if empty  usr/lib/systemd/system/app-2.service.d\n")
        .contains("  leave file unchanged  usr/lib/systemd/system/app-0.service.d/10-kvmount-volumes.conf\n");
    assertThat(dryRun(pod1, stage1, "json").out())
        .contains("\"path\" : \"usr/lib/systemd/system/app-2.service.d/10-kvmount-volumes.conf\",\n"
            + "    \"change\" : \"remove-file\"");
    assertThat(TreeSnapshot.of(stage1)).isEqualTo(before);

    Path dropIn = stage1.resolve("usr/lib/systemd/system/app-0.service.d/10-kvmount-volumes.conf");
    Files.writeString(dropIn, "# changed by hand\n");
    before = TreeSnapshot.of(stage1);
    // A run refuses the file changed by hand (exit 3); the dry run says so the same way.
    var changed = dryRunRaw(pod0, stage1, "text");
    assertThat(changed.exit()).isEqualTo(3);
    assertThat(changed.err()).isEqualTo("kvmount: refusing to overwrite"
        + " \"usr/lib/systemd/system/app-0.service.d/10-kvmount-volumes.conf\": it was changed after kvmount"
        + " wrote it; move it away to let kvmount write it again (to take kvmount's version, run again with"
        + " --force: it keeps a copy of the file in .kvmount/backup/)\n");
    assertThat(dryRunRaw(pod0, stage1, "json").exit()).isEqualTo(3);
    assertThat(TreeSnapshot.of(stage1)).isEqualTo(before);
  }
  /**
   * A plan with a file mount point of a single-file volume (built by hand: the change kinds are
   * printed whatever the planner makes): the dry run lists it as {@code create-file}, aligned with
   * the other changes, and writes nothing.
   */
  @Test
  void fileMountPoint_listedAsCreateFile_writesNothing() throws Exception {
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    io.kvmount.path.GuestPath hosts = io.kvmount.path.GuestPath.parse("/opt/stage2/web/rootfs/etc/hosts");
    io.kvmount.plan.Plan plan = new io.kvmount.plan.Plan(List.of(),
        io.kvmount.path.GuestPath.parse("/usr/lib/systemd/system"),
        List.of(new io.kvmount.plan.PlannedFile(io.kvmount.path.RelativePath.parse("x.mount"), "[Mount]\n")),
        List.of(), List.of(), List.of(), List.of(), List.of(),
        List.of(new io.kvmount.plan.PlannedFileMountPoint(hosts)), java.util.Optional.empty(), List.of());
    java.io.StringWriter out = new java.io.StringWriter();
    DryRunChanges.of(plan, stage1).printText(new java.io.PrintWriter(out, true));
    assertThat(out.toString())
        .contains("  create empty file mount point  opt/stage2/web/rootfs/etc/hosts\n")
        .contains("  write file                     usr/lib/systemd/system/x.mount\n");
    try (var s = Files.list(stage1)) {
      assertThat(s.toList()).isEmpty();
    }
  }
}
