package io.kvmount.manifest;

import java.util.List;
import java.util.Objects;

/**
 * An appc pod manifest ({@code "acKind": "PodManifest"}), reduced to what volumes need: the apps
 * with their mount points and mounts, and the pod's volumes.
 *
 * <p>Values read by {@link ManifestReader#readPod} also satisfy the cross-checks: app names and
 * volume names are unique, and every mount without {@code appVolume} names a declared volume. The
 * constructor itself only copies the lists.
 *
 * <p>Immutable and thread-safe.
 *
 * @param acVersion the appc version the manifest declares (SemVer text such as {@code "0.8.11"}),
 *     or {@code ""} if the manifest has none
 * @param apps the apps in manifest order
 * @param volumes the pod volumes in manifest order
 * @param source where the manifest was read from (the file name given to {@link
 *     ManifestReader#readPod}), named first in messages about its fields ({@code pod.json:
 *     volumes[1].source: ...}); {@code ""} for a manifest built in code
 */
public record PodManifest(String acVersion, List<RuntimeApp> apps, List<Volume> volumes, String source) {

  /**
   * A manifest built in code, with no file to name in messages.
   *
   * @param acVersion the appc version the manifest declares, or {@code ""}
   * @param apps the apps in manifest order
   * @param volumes the pod volumes in manifest order
   */
  public PodManifest(String acVersion, List<RuntimeApp> apps, List<Volume> volumes) {
    this(acVersion, apps, volumes, "");
  }

  /**
   * Equal content: the same version, apps and volumes, wherever the manifests were read from
   * ({@link #source()} only names the place in messages).
   *
   * @param o another object
   * @return whether {@code o} is a pod manifest with equal version, apps and volumes
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof PodManifest && acVersion.equals(((PodManifest) o).acVersion)
        && apps.equals(((PodManifest) o).apps) && volumes.equals(((PodManifest) o).volumes);
  }

  /**
   * A hash of the content, consistent with {@link #equals}.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Objects.hash(acVersion, apps, volumes);
  }

  /**
   * {@code field} as messages name it: {@code "<source>: <field>"}, or the field alone when the
   * manifest has no source.
   *
   * @param field a field path ({@code volumes[1].source})
   * @return the place
   */
  public String place(String field) {
    return source.isEmpty() ? field : source + ": " + field;
  }

  /**
   * Copies the lists.
   *
   * @param acVersion the appc version the manifest declares (SemVer text such as {@code "0.8.11"}), or {@code ""} if the manifest has none
   * @param apps the apps in manifest order
   * @param volumes the pod volumes in manifest order
   * @param source where the manifest was read from, or {@code ""}
   * @throws NullPointerException if a component or element is null
   */
  public PodManifest {
    Objects.requireNonNull(acVersion, "acVersion");
    Objects.requireNonNull(source, "source");
    apps = List.copyOf(apps);
    volumes = List.copyOf(volumes);
  }
}
