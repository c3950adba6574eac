package io.kvmount.manifest;

import java.util.Objects;
import java.util.Optional;

/**
 * A pod-level mount ({@code apps[].mounts[]} of a pod manifest): mounts a volume at a path inside
 * one app's rootfs. Pod-level mounts take precedence over the app's mount points with the same
 * path.
 *
 * <p>Since appc v0.8.8 a mount may carry its own volume definition ({@code appVolume}) instead of
 * naming a pod volume; then {@link #volume()} is that volume's name. The reader checks that a mount
 * without {@code appVolume} names a volume declared in the pod's {@code volumes}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param volume the name of the mounted volume (a pod volume, or {@code appVolume}'s name)
 * @param path path inside the app rootfs, such as {@code "/var/lib/db"}: non-empty, no control
 *     character, kept as written (not normalised); a relative path is read from the app's root and
 *     {@code ..} is resolved inside the app rootfs when planning
 * @param appVolume the inline volume definition (appc v0.8.8 {@code appVolume}), if any
 */
public record Mount(AcName volume, String path, Optional<Volume> appVolume) {

  /**
   * Checks the components.
   *
   * @param volume the name of the mounted volume (a pod volume, or {@code appVolume}'s name)
   * @param path path inside the app rootfs, such as {@code "/var/lib/db"}: non-empty, no control character, kept as written (not normalised)
   * @param appVolume the inline volume definition (appc v0.8.8 {@code appVolume}), if any
   * @throws IllegalArgumentException if the path is not acceptable or {@code volume} differs from
   *     {@code appVolume}'s name
   * @throws NullPointerException if a component is null
   */
  public Mount {
    Objects.requireNonNull(volume, "volume");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(appVolume, "appVolume");
    String problem = Text.appPathProblem(path);
    if (problem != null) {
      throw new IllegalArgumentException("mount path " + problem);
    }
    if (appVolume.isPresent() && !appVolume.get().name().value().equals(volume.value())) {
      throw new IllegalArgumentException(
          "mount volume "
              + Text.quote(volume.value())
              + " differs from its appVolume's name "
              + Text.quote(appVolume.get().name().value()));
    }
  }

  /**
   * Creates a mount of a pod volume.
   *
   * @param volume the pod volume's name
   * @param path path inside the app rootfs
   * @return the mount, without {@code appVolume}
   */
  public static Mount of(AcName volume, String path) {
    return new Mount(volume, path, Optional.empty());
  }
}
