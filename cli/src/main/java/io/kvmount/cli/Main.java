package io.kvmount.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kvmount} command: entry point and picocli wiring. */
@Command(
    name = "kvmount",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Shares an appc pod's volumes into a VM-isolated pod: writes systemd mount units into the"
          + " pod's stage1 rootfs and prints the hypervisor arguments that share the host volumes."
    },
    subcommands = {
      GenerateCommand.class, VerifyCommand.class, ReleaseCommand.class, EscapeCommand.class, CompletionCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      " 0:success",
      " 1:I/O or runtime failure (nothing half-written)",
      " 2:usage error (bad options)",
      " 3:invalid input (manifest or plan rejected; nothing written); verify: problems found",
      " 4:internal error (a bug: please report it)"
    })
public final class Main {

  /**
   * Runs the command line and exits with its exit code.
   *
   * @param args the arguments
   */
  public static void main(String... args) {
    if (args.length > 0 && args[0].equals("generate")) {
      ManifestPrefetch.start(java.util.Arrays.copyOfRange(args, 1, args.length));
    }
    Invocation inv = invocation(args);
    System.exit(inv.commandLine().execute(inv.args()));
  }

  /**
   * A command line and the arguments to execute it with.
   *
   * @param commandLine the command line, with kvmount's handlers
   * @param args the arguments for it (without the subcommand name when {@code commandLine} is
   *     that subcommand's own)
   */
  record Invocation(CommandLine commandLine, String[] args) {}

  /**
   * Chooses the command line for the arguments as {@link #main} runs them. Start-up: building
   * picocli's model of every subcommand costs more than the run of a small pod. For {@code
   * kvmount NAME ...}, only NAME's model is built, named "kvmount NAME" so that usage, help and
   * messages read exactly as in the full tree ({@code generate}'s is built in code: {@link
   * GenerateModel}); everything else (top-level options, completion, unknown names) gets the full
   * tree of {@link #commandLine()}.
   *
   * @param args the arguments of {@code kvmount}
   * @return the command line and the arguments to execute it with
   */
  static Invocation invocation(String... args) {
    if (args.length > 0) {
      String name = args[0];
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      CommandLine only = switch (name) {
        case "generate" -> GenerateModel.commandLine(new GenerateCommand(), "kvmount generate");
        case "verify" -> new CommandLine(new VerifyCommand()).setCommandName("kvmount verify");
        case "escape" -> new CommandLine(new EscapeCommand()).setCommandName("kvmount escape");
        case "release" -> new CommandLine(new ReleaseCommand()).setCommandName("kvmount release");
        default -> null;
      };
      if (only != null) {
        return new Invocation(ExitCodes.install(only), rest);
      }
    }
    return new Invocation(commandLine(), args);
  }

  /**
   * Builds the command line with kvmount's handlers; tests call it with their own writers.
   *
   * @return a fresh command line
   */
  public static CommandLine commandLine() {
    return ExitCodes.install(new CommandLine(new Main()));
  }
}
