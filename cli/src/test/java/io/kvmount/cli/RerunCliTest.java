package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate} and {@code verify} over a tree an earlier {@code generate} wrote: verify plans
 * with the options generate recorded, every conflicting file is reported in one run (exit 3), and
 * {@code --force} takes kvmount's version keeping a backup. Real files in a temp directory.
 */
class RerunCliTest {
  @TempDir Path tmp;
  Path stage1;
  Path pod;
  Path units;

  @BeforeEach
  void pod() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path src = Files.createDirectories(tmp.resolve("host/data"));
    Files.createDirectories(tmp.resolve("host/logs"));
    pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + src + "\"},"
        + "{\"name\":\"logs\",\"kind\":\"host\",\"source\":\"" + tmp.resolve("host/logs") + "\"}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/var/data\"},{\"volume\":\"logs\",\"path\":\"/var/log/web\"}]}]}");
    units = stage1.resolve("usr/lib/systemd/system");
  }

  private CliRunner.Result generate(String... more) {
    List<String> args = new ArrayList<>(List.of("generate", "-q", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString()));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(new String[0]));
  }

  private CliRunner.Result verify(String... more) {
    List<String> args = new ArrayList<>(List.of("verify", "--no-systemd-analyze", "--stage1-rootfs",
        stage1.toString(), "--pod-manifest", pod.toString()));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(new String[0]));
  }

  @Test
  void verify_withoutPlanOptions_usesThoseGenerateRecorded() {
    CliRunner.Result g = generate("--transport", "virtiofs", "--9p-msize", "8192", "--units-dir", "etc/systemd/system");
    assertThat(g.exit()).as(g.err()).isZero();
    units = stage1.resolve("etc/systemd/system");

    CliRunner.Result plain = verify();
    assertThat(plain.exit()).as(plain.out() + plain.err()).isZero();
    assertThat(plain.out()).startsWith("ok: " + stage1 + ": ");
    // Tree-only too: the recorded units directory.
    CliRunner.Result treeOnly = CliRunner.run("verify", "--no-systemd-analyze", "--stage1-rootfs", stage1.toString());
    assertThat(treeOnly.exit()).as(treeOnly.out() + treeOnly.err()).isZero();
    assertThat(treeOnly.out()).startsWith("ok: " + stage1 + ": 5 file(s) checked");
    // Said with -v.
    assertThat(verify("-v").err()).contains("options from .kvmount/state: --hypervisor=qemu --transport=virtiofs"
        + " --units-dir=etc/systemd/system --9p-msize=8192");

    // Given options win: 9p differs from what was written.
    CliRunner.Result given = verify("--transport", "9p");
    assertThat(given.exit()).isEqualTo(ExitCodes.INVALID);
    assertThat(given.out()).contains("content: etc/systemd/system/mnt-data.mount: share unit of volume \"data\"");
  }

  @Test
  void verify_stateWithoutOptions_usesDefaults_asBefore() throws Exception {
    CliRunner.Result g = generate("--transport", "virtiofs");
    assertThat(g.exit()).as(g.err()).isZero();
    Path state = stage1.resolve(".kvmount/state");
    // A state written before options were recorded: no option lines.
    List<String> lines = new ArrayList<>(Files.readAllLines(state));
    lines.removeIf(l -> l.startsWith("option "));
    Files.write(state, lines);
    assertThat(verify().out()).contains("content: usr/lib/systemd/system/mnt-data.mount");
    assertThat(verify("--transport", "virtiofs").exit()).isZero();
  }

  @Test
  void generate_severalUserEditedFiles_allReportedInOneRun_exit3_nothingWritten() throws Exception {
    assertThat(generate().exit()).isZero();
    Files.writeString(units.resolve("mnt-data.mount"), "edited\n");
    Files.writeString(units.resolve("mnt-logs.mount"), "edited too\n");
    var before = TreeSnapshot.of(stage1);

    CliRunner.Result r = generate("--9p-msize", "8192");
    assertThat(r.exit()).isEqualTo(ExitCodes.INVALID);
    assertThat(r.err()).isEqualTo("kvmount: refusing to change 2 files: refusing to overwrite"
        + " \"usr/lib/systemd/system/mnt-data.mount\": it was changed after kvmount wrote it; move it away to let"
        + " kvmount write it again; refusing to overwrite \"usr/lib/systemd/system/mnt-logs.mount\": it was changed"
        + " after kvmount wrote it; move it away to let kvmount write it again (to take kvmount's version, run again"
        + " with --force: it keeps a copy of each file in .kvmount/backup/)\n");
    assertThat(TreeSnapshot.of(stage1)).isEqualTo(before);

    CliRunner.Result forced = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--9p-msize", "8192", "--force", "--format", "args");
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(forced.err()).contains("kvmount: warning: --force: replaced \"usr/lib/systemd/system/mnt-data.mount\";"
        + " the earlier file is kept as \".kvmount/backup/");
    List<Path> backups;
    try (var s = Files.list(stage1.resolve(".kvmount/backup"))) {
      backups = s.toList();
    }
    assertThat(backups).hasSize(1);
    assertThat(backups.get(0).resolve("usr/lib/systemd/system/mnt-data.mount")).hasContent("edited");
    assertThat(backups.get(0).resolve("usr/lib/systemd/system/mnt-logs.mount")).hasContent("edited too");
    assertThat(Files.readString(units.resolve("mnt-data.mount"))).contains("msize=8192");
    assertThat(verify().exit()).isZero();
  }

  @Test
  void generate_mountDroppedFromManifest_itsDirectoryIsRemoved_orLeftWithAWarning() throws Exception {
    assertThat(generate().exit()).isZero();
    Path logs = stage1.resolve("opt/stage2/web/rootfs/var/log/web");
    assertThat(logs).isDirectory();
    Files.writeString(pod, Files.readString(pod).replace(",{\"volume\":\"logs\",\"path\":\"/var/log/web\"}", ""));

    CliRunner.Result r = CliRunner.run("generate", "-v", "--format", "args", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(logs).doesNotExist();
    assertThat(stage1.resolve("opt/stage2/web/rootfs/var/log")).doesNotExist();
    assertThat(stage1.resolve("opt/stage2/web/rootfs/var/data")).isDirectory();
    assertThat(r.err()).contains("removed directory opt/stage2/web/rootfs/var/log/web (no longer in the pod)");

    // Again with the mount, then without it, a file of the user's inside: left, with a warning.
    Files.writeString(pod, Files.readString(pod).replace("{\"volume\":\"data\",\"path\":\"/var/data\"}",
        "{\"volume\":\"data\",\"path\":\"/var/data\"},{\"volume\":\"logs\",\"path\":\"/var/log/web\"}"));
    assertThat(generate().exit()).isZero();
    Files.writeString(logs.resolve("kept.log"), "x");
    Files.writeString(pod, Files.readString(pod).replace(",{\"volume\":\"logs\",\"path\":\"/var/log/web\"}", ""));
    CliRunner.Result left = CliRunner.run("generate", "--format", "args", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString());
    assertThat(left.exit()).as(left.err()).isZero();
    assertThat(left.err()).contains("kvmount: warning: left directory \"opt/stage2/web/rootfs/var/log/web\" in the"
        + " stage1 rootfs: kvmount created it for a mount point the pod no longer has, but it is not empty")
        .doesNotContain("\"opt/stage2/web/rootfs/var/log\"");
    assertThat(logs.resolve("kept.log")).hasContent("x");
  }

  @Test
  void textReport_listsAnAppsMountsParentsFirst() throws Exception {
    // The manifest gives the nested mount first; the guest mounts /var/data first.
    Files.writeString(pod, Files.readString(pod).replace("{\"volume\":\"data\",\"path\":\"/var/data\"},"
        + "{\"volume\":\"logs\",\"path\":\"/var/log/web\"}", "{\"volume\":\"logs\",\"path\":\"/var/data/logs\"},"
        + "{\"volume\":\"data\",\"path\":\"/var/data\"}"));
    CliRunner.Result r = generate("--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> rows = r.out().lines().filter(l -> l.startsWith("  /var/")).toList();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).startsWith("  /var/data ");
    assertThat(rows.get(1)).startsWith("  /var/data/logs ");
  }
}
