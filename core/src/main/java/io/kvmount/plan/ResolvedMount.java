package io.kvmount.plan;

import io.kvmount.path.GuestPath;

/**
 * One volume mounted into one app, after the appc rules were applied.
 *
 * @param app the app name
 * @param volume the volume name
 * @param kind {@code "host"} or {@code "empty"}
 * @param source the host directory of a host volume, or {@code null} for an empty volume
 * @param path the mount path inside the app rootfs as the manifest gave it, normalised
 * @param target the absolute path in the guest where it is mounted ({@code Where=}), resolved
 *     against symlinks in the app rootfs
 * @param readOnly whether the app sees the volume read-only
 * @param unit the bind mount unit's file name
 * @param origin where in the manifest the mount came from ({@code apps[0].mounts[1]} or {@code
 *     apps[0].app.mountPoints[0]})
 */
public record ResolvedMount(
    String app,
    String volume,
    String kind,
    String source,
    GuestPath path,
    GuestPath target,
    boolean readOnly,
    String unit,
    String origin) {}
