package io.kvmount.plan;

import io.kvmount.systemd.UnitName;

/**
 * A host directory shared into the guest under a mount tag: one per {@code host} volume.
 * Immutable and thread-safe.
 *
 * @param volume the appc volume name
 * @param tag the mount tag; the hypervisor argument and the share unit's {@code What=} both use
 *     exactly this value. ASCII, unique in the pod, within the backend's byte limit
 * @param source the absolute host directory, as the manifest gives it
 * @param readOnly true if every mount of the volume is read-only (then the device itself is
 *     read-only too)
 * @param unit the share unit that mounts the tag at {@code /mnt/<volume>} ({@code mnt-data.mount})
 */
public record Share(String volume, String tag, String source, boolean readOnly, UnitName unit) {}
