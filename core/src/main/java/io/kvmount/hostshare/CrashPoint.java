package io.kvmount.hostshare;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test hook for the crash test: with the system property {@value #PROPERTY}{@code =N} the
 * process kills itself with SIGKILL right after the N-th step (a journal write, a mount or
 * unmount, a removal) of {@link PodShare#apply} or {@link PodShare#release}. Unset (always, outside
 * the crash test) it only counts.
 */
final class CrashPoint {

  /** The system property naming the step after which to die. */
  static final String PROPERTY = "kvmount.hostshare.crashAt";

  private static final int AT = Integer.getInteger(PROPERTY, 0);
  private static final AtomicInteger STEPS = new AtomicInteger();

  private CrashPoint() {}

  /** The number of steps counted so far in this process (the crash test sizes its range by it). */
  static int steps() {
    return STEPS.get();
  }

  /** Counts one finished step, and dies here if it is the chosen one. */
  static void step() {
    if (STEPS.incrementAndGet() == AT && AT > 0) {
      try {
        new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid()))
            .inheritIO()
            .start()
            .waitFor();
        Thread.sleep(60_000);
      } catch (IOException | InterruptedException e) {
        Runtime.getRuntime().halt(137);
      }
      Runtime.getRuntime().halt(137);
    }
  }
}
