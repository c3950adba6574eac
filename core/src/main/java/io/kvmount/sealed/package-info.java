/**
 * Mounts for guests that boot from a sealed image, which kvmount may not write: the plan's mounts
 * as fstab lines that systemd-fstab-generator (systemd 254 or newer) reads from outside the image,
 * either from the {@code fstab.extra} credential or from {@code systemd.mount-extra=} words on the
 * kernel command line, and the check that the image holds every mount point they need.
 *
 * <p>{@link io.kvmount.sealed.SealedPlanner} turns a {@link io.kvmount.plan.Plan} into a {@link
 * io.kvmount.sealed.SealedPlan} (analysis); {@link io.kvmount.sealed.Fstab} and {@link
 * io.kvmount.sealed.MountExtra} render it, each with its own escaping; {@link
 * io.kvmount.sealed.ImageCheck} reads the image. Nothing here writes.
 */
package io.kvmount.sealed;
