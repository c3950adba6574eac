package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --verbose} and {@code --quiet}: what goes to stderr, and that stdout is unchanged. */
class GenerateVerboseTest {
  @TempDir Path tmp;

  @Test
  void verbose_stepsWithTimingsAndEachFile_onStderrOnly() throws Exception {
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path src = Files.createDirectories(tmp.resolve("data"));
    Path pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + src + "\"}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/var/data\"}]}]}");
    CliRunner.Result v = CliRunner.run("generate", "-v", "--format", "args", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString());
    assertThat(v.exit()).as(v.err()).isZero();
    assertThat(v.err()).containsPattern("kvmount: \\[ *\\d+ ms\\] read pod manifest " + pod + ": 1 app\\(s\\), 1"
        + " volume\\(s\\)")
        .containsPattern("\\] planned for qemu over 9p: 1 share\\(s\\), 1 mount\\(s\\), 3 file\\(s\\)")
        .containsPattern("\\] applied to " + stage1 + ": 3 written, 0 unchanged, 0 removed")
        .contains("wrote usr/lib/systemd/system/mnt-data.mount")
        .contains("wrote usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf")
        .containsPattern("\\] done");
    CliRunner.Result plain = CliRunner.run("generate", "--format", "args", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString());
    assertThat(plain.out()).isEqualTo(v.out());
    assertThat(plain.err()).isEmpty();

    CliRunner.Result both = CliRunner.run("generate", "-q", "-v", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString());
    assertThat(both.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).startsWith("kvmount: --quiet and --verbose cannot be used together");
  }
}
