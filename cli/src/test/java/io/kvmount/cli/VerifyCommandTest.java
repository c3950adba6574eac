package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of {@code kvmount verify}: clean, problems, and each other exit code. */
class VerifyCommandTest {
  @TempDir Path tmp;
  Path stage1;
  Path pod;
  Path units;

  @BeforeEach
  void generate() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path src = Files.createDirectories(tmp.resolve("host/data"));
    pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + src + "\"},"
        + "{\"name\":\"scratch\",\"kind\":\"empty\",\"mode\":\"0700\",\"uid\":0,\"gid\":0}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/var/data\"},{\"volume\":\"scratch\",\"path\":\"/tmp/s\"}]}]}");
    CliRunner.Result r = CliRunner.run("generate", "-q", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--transport", "virtiofs");
    assertThat(r.exit()).as(r.err()).isZero();
    units = stage1.resolve("usr/lib/systemd/system");
  }

  @Test
  void clean_exit0_okLine() {
    CliRunner.Result r = CliRunner.run("verify", "--stage1-rootfs", stage1.toString(), "--pod-manifest",
        pod.toString(), "--transport", "virtiofs");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).startsWith("ok: " + stage1 + ": 4 file(s) and ").contains(" match " + pod);
    CliRunner.Result treeOnly = CliRunner.run("verify", "--stage1-rootfs", stage1.toString());
    assertThat(treeOnly.exit()).as(treeOnly.out() + treeOnly.err()).isZero();
    assertThat(treeOnly.out()).isEqualTo("ok: " + stage1 + ": 4 file(s) checked, no problems\n");
  }

  @Test
  void otherTransportThanGenerated_isReported() {
    // generate used virtio-fs; checking against 9p (given: it wins over the recorded transport)
    // finds the share unit's content differs.
    CliRunner.Result r = CliRunner.run("verify", "--no-systemd-analyze", "--stage1-rootfs", stage1.toString(),
        "--pod-manifest", pod.toString(), "--transport", "9p");
    assertThat(r.exit()).isEqualTo(ExitCodes.INVALID);
    assertThat(r.out()).contains("content: usr/lib/systemd/system/mnt-data.mount: share unit of volume \"data\""
        + " differs from what the pod manifest gives: line ");
  }

  @Test
  void problems_exit3_oneLineEach_onStdout_summaryOnStderr() throws Exception {
    Files.setAttribute(stage1.resolve("mnt/scratch"), "unix:mode", 0777);
    Files.delete(units.resolve("opt-stage2-web-rootfs-var-data.mount"));
    CliRunner.Result r = CliRunner.run("verify", "--no-systemd-analyze", "--stage1-rootfs", stage1.toString(),
        "--pod-manifest", pod.toString(), "--transport", "virtiofs");
    assertThat(r.exit()).isEqualTo(ExitCodes.INVALID);
    assertThat(r.out().lines().toList()).containsExactly(
        "empty-volume: mnt/scratch: empty volume \"scratch\": mode 0777, but the manifest gives 0700",
        "deleted: usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount: listed in .kvmount/state but missing;"
            + " re-run kvmount generate to restore it",
        "missing-unit: usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf: app \"web\": drop-in requires"
            + " opt-stage2-web-rootfs-var-data.mount, which is not in usr/lib/systemd/system (nor in the stage1"
            + " rootfs's other unit directories); systemd will fail the app's service");
    assertThat(r.err()).isEqualTo("kvmount: 3 problem(s) in " + stage1 + " for " + pod + "\n");
    CliRunner.Result quiet = CliRunner.run("verify", "-q", "--no-systemd-analyze", "--stage1-rootfs",
        stage1.toString());
    assertThat(quiet.exit()).isEqualTo(ExitCodes.INVALID);
    assertThat(quiet.err()).isEmpty();
    assertThat(quiet.out().lines()).hasSize(2);
  }

  @Test
  void missingStage1_exit1() {
    CliRunner.Result r = CliRunner.run("verify", "--stage1-rootfs", tmp.resolve("nope").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.IO);
    assertThat(r.err()).isEqualTo("kvmount: stage1 rootfs \"" + tmp.resolve("nope") + "\" does not exist\n");
  }

  @Test
  void badUnitsDir_exit2() {
    CliRunner.Result r = CliRunner.run("verify", "--stage1-rootfs", stage1.toString(), "--units-dir", "/abs");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("kvmount: --units-dir must be relative to the stage1 rootfs");
  }

  @Test
  void invalidManifest_exit3_oneLine() throws Exception {
    Files.writeString(pod, "{\"acKind\":\"PodManifest\"");
    CliRunner.Result r = CliRunner.run("verify", "--stage1-rootfs", stage1.toString(), "--pod-manifest",
        pod.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.INVALID);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("kvmount: ").contains(pod.getFileName().toString());
  }

  @Test
  void help_listsChecksAndExitCodes() {
    CliRunner.Result r = CliRunner.run("verify", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Exit codes:").contains("3   problems found").contains("unit-name")
        .contains("--pod-manifest").contains("--hypervisor");
  }
}
