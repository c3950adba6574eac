/**
 * Coverage-guided fuzz targets (Jazzer {@code @FuzzTest}s). In a normal test run each target only
 * replays its committed inputs under {@code src/test/resources/io/kvmount/fuzz/<Class>Inputs/<method>/};
 * with the environment variable {@code JAZZER_FUZZ=1} and one target selected it fuzzes for its
 * {@code maxDuration} (README, "Fuzzing").
 */
package io.kvmount.fuzz;
