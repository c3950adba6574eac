package io.kvmount.plan;

import io.kvmount.path.GuestPath;

/**
 * How the plan's mounts reach the guest's systemd ({@code --emit}).
 *
 * <p>{@link #UNITS} writes unit files into the stage1 rootfs and mounts shares and empty volumes
 * under {@code /mnt}. The two sealed-image routes write nothing into the stage1 rootfs: the same
 * mounts go to systemd-fstab-generator from outside the image (systemd 254 or newer), and shares
 * and empty volumes are mounted under {@code /run/kvmount}, which is writable in every guest.
 */
public enum Route {
  /** Unit files and drop-ins in the stage1 rootfs (the default). */
  UNITS("units", GuestPath.parse("/mnt")),
  /** An {@code fstab.extra} credential handed over by the hypervisor (SMBIOS type 11). */
  CREDENTIALS("credentials", GuestPath.parse("/run/kvmount")),
  /** {@code systemd.mount-extra=} words for the kernel command line. */
  CMDLINE("cmdline", GuestPath.parse("/run/kvmount"));

  private final String id;
  private final GuestPath mountRoot;

  Route(String id, GuestPath mountRoot) {
    this.id = id;
    this.mountRoot = mountRoot;
  }

  /**
   * Returns the name used by {@code --emit}.
   *
   * @return {@code units}, {@code credentials} or {@code cmdline}
   */
  public String id() {
    return id;
  }

  /**
   * Returns where shares and empty volumes are mounted in the guest: {@code /mnt} for unit files,
   * {@code /run/kvmount} for a sealed image (which has no writable directory of its own).
   *
   * @return the guest directory holding {@code <volume>} mount points
   */
  public GuestPath mountRoot() {
    return mountRoot;
  }

  /**
   * Returns whether the route leaves the stage1 rootfs untouched.
   *
   * @return true for {@link #CREDENTIALS} and {@link #CMDLINE}
   */
  public boolean sealed() {
    return this != UNITS;
  }

  /**
   * Finds a route by its {@code --emit} name.
   *
   * @param id the name
   * @return the route
   * @throws IllegalArgumentException if no route has that name
   */
  public static Route byId(String id) {
    for (Route r : values()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException("--emit must be one of units, credentials, cmdline, not \"" + id + "\"");
  }
}
