package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.hostshare.ReleaseResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kvmount release}: takes a pod share down on the host. */
@Command(
    name = "release",
    mixinStandardHelpOptions = true,
    description = {
      "Takes down the pod share that `kvmount generate --share-dir DIR` set up: unmounts every host bind"
          + " kvmount made in DIR, then removes DIR and kvmount's records of it. Mounts kvmount did not make"
          + " are never unmounted (DIR holding one is refused before any change); a file or directory kvmount"
          + " did not put there is left, with DIR and the records, after the binds are undone. Idempotent:"
          + " releasing a share that is already gone (or a DIR without kvmount's records) does nothing and"
          + " exits 0; a release interrupted at any point is finished by the next one.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      " 0:success (also when there was nothing to release)",
      " 1:I/O failure; DIR holds a mount kvmount did not make (nothing undone); or a file kvmount did"
          + " not make was left in DIR (binds undone)",
      " 2:usage error (bad options)",
      " 3:invalid input (DIR not usable as a share directory)",
      " 4:internal error (a bug: please report it)"
    })
final class ReleaseCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--share-dir", required = true, paramLabel = "DIR", description = "The pod share's host directory.")
  Path shareDir;

  @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
  boolean quiet;

  @Option(names = "--stacktrace", description = "Print a stack trace with errors (for bug reports).")
  boolean stacktrace;

  @Override
  public Integer call() throws Exception {
    String dir;
    try {
      dir = PlanArgs.shareDirectory(shareDir);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    ReleaseResult r = Kvmount.release(Path.of(dir));
    if (!quiet) {
      PrintWriter out = spec.commandLine().getOut();
      if (r.nothingToDo()) {
        out.println("kvmount: nothing to release in " + ExitCodes.oneLine(dir));
      } else {
        out.println("kvmount: released " + ExitCodes.oneLine(dir) + ": " + r.unmounted().size() + " mount(s) undone, "
            + r.removed().size() + " path(s) removed");
      }
      out.flush();
    }
    return ExitCodes.OK;
  }
}
