package io.kvmount.sealed;

import io.kvmount.plan.Route;
import java.util.List;

/**
 * A plan's mounts for a sealed image: the fstab entries, in the order the unit files would be
 * written (shares, empty volumes, then each app's mounts, parents first), and what the image must
 * contain. Immutable and thread-safe.
 *
 * @param route {@link Route#CREDENTIALS} or {@link Route#CMDLINE}
 * @param entries the mounts
 * @param imageMustContain the mount points (not below another of the pod's mounts) and the app
 *     services, in plan order
 */
public record SealedPlan(Route route, List<FstabEntry> entries, List<ImageEntry> imageMustContain) {

  /**
   * Copies the lists.
   *
   * @param route the sealed route
   * @param entries the mounts
   * @param imageMustContain what the image must contain
   */
  public SealedPlan {
    entries = List.copyOf(entries);
    imageMustContain = List.copyOf(imageMustContain);
  }
}
