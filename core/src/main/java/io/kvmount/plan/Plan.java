package io.kvmount.plan;

import java.util.List;

/**
 * Everything {@code kvmount generate} will do for one pod, as plain data: the host directories
 * shared into the guest, the unit files and directories to write into the stage1 rootfs, and the
 * warnings found while planning. Nothing here has touched a disk; {@code io.kvmount.apply}
 * writes it and {@code io.kvmount.hypervisor} turns {@link #shares()} into arguments.
 *
 * <p>Output is deterministic: the same manifest and options give an equal plan. Immutable and
 * thread-safe.
 *
 * @param shares host volumes shared into the guest, in manifest order
 * @param unitsDir where unit files go, relative to the stage1 rootfs (normally {@code
 *     usr/lib/systemd/system})
 * @param files unit files and drop-ins, paths relative to {@link #unitsDir()}, in write order
 * @param directories directories to create, paths relative to the stage1 rootfs, parents first
 * @param mounts the resolved app mounts the units implement, per app in manifest order
 * @param warnings human-readable warnings (one line each), in the order found
 */
public record Plan(
    List<Share> shares,
    io.kvmount.path.GuestPath unitsDir,
    List<PlannedFile> files,
    List<PlannedDirectory> directories,
    List<ResolvedMount> mounts,
    List<String> warnings) {

  /** Copies every list. */
  public Plan {
    shares = List.copyOf(shares);
    files = List.copyOf(files);
    directories = List.copyOf(directories);
    mounts = List.copyOf(mounts);
    warnings = List.copyOf(warnings);
  }
}
