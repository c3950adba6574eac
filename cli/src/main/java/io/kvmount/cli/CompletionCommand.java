package io.kvmount.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kvmount completion bash}: prints a bash (and zsh, through {@code bashcompinit})
 * completion script made by picocli from the same command model as {@code --help} and the man
 * page, so subcommands, options and values such as {@code --hypervisor} names are always current.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a shell completion script for kvmount on stdout.",
      "",
      "Use it once per shell:  source <(kvmount completion bash)",
      "or install it:  kvmount completion bash > /etc/bash_completion.d/kvmount",
      "zsh: autoload -U +X bashcompinit && bashcompinit && source <(kvmount completion bash)",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {" 0:success", " 2:usage error (a shell other than bash)"})
final class CompletionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SHELL",
      completionCandidates = Shells.class,
      description = "The shell: ${COMPLETION-CANDIDATES} (the script also works in zsh with bashcompinit).")
  String shell;

  /**
   * Also registers the script for a clone's launcher as typed there, {@code ./kvmount}. bash
   * finds a completion for {@code ./kvmount} under {@code kvmount}, except when bash-completion
   * loads this script on demand ({@code ~/.local/share/bash-completion/completions/kvmount}): then
   * the first TAB after {@code ./kvmount} completed nothing (bash 5.2, bash-completion 2.11).
   */
  static final String CLONE_LAUNCHER =
      "\n# A clone's launcher, as typed there (bash-completion loads this file on demand for it).\n"
          + "complete -F _complete_kvmount -o default ./kvmount\n";

  @Override
  public Integer call() {
    if (!shell.equals("bash")) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "unsupported shell \"" + shell + "\": only bash (zsh through bashcompinit)");
    }
    spec.commandLine().getOut().print(AutoComplete.bash("kvmount", spec.root().commandLine()));
    spec.commandLine().getOut().print(CLONE_LAUNCHER);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  /** The supported shells. */
  static final class Shells implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("bash").iterator();
    }
  }
}
