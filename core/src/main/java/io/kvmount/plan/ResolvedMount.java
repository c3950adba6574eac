package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import io.kvmount.systemd.UnitName;
import java.util.Objects;
import java.util.Optional;

/**
 * One volume mounted into one app, after the appc rules were applied. Immutable and thread-safe.
 *
 * @param app the app name
 * @param volume the volume name
 * @param kind the volume's kind
 * @param source the host directory of a host volume, as the manifest gives it; empty for an empty
 *     volume
 * @param path the mount path inside the app rootfs as the manifest gave it, normalised
 * @param target the absolute path in the guest where it is mounted ({@code Where=}), resolved
 *     against symlinks in the app rootfs
 * @param readOnly whether the app sees the volume read-only
 * @param unit the bind mount unit's name (its file name in the units directory)
 * @param origin where in the manifest the mount came from ({@code apps[0].mounts[1]} or {@code
 *     apps[0].app.mountPoints[0]})
 */
public record ResolvedMount(
    String app,
    String volume,
    VolumeKind kind,
    Optional<String> source,
    GuestPath path,
    GuestPath target,
    boolean readOnly,
    UnitName unit,
    String origin) {

  /**
   * Checks that the source matches the kind.
   *
   * @param app the app name
   * @param volume the volume name
   * @param kind the volume's kind
   * @param source the host directory of a host volume; empty for an empty volume
   * @param path the mount path inside the app rootfs
   * @param target the mount point in the guest
   * @param readOnly whether the app sees the volume read-only
   * @param unit the bind mount unit's name
   * @param origin the manifest field the mount came from
   * @throws IllegalArgumentException if a host volume has no source or an empty volume has one
   */
  public ResolvedMount {
    if (source.isPresent() != (Objects.requireNonNull(kind, "kind") == VolumeKind.HOST)) {
      throw new IllegalArgumentException(
          "volume \"" + volume + "\": " + (source.isPresent() ? "an empty volume has no source" : "a host volume needs a source"));
    }
  }
}
