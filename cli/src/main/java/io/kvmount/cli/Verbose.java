package io.kvmount.cli;

import java.io.PrintWriter;

/**
 * {@code --verbose} output: one line per step on stderr with the milliseconds since the command
 * started, and indented detail lines. Prints nothing when not verbose.
 */
final class Verbose {
  private final PrintWriter err;
  private final long start = System.nanoTime();

  /**
   * Creates the log.
   *
   * @param err where to print, or {@code null} to print nothing
   */
  Verbose(PrintWriter err) {
    this.err = err;
  }

  /** Prints {@code kvmount: [   12 ms] message}. */
  void step(String message) {
    if (err != null) {
      long ms = (System.nanoTime() - start) / 1_000_000;
      err.printf("kvmount: [%5d ms] %s%n", ms, message);
      err.flush();
    }
  }

  /** Prints {@code kvmount:            message}, aligned under the step text. */
  void detail(String message) {
    if (err != null) {
      err.println("kvmount:              " + message);
      err.flush();
    }
  }
}
