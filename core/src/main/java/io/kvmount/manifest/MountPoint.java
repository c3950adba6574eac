package io.kvmount.manifest;

import java.util.Objects;

/**
 * A mount point an app declares ({@code app.mountPoints[]} of an image manifest, or of a pod
 * manifest's {@code apps[].app}): a named place in the app rootfs where a volume of the same name
 * is mounted unless a pod-level {@link Mount} already covers that path.
 *
 * <p>Unlike appc, which does not check mount points when decoding JSON, the name and a path are
 * required: the path is non-empty and has no control character. It is kept as written (not
 * normalised): a relative path is read from the app's root and {@code ..} is resolved inside the
 * app rootfs when planning, as rkt does.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the mount point's name, matched against volume names
 * @param path path inside the app rootfs, such as {@code "/var/lib/db"}
 * @param readOnly whether the app wants the volume read-only (appc: a plain boolean, default false;
 *     a volume's own {@code readOnly}, when set, takes precedence)
 */
public record MountPoint(AcName name, String path, boolean readOnly) {

  /**
   * Checks the components.
   *
   * @param name the mount point's name, matched against volume names
   * @param path path inside the app rootfs, such as {@code "/var/lib/db"}
   * @param readOnly whether the app wants the volume read-only (appc: a plain boolean, default false; a volume's own {@code readOnly}, when set, takes precedence)
   * @throws IllegalArgumentException if the path is not acceptable (see the type's description)
   * @throws NullPointerException if a component is null
   */
  public MountPoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    String problem = Text.appPathProblem(path);
    if (problem != null) {
      throw new IllegalArgumentException("mount point path " + problem);
    }
  }
}
