package io.kvmount.plan;

/**
 * The two appc volume kinds, as the plan carries them: where a mounted volume's files live.
 *
 * <p>The appc schema (spec/schema/types/volume.go) names them {@code "host"} and {@code "empty"};
 * {@link #id()} gives that text for output.
 */
public enum VolumeKind {
  /** A host directory shared into the guest under a mount tag, mounted at {@code /mnt/<volume>}. */
  HOST("host"),
  /** A directory {@code /mnt/<volume>} in the stage1 rootfs with the manifest's mode and owner. */
  EMPTY("empty");

  private final String id;

  VolumeKind(String id) {
    this.id = id;
  }

  /**
   * Returns the appc name of the kind, as the text report and JSON print it.
   *
   * @return {@code host} or {@code empty}
   */
  public String id() {
    return id;
  }
}
