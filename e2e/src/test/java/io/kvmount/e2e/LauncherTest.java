package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./kvmount} launcher itself, run as a user runs it: a hostile manifest (invalid UTF-8)
 * gives exit 3 and one line on stderr, and nothing is written. Runs in every build (no VM needed);
 * it lives in this module because the reactor has packaged {@code cli} by the time it runs, so the
 * launcher finds an up-to-date jar and never starts a Maven build inside this one.
 */
class LauncherTest {
  @TempDir Path tmp;

  @Test
  void launcher_hostileInput_exit3OneLineNothingWritten() throws Exception {
    Path launcher = E2eEnvironment.repoRoot().resolve("kvmount");
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path pod = tmp.resolve("pod.json");
    Files.write(pod, new byte[] {'{', '"', 'a', (byte) 0xff, '"', ':', '1', '}'});
    Path err = Files.createTempFile("launcher-err", ".txt");
    Process p = new ProcessBuilder(launcher.toString(), "generate", "--pod-manifest", pod.toString(),
            "--stage1-rootfs", stage1.toString())
        .redirectError(err.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    List<String> lines = Files.readAllLines(err).stream()
        .filter(l -> !l.startsWith("kvmount: building")).toList();
    Files.delete(err);
    assertThat(p.exitValue()).as(String.join("\n", lines)).isEqualTo(3);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("kvmount: ").contains("invalid UTF-8").doesNotContain("Exception");
    try (Stream<Path> s = Files.list(stage1)) {
      assertThat(s.toList()).isEmpty();
    }
  }
}
