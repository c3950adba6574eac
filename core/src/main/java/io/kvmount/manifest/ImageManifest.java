package io.kvmount.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An appc image manifest ({@code "acKind": "ImageManifest"}), reduced to its name, the mount
 * points its app declares and its annotations.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the image name, an appc AC Identifier such as {@code "example.com/reduce-worker"}
 * @param mountPoints the {@code app.mountPoints} in manifest order; empty if the image has no
 *     {@code app} or declares none
 * @param annotations the image's {@code annotations}, name to value, in manifest order; empty if
 *     it has none
 */
public record ImageManifest(String name, List<MountPoint> mountPoints, Map<String, String> annotations) {

  /**
   * The annotation docker2aci puts on an image converted from a Docker image: its repository. An
   * image with it gets Docker's volume rule ({@link #dockerRepository()}).
   */
  public static final String DOCKER_REPOSITORY = "appc.io/docker/repository";

  /**
   * Copies the list and the map.
   *
   * @param name the image name, an appc AC Identifier such as {@code "example.com/reduce-worker"}
   * @param mountPoints the {@code app.mountPoints} in manifest order; empty if the image has no {@code app} or declares none
   * @param annotations the image's annotations, name to value, in manifest order
   * @throws NullPointerException if a component, element, key or value is null
   */
  public ImageManifest {
    Objects.requireNonNull(name, "name");
    mountPoints = List.copyOf(mountPoints);
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      Objects.requireNonNull(e.getKey(), "annotation name");
      Objects.requireNonNull(e.getValue(), "annotation value");
    }
    annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
  }

  /**
   * An image manifest without annotations.
   *
   * @param name the image name, an appc AC Identifier
   * @param mountPoints the {@code app.mountPoints} in manifest order
   * @throws NullPointerException if a component or element is null
   */
  public ImageManifest(String name, List<MountPoint> mountPoints) {
    this(name, mountPoints, Map.of());
  }

  /**
   * The Docker repository the image was converted from: the value of its {@value
   * #DOCKER_REPOSITORY} annotation. When present, an app mount point that gets no volume from the
   * pod starts as a copy of what the image holds at that path (Docker's volume rule, as rkt
   * applies it), instead of empty.
   *
   * @return the repository, such as {@code "library/postgres"}; empty for an appc-native image
   */
  public Optional<String> dockerRepository() {
    return Optional.ofNullable(annotations.get(DOCKER_REPOSITORY));
  }
}
