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
 */
public record PodManifest(String acVersion, List<RuntimeApp> apps, List<Volume> volumes) {

  /**
   * Copies the lists.
   *
   * @param acVersion the appc version the manifest declares (SemVer text such as {@code "0.8.11"}), or {@code ""} if the manifest has none
   * @param apps the apps in manifest order
   * @param volumes the pod volumes in manifest order
   * @throws NullPointerException if a component or element is null
   */
  public PodManifest {
    Objects.requireNonNull(acVersion, "acVersion");
    apps = List.copyOf(apps);
    volumes = List.copyOf(volumes);
  }
}
