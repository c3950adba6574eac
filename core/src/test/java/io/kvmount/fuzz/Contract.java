package io.kvmount.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.error.InvalidInputException;

/** Checks the fuzz targets share: how long one input may take and what a refusal looks like. */
final class Contract {

  /** Wall time one input may take, in nanoseconds (2 s: the readers' limits keep real work far below). */
  static final long MAX_NANOS_PER_INPUT = 2_000_000_000L;

  private Contract() {}

  /**
   * Fails if an input took longer than {@link #MAX_NANOS_PER_INPUT}.
   *
   * @param startNanos {@link System#nanoTime()} before the call
   * @param what what ran, for the message
   */
  static void withinTimeBound(long startNanos, String what) {
    long took = System.nanoTime() - startNanos;
    assertThat(took).as("%s took %d ms", what, took / 1_000_000).isLessThan(MAX_NANOS_PER_INPUT);
  }

  /**
   * Fails unless a refusal is a one-line message, as the command line prints it ("kvmount: ...").
   *
   * @param e the documented invalid-input exception
   */
  static void oneLineMessage(InvalidInputException e) {
    assertThat(e.getMessage()).as("message of %s", e.getClass().getSimpleName()).isNotBlank().doesNotContain("\n");
  }
}
