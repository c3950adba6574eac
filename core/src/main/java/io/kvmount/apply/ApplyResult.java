package io.kvmount.apply;

import java.util.List;

/**
 * What {@link PlanWriter#apply} changed in a stage1 rootfs. Every entry is a path relative to the
 * stage1 rootfs, without a leading slash ({@code usr/lib/systemd/system/mnt-data.mount}, {@code
 * mnt/data}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param written unit files and drop-ins written (created or replaced), in plan order
 * @param unchanged planned files that already had the planned content and mode, in plan order; this
 *     includes identical files kvmount had not written before and now manages ("adopted")
 * @param removed files an earlier run wrote that the plan no longer contains and that were deleted,
 *     sorted
 * @param directoriesCreated directories created, parents before children
 */
public record ApplyResult(
    List<String> written,
    List<String> unchanged,
    List<String> removed,
    List<String> directoriesCreated) {

  /**
   * Copies every list.
   *
   * @param written unit files and drop-ins written (created or replaced), in plan order
   * @param unchanged planned files that already had the planned content and mode, in plan order; this includes identical files kvmount had not written before and now manages ("adopted")
   * @param removed files an earlier run wrote that the plan no longer contains and that were deleted, sorted
   * @param directoriesCreated directories created, parents before children
   */
  public ApplyResult {
    written = List.copyOf(written);
    unchanged = List.copyOf(unchanged);
    removed = List.copyOf(removed);
    directoriesCreated = List.copyOf(directoriesCreated);
  }

  /**
   * Returns whether the run changed no file and created no directory.
   *
   * @return whether the run changed no file and created no directory
   */
  public boolean nothingChanged() {
    return written.isEmpty() && removed.isEmpty() && directoriesCreated.isEmpty();
  }
}
