package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.util.Objects;

/**
 * An empty regular file kvmount creates in the stage1 rootfs as the mount point of a single-file
 * volume, when the app rootfs has nothing at that path. An existing regular file there is used as
 * it is (never truncated or re-owned). Immutable and thread-safe.
 *
 * <p>A bind mount of a file needs a file to mount on, as {@code mount(2)} requires for {@code
 * MS_BIND} of a non-directory; its parent directories come from the plan's directories.
 *
 * @param path the mount point as the guest sees it ({@code /opt/stage2/web/rootfs/etc/hosts}),
 *     already resolved against symlinks in the app rootfs
 */
public record PlannedFileMountPoint(GuestPath path) {

  /** Mode of a created mount point file: {@code 0644}. */
  public static final int MODE = 0644;

  /**
   * Checks the path.
   *
   * @param path the mount point as the guest sees it
   * @throws IllegalArgumentException if the path is the root
   */
  public PlannedFileMountPoint {
    if (Objects.requireNonNull(path, "path").isRoot()) {
      throw new IllegalArgumentException("a file mount point cannot be /");
    }
  }
}
