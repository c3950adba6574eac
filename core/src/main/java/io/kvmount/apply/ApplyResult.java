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
 * @param fileMountPointsCreated empty files created as the mount points of single-file volumes, in
 *     plan order
 * @param fileMountPointsRemoved empty files an earlier run created as file mount points that the
 *     plan no longer has and that were deleted, sorted
 * @param backedUp with {@code force}: the conflicting files copied into {@code backupDirectory}
 *     before they were replaced or removed (plan order, then stale files sorted)
 * @param backupDirectory the new backup directory ({@code .kvmount/backup/<UTC time>}), relative
 *     to the stage1 rootfs; empty when nothing was backed up
 * @param directoriesRemoved directories an earlier run created (mount points and their parents)
 *     that the plan no longer has and that were removed, being empty; children first
 * @param directoriesLeft such directories that were not empty and were left in place (and are no
 *     longer kvmount's); children first, each only when no directory below it was left
 */
public record ApplyResult(
    List<String> written,
    List<String> unchanged,
    List<String> removed,
    List<String> directoriesCreated,
    List<String> fileMountPointsCreated,
    List<String> fileMountPointsRemoved,
    List<String> backedUp,
    java.util.Optional<String> backupDirectory,
    List<String> directoriesRemoved,
    List<String> directoriesLeft,
    List<String> volumesCopied) {

  /**
   * A result with no backups.
   *
   * @param written unit files and drop-ins written, in plan order
   * @param unchanged planned files already as planned, in plan order
   * @param removed files an earlier run wrote that were deleted, sorted
   * @param directoriesCreated directories created, parents before children
   * @param fileMountPointsCreated empty files created as file mount points, in plan order
   * @param fileMountPointsRemoved file mount points an earlier run created that were deleted, sorted
   */
  public ApplyResult(List<String> written, List<String> unchanged, List<String> removed,
      List<String> directoriesCreated, List<String> fileMountPointsCreated, List<String> fileMountPointsRemoved) {
    this(written, unchanged, removed, directoriesCreated, fileMountPointsCreated, fileMountPointsRemoved, List.of(),
        java.util.Optional.empty());
  }

  /**
   * A result with no directories removed or left.
   *
   * @param written unit files and drop-ins written, in plan order
   * @param unchanged planned files already as planned, in plan order
   * @param removed files an earlier run wrote that were deleted, sorted
   * @param directoriesCreated directories created, parents before children
   * @param fileMountPointsCreated empty files created as file mount points, in plan order
   * @param fileMountPointsRemoved file mount points an earlier run created that were deleted, sorted
   * @param backedUp conflicting files copied into the backup directory before they were replaced
   * @param backupDirectory the backup directory relative to the stage1 rootfs, or empty
   */
  public ApplyResult(List<String> written, List<String> unchanged, List<String> removed,
      List<String> directoriesCreated, List<String> fileMountPointsCreated, List<String> fileMountPointsRemoved,
      List<String> backedUp, java.util.Optional<String> backupDirectory) {
    this(written, unchanged, removed, directoriesCreated, fileMountPointsCreated, fileMountPointsRemoved, backedUp,
        backupDirectory, List.of(), List.of());
  }

  /**
   * Copies every list.
   *
   * @param written unit files and drop-ins written (created or replaced), in plan order
   * @param unchanged planned files that already had the planned content and mode, in plan order; this includes identical files kvmount had not written before and now manages ("adopted")
   * @param removed files an earlier run wrote that the plan no longer contains and that were deleted, sorted
   * @param directoriesCreated directories created, parents before children
   * @param fileMountPointsCreated empty files created as file mount points, in plan order
   * @param fileMountPointsRemoved file mount points an earlier run created that were deleted, sorted
   * @param backedUp conflicting files copied into the backup directory before they were replaced
   * @param backupDirectory the backup directory relative to the stage1 rootfs, or empty
   * @param directoriesRemoved directories an earlier run created that were removed, being empty
   * @param directoriesLeft such directories left in place, not being empty
   * @param volumesCopied volume directories made by this run as a copy of an image directory
   *     (also in {@code directoriesCreated}), in plan order
   */
  public ApplyResult {
    volumesCopied = List.copyOf(volumesCopied);
    written = List.copyOf(written);
    unchanged = List.copyOf(unchanged);
    removed = List.copyOf(removed);
    directoriesCreated = List.copyOf(directoriesCreated);
    fileMountPointsCreated = List.copyOf(fileMountPointsCreated);
    fileMountPointsRemoved = List.copyOf(fileMountPointsRemoved);
    backedUp = List.copyOf(backedUp);
    java.util.Objects.requireNonNull(backupDirectory, "backupDirectory");
    directoriesRemoved = List.copyOf(directoriesRemoved);
    directoriesLeft = List.copyOf(directoriesLeft);
  }

  /**
   * A result with no volume copied from an image.
   *
   * @param written unit files and drop-ins written, in plan order
   * @param unchanged planned files already as planned, in plan order
   * @param removed files an earlier run wrote that were deleted, sorted
   * @param directoriesCreated directories created, parents before children
   * @param fileMountPointsCreated empty files created as file mount points, in plan order
   * @param fileMountPointsRemoved file mount points an earlier run created that were deleted, sorted
   * @param backedUp conflicting files copied into the backup directory before they were replaced
   * @param backupDirectory the backup directory relative to the stage1 rootfs, or empty
   * @param directoriesRemoved directories an earlier run created that were removed, being empty
   * @param directoriesLeft such directories left in place, not being empty
   */
  public ApplyResult(List<String> written, List<String> unchanged, List<String> removed,
      List<String> directoriesCreated, List<String> fileMountPointsCreated, List<String> fileMountPointsRemoved,
      List<String> backedUp, java.util.Optional<String> backupDirectory, List<String> directoriesRemoved,
      List<String> directoriesLeft) {
    this(written, unchanged, removed, directoriesCreated, fileMountPointsCreated, fileMountPointsRemoved, backedUp,
        backupDirectory, directoriesRemoved, directoriesLeft, List.of());
  }

  /**
   * Returns whether the run changed no file, created no directory and created or removed no file
   * mount point.
   *
   * @return whether the run changed nothing in the tree
   */
  public boolean nothingChanged() {
    return written.isEmpty() && removed.isEmpty() && directoriesCreated.isEmpty()
        && fileMountPointsCreated.isEmpty() && fileMountPointsRemoved.isEmpty() && directoriesRemoved.isEmpty();
  }
}
