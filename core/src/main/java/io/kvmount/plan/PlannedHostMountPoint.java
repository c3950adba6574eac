package io.kvmount.plan;

import io.kvmount.path.RelativePath;
import java.util.Objects;

/**
 * A mount point kvmount creates on the host, inside an OCI bundle's root filesystem or a bind
 * source directory, before sharing it: the guest mounts there, and a read-only share cannot get
 * it created from the guest. runc and crun create missing mount points in the rootfs the same way.
 * Only missing components are created (directories {@code 0755}, a file mount point as an empty
 * {@code 0644} file); nothing existing is changed. Immutable.
 *
 * @param root the host directory it lies in (the bundle's rootfs or the bind source), absolute
 * @param path the mount point below {@code root}, already resolved against symlinks there
 * @param file whether the mount point is a file (a single-file bind) rather than a directory
 * @param origin the input field of the mount that needs it ({@code <bundle>/config.json: mounts[3]})
 */
public record PlannedHostMountPoint(String root, RelativePath path, boolean file, String origin) {

  /**
   * Checks for nulls.
   *
   * @param root the host directory
   * @param path the mount point below it
   * @param file whether it is a file
   * @param origin the input field
   */
  public PlannedHostMountPoint {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(origin, "origin");
  }

  /**
   * The mount point's host path.
   *
   * @return {@code root/path}
   */
  public String hostPath() {
    return root.endsWith("/") ? root + path : root + "/" + path;
  }
}
