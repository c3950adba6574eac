package io.kvmount.manifest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One app of a pod ({@code apps[]} of a pod manifest), reduced to what volumes need.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the app's name, unique within the pod (also the name of its {@code .service})
 * @param mountPoints the mount points of the pod entry's own {@code app} section, in manifest
 *     order; empty {@code Optional} when the entry has no {@code app} section (the runtime then
 *     uses the image manifest's app, as rkt's stage1 does), a present empty list when the section
 *     declares none
 * @param mounts the pod-level mounts of this app, in manifest order (they come first, appc/rkt
 *     {@code GenerateMounts})
 */
public record RuntimeApp(AcName name, Optional<List<MountPoint>> mountPoints, List<Mount> mounts) {

  /**
   * Copies the lists.
   *
   * @param name the app's name, unique within the pod (also the name of its {@code .service})
   * @param mountPoints the mount points of the pod entry's own {@code app} section, in manifest order; empty {@code Optional} when the entry has no {@code app} section (the runtime then uses the image manifest's app, as rkt's stage1 does), a present empty list when the section declares none
   * @param mounts the pod-level mounts of this app, in manifest order (they come first, appc/rkt {@code GenerateMounts})
   * @throws NullPointerException if a component or element is null
   */
  public RuntimeApp {
    Objects.requireNonNull(name, "name");
    mountPoints =
        mountPoints.isPresent() ? Optional.of(List.copyOf(mountPoints.get())) : Optional.empty();
    mounts = List.copyOf(mounts);
  }
}
