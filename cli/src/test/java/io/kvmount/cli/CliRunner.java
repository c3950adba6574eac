package io.kvmount.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real command line in-process with captured output, chosen as {@link Main#main} chooses it. */
final class CliRunner {
  record Result(int exit, String out, String err) {}

  private CliRunner() {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Main.Invocation inv = Main.invocation(args);
    int code = inv.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(inv.args());
    return new Result(code, out.toString(), err.toString());
  }
}
