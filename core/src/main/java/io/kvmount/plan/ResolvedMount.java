package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import io.kvmount.systemd.UnitName;
import java.util.List;
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
 * @param path the mount path inside the app rootfs as the manifest gave it, normalised (relative
 *     paths read from {@code /}); a path with {@code ..} is where it resolved to in the app
 * @param target the absolute path in the guest where it is mounted ({@code Where=}), resolved
 *     against symlinks in the app rootfs
 * @param readOnly whether the app sees the volume read-only
 * @param unit the bind mount unit's name (its file name in the units directory)
 * @param origin where in the manifest the mount came from ({@code apps[0].mounts[1]} or {@code
 *     apps[0].app.mountPoints[0]}; for a bundle {@code <bundle>/config.json: mounts[1]})
 * @param options mount options the unit carries besides {@code bind} and {@code ro}, in order
 *     ({@code nosuid}, {@code size=64m}); empty for appc volumes
 * @param fsType the filesystem type of a {@link VolumeKind#FILESYSTEM} mount ({@code tmpfs}),
 *     whose {@code source} is then the {@code What=} word; empty for every other kind
 * @param copyUpFrom for a tmpfs with OCI's {@code tmpcopyup}: the guest directory that shows what
 *     the tmpfs covers (the same directory seen through its share), copied into the tmpfs after it
 *     is mounted and before anything is mounted below it; empty otherwise
 * @param note how the path was read, one line, when the manifest wrote it otherwise than its
 *     cleaned form says (relative, or with {@code ..}): the path as written and where in the app
 *     it resolved to; empty otherwise
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
    String origin,
    List<String> options,
    Optional<String> fsType,
    Optional<GuestPath> copyUpFrom,
    Optional<String> note) {

  /**
   * A mount without a note.
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
   * @param options extra mount options, in order
   * @param fsType the filesystem type of a {@link VolumeKind#FILESYSTEM} mount
   * @param copyUpFrom the directory copied into a tmpfs after mounting, if any
   * @throws IllegalArgumentException as the canonical constructor
   */
  public ResolvedMount(
      String app,
      String volume,
      VolumeKind kind,
      Optional<String> source,
      GuestPath path,
      GuestPath target,
      boolean readOnly,
      UnitName unit,
      String origin,
      List<String> options,
      Optional<String> fsType,
      Optional<GuestPath> copyUpFrom) {
    this(app, volume, kind, source, path, target, readOnly, unit, origin, options, fsType, copyUpFrom,
        Optional.empty());
  }

  /**
   * A mount without extra options: an appc volume.
   *
   * @param app the app name
   * @param volume the volume name
   * @param kind the volume's kind ({@link VolumeKind#HOST} or {@link VolumeKind#EMPTY})
   * @param source the host directory of a host volume; empty for an empty volume
   * @param path the mount path inside the app rootfs
   * @param target the mount point in the guest
   * @param readOnly whether the app sees the volume read-only
   * @param unit the bind mount unit's name
   * @param origin the manifest field the mount came from
   * @throws IllegalArgumentException as the canonical constructor
   */
  public ResolvedMount(
      String app,
      String volume,
      VolumeKind kind,
      Optional<String> source,
      GuestPath path,
      GuestPath target,
      boolean readOnly,
      UnitName unit,
      String origin) {
    this(app, volume, kind, source, path, target, readOnly, unit, origin, List.of(), Optional.empty(), Optional.empty(),
        Optional.empty());
  }

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
   * @param options extra mount options, in order
   * @param fsType the filesystem type of a {@link VolumeKind#FILESYSTEM} mount
   * @param copyUpFrom the directory copied into a tmpfs after mounting, if any
   * @param note how the path was read, when written otherwise than its cleaned form
   * @throws IllegalArgumentException if a host volume has no source, an empty volume has one, or
   *     a filesystem mount has no source or type (or another kind has a type)
   */
  public ResolvedMount {
    boolean needsSource = Objects.requireNonNull(kind, "kind") != VolumeKind.EMPTY;
    if (source.isPresent() != needsSource) {
      throw new IllegalArgumentException(
          "volume \"" + volume + "\": " + (source.isPresent() ? "an empty volume has no source" : "a " + kind.id() + " mount needs a source"));
    }
    if (fsType.isPresent() != (kind == VolumeKind.FILESYSTEM)) {
      throw new IllegalArgumentException("volume \"" + volume + "\": only a filesystem mount has a type");
    }
    options = List.copyOf(options);
    if (copyUpFrom.isPresent() && !fsType.equals(Optional.of("tmpfs"))) {
      throw new IllegalArgumentException("volume \"" + volume + "\": only a tmpfs is copied up");
    }
  }
}
