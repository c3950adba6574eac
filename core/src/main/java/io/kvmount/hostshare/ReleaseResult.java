package io.kvmount.hostshare;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link PodShare#release} did. Immutable.
 *
 * @param shareDir the share directory (its parent's real path joined with its name)
 * @param unmounted the mount points kvmount unmounted, in order (a stacked or recursive bind
 *     counts once per mount)
 * @param removed the paths kvmount removed: mount points, the share directory, its records
 */
public record ReleaseResult(Path shareDir, List<String> unmounted, List<Path> removed) {

  /** Copies the lists. */
  public ReleaseResult {
    unmounted = List.copyOf(unmounted);
    removed = List.copyOf(removed);
  }

  /**
   * Whether there was nothing to release (no share directory and no records).
   *
   * @return true when release changed nothing
   */
  public boolean nothingToDo() {
    return unmounted.isEmpty() && removed.isEmpty();
  }
}
