package io.kvmount.manifest;

import java.util.List;
import java.util.Objects;

/**
 * An appc image manifest ({@code "acKind": "ImageManifest"}), reduced to its name and the mount
 * points its app declares.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the image name, an appc AC Identifier such as {@code "example.com/reduce-worker"}
 * @param mountPoints the {@code app.mountPoints} in manifest order; empty if the image has no
 *     {@code app} or declares none
 */
public record ImageManifest(String name, List<MountPoint> mountPoints) {

  /**
   * Copies the list.
   *
   * @param name the image name, an appc AC Identifier such as {@code "example.com/reduce-worker"}
   * @param mountPoints the {@code app.mountPoints} in manifest order; empty if the image has no {@code app} or declares none
   * @throws NullPointerException if a component or element is null
   */
  public ImageManifest {
    Objects.requireNonNull(name, "name");
    mountPoints = List.copyOf(mountPoints);
  }
}
