package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvmount completion bash}: the script is sourced in a real bash and asked to complete,
 * the way bash does when a user presses TAB.
 */
class CompletionCommandTest {
  @TempDir Path tmp;

  /** Completes the words in a real bash with the generated script; returns COMPREPLY joined by spaces. */
  private String complete(Path script, String... words) throws Exception {
    StringBuilder arr = new StringBuilder();
    for (String w : words) {
      arr.append("'").append(w.replace("'", "'\\''")).append("' ");
    }
    String program = "source '" + script + "' 2>/dev/null\n"
        + "COMP_WORDS=(" + arr + "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMP_LINE=\"${COMP_WORDS[*]}\";"
        + " COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _complete_kvmount 2>/dev/null; echo \"${COMPREPLY[*]}\"\n";
    Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", program).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).isZero();
    return out;
  }

  @Test
  void bash_scriptCompletesSubcommandsOptionsAndValues() throws Exception {
    CliRunner.Result r = CliRunner.run("completion", "bash");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("complete -F _complete_kvmount").contains("kvmount");
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is not installed");
    Path script = tmp.resolve("kvmount-completion.bash");
    Files.writeString(script, r.out(), StandardCharsets.UTF_8);
    assertThat(complete(script, "kvmount", "ver")).isEqualTo("verify");
    assertThat(complete(script, "kvmount", "")).isEqualTo("generate verify release escape completion help");
    assertThat(complete(script, "kvmount", "generate", "--hypervisor", ""))
        .isEqualTo("qemu lkvm cloud-hypervisor firecracker");
    assertThat(complete(script, "kvmount", "generate", "--format", "")).isEqualTo("text json args dot");
    assertThat(complete(script, "kvmount", "verify", "--transport", "v")).isEqualTo("virtiofs");
    assertThat(complete(script, "kvmount", "verify", "--no")).isEqualTo("--no-systemd-analyze");
  }

  @Test
  void otherShell_usageError() {
    CliRunner.Result r = CliRunner.run("completion", "fish");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("kvmount: unsupported shell \"fish\"");
  }

  @Test
  void rootHelp_listsSubcommandsAndExitCodes() {
    CliRunner.Result r = CliRunner.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("generate").contains("verify").contains("completion").contains("Exit codes:")
        .contains("problems found");
  }
}
