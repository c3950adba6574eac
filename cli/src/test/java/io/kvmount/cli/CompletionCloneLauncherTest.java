package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvmount completion bash} completes a clone's launcher typed as {@code ./kvmount}: the
 * script registers that word itself, so the first TAB works also when bash-completion loads the
 * script on demand (where bash does not fall back from {@code ./kvmount} to {@code kvmount}).
 */
class CompletionCloneLauncherTest {
  @TempDir Path tmp;

  @Test
  void script_registersCloneLauncher_andCompletesIt() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is not installed");
    CliRunner.Result r = CliRunner.run("completion", "bash");
    assertThat(r.exit()).as(r.err()).isZero();
    Path script = tmp.resolve("kvmount");
    Files.writeString(script, r.out(), StandardCharsets.UTF_8);
    // What bash-completion's loader does, then what bash runs for "./kvmount gen<TAB>".
    String program = "source '" + script + "' 2>/dev/null || exit 7\n"
        + "complete -p ./kvmount || exit 8\n"
        + "COMP_WORDS=(./kvmount gen); COMP_CWORD=1; COMP_LINE='./kvmount gen'; COMP_POINT=${#COMP_LINE};"
        + " COMPREPLY=(); _complete_kvmount 2>/dev/null; echo \"reply: ${COMPREPLY[*]}\"\n";
    Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", program).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out.lines()).contains("complete -o default -F _complete_kvmount ./kvmount", "reply: generate");
  }
}
