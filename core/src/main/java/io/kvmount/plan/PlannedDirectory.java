package io.kvmount.plan;

import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;

/**
 * A directory kvmount creates inside the stage1 rootfs. Immutable and thread-safe.
 *
 * @param path the directory as the guest sees it, which is its place in the stage1 rootfs (for
 *     example {@code /mnt/buildoutput} or {@code /opt/stage2/web/rootfs/var/data}); already
 *     resolved, so it contains no symlink that existed when planning
 * @param mode permission bits applied exactly, whatever the umask
 * @param uid owner user id
 * @param gid owner group id
 * @param managed true if kvmount owns this directory's mode and owner (empty volumes: they are
 *     re-applied on every run); false for mount points, which are created with {@code mode},
 *     {@code uid} and {@code gid} only when missing and otherwise left as they are
 */
public record PlannedDirectory(GuestPath path, FileMode mode, long uid, long gid, boolean managed) {}
