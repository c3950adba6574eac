package io.kvmount.verify;

import java.util.List;

/**
 * The result of {@link Verifier#verify(java.nio.file.Path, VerifyOptions)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param findings every problem found, sorted by path, then in the order of {@link Finding.Check}'s
 *     constants (findings about no single path, with an empty path, first); empty when clean
 * @param filesChecked paths (relative to the stage1 rootfs) of the unit files and drop-ins that
 *     were read, sorted
 * @param directoriesChecked paths (relative to the stage1 rootfs) of the directories that were
 *     checked (only with a plan), in plan order
 * @param notes what was not checked and why, one line each (for example {@code systemd-analyze not
 *     found on PATH; skipped}); not problems
 */
public record VerifyReport(
    List<Finding> findings, List<String> filesChecked, List<String> directoriesChecked, List<String> notes) {

  /**
   * Copies every list.
   *
   * @param findings every problem found, sorted by path, then in the order of {@link Finding.Check}'s constants (findings about no single path, with an empty path, first); empty when clean
   * @param filesChecked paths (relative to the stage1 rootfs) of the unit files and drop-ins that were read, sorted
   * @param directoriesChecked paths (relative to the stage1 rootfs) of the directories that were checked (only with a plan), in plan order
   * @param notes what was not checked and why, one line each (for example {@code systemd-analyze not found on PATH; skipped}); not problems
   */
  public VerifyReport {
    findings = List.copyOf(findings);
    filesChecked = List.copyOf(filesChecked);
    directoriesChecked = List.copyOf(directoriesChecked);
    notes = List.copyOf(notes);
  }

  /**
   * Returns whether nothing was found.
   *
   * @return true when {@link #findings()} is empty
   */
  public boolean clean() {
    return findings.isEmpty();
  }
}
