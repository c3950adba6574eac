package io.kvmount.plan;

/**
 * Where a mount's files live, as the plan carries it: the two appc volume kinds, and the guest's
 * own filesystems an OCI bundle asks for.
 *
 * <p>The appc schema (spec/schema/types/volume.go) names its kinds {@code "host"} and {@code
 * "empty"}; {@link #id()} gives that text for output.
 */
public enum VolumeKind {
  /** A host directory shared into the guest under a mount tag, mounted at {@code /mnt/<volume>}. */
  HOST("host"),
  /** A directory {@code /mnt/<volume>} in the stage1 rootfs with the manifest's mode and owner. */
  EMPTY("empty"),
  /**
   * A filesystem of its own type made in the guest ({@code tmpfs}, {@code proc}, {@code sysfs}...,
   * from an OCI bundle): nothing is shared and nothing written to the stage1 rootfs.
   */
  FILESYSTEM("filesystem");

  private final String id;

  VolumeKind(String id) {
    this.id = id;
  }

  /**
   * Returns the name of the kind, as the text report and JSON print it.
   *
   * @return {@code host}, {@code empty} or {@code filesystem}
   */
  public String id() {
    return id;
  }
}
