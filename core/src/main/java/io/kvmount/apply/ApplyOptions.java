package io.kvmount.apply;

import java.util.List;

/**
 * How {@link PlanWriter} applies a plan, beyond the plan itself.
 *
 * <p>Immutable and thread-safe.
 *
 * @param recordedOptions option words to keep in {@code .kvmount/state} with the files, in the
 *     caller's order and spelling (kvmount's command line records the options that shape what it
 *     writes, such as {@code --transport=virtiofs}, so that {@code verify} can plan as the run
 *     did); kvmount keeps them and gives them back ({@link StateFile#recordedOptions}) and never
 *     reads them. Each is one non-empty line without NUL
 * @param force take kvmount's version of conflicting files: a file at a planned path that kvmount
 *     did not write, or one it wrote that was changed since, is copied into a backup under {@code
 *     .kvmount/backup/} and then replaced (or, when the plan no longer has it, removed). Nothing
 *     else is touched that kvmount would not touch without it
 */
public record ApplyOptions(List<String> recordedOptions, boolean force) {

  /** Nothing recorded, no force: what {@link PlanWriter#apply(io.kvmount.plan.Plan, java.nio.file.Path)} does. */
  public static final ApplyOptions DEFAULTS = new ApplyOptions(List.of(), false);

  /**
   * Copies the words.
   *
   * @param recordedOptions option words to keep in the state
   * @param force whether to replace conflicting files, keeping a backup
   */
  public ApplyOptions {
    recordedOptions = List.copyOf(recordedOptions);
  }
}
