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
    subcommands = {GenerateCommand.class, VerifyCommand.class, EscapeCommand.class, CompletionCommand.class},
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
    if (args.length > 0) {
      // Start-up: building picocli's model of every subcommand costs more than the run of a
      // small pod. For "kvmount NAME ...", build only NAME's, named "kvmount NAME" so that
      // usage, help and messages read exactly as in the full tree; everything else (top-level
      // options, completion, unknown names) gets the full tree.
      Object only = switch (args[0]) {
        case "generate" -> new GenerateCommand();
        case "verify" -> new VerifyCommand();
        case "escape" -> new EscapeCommand();
        default -> null;
      };
      if (only != null) {
        if (only instanceof GenerateCommand) {
          ManifestPrefetch.start(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        CommandLine cl = new CommandLine(only);
        cl.setCommandName("kvmount " + args[0]);
        System.exit(ExitCodes.install(cl).execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
      }
    }
    System.exit(commandLine().execute(args));
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
