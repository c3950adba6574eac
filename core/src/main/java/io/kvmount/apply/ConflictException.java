package io.kvmount.apply;

import java.io.IOException;
import java.util.List;

/**
 * Applying a plan would overwrite or remove files kvmount must not change: files at planned paths
 * that it did not write, or files it wrote that were changed since. Every conflict of the tree is
 * named at once; nothing has been written. The user resolves it (moves the files away, or takes
 * kvmount's version with {@link ApplyOptions#force()}, which keeps a backup), so the command line
 * maps it to exit code 3.
 *
 * <p>An {@link IOException}, as the tree refusals before it were, so that callers that catch
 * those keep working.
 */
public final class ConflictException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The conflicting paths, relative to the stage1 rootfs, in the order found. */
  private final List<String> paths;

  /**
   * Creates the exception.
   *
   * @param message one line naming every conflict
   * @param paths the conflicting paths, relative to the stage1 rootfs
   */
  public ConflictException(String message, List<String> paths) {
    super(message);
    this.paths = List.copyOf(paths);
  }

  /**
   * The conflicting paths.
   *
   * @return the paths relative to the stage1 rootfs, in the order found (plan order, then stale
   *     files sorted)
   */
  public List<String> paths() {
    return paths;
  }
}
