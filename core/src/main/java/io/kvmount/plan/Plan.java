package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code kvmount generate} will do for one pod, as plain data: the host directories
 * shared into the guest, the unit files and directories to write into the stage1 rootfs, what
 * each unit is and requires, and the warnings found while planning. Nothing here has touched a
 * disk; {@code io.kvmount.apply} writes it and {@code io.kvmount.hypervisor} turns {@link
 * #shares()} into arguments.
 *
 * <p>Output is deterministic: the same manifest and options give an equal plan. Immutable and
 * thread-safe.
 *
 * @param shares host volumes shared into the guest, in manifest order
 * @param unitsDir where unit files go in the guest, which is their place in the stage1 rootfs
 *     (normally {@code /usr/lib/systemd/system})
 * @param files unit files and drop-ins, paths relative to {@link #unitsDir()}, in write order
 * @param units for each of {@link #files()}, in the same order, the unit it defines or extends and
 *     the units it requires: the edges of the guest's unit graph that kvmount adds
 * @param directories directories to create in the guest (the stage1 rootfs), parents first
 * @param mounts the resolved app mounts the units implement, per app in manifest order
 * @param warnings human-readable warnings (one line each), in the order found
 * @param hostMountPoints directories that must already exist inside host volumes because a nested
 *     mount point lies inside a read-only mount of that volume, where nothing can create it
 * @param fileMountPoints empty files to create as the mount points of single-file volumes, in
 *     manifest order
 * @param podShare the pod share and its host binds with {@code --share pod}; empty with one share
 *     per volume
 * @param hostMountPointsToCreate mount points kvmount creates on the host inside OCI bundles'
 *     rootfs and bind sources, in input order; empty for appc pods
 * @param copies empty volumes that start as a copy of what their app's Docker image holds where
 *     they are mounted, in manifest order; each one's directory is also in {@link #directories()}
 *     (managed, with the image directory's mode and owner)
 */
public record Plan(
    List<Share> shares,
    GuestPath unitsDir,
    List<PlannedFile> files,
    List<PlannedUnit> units,
    List<PlannedDirectory> directories,
    List<ResolvedMount> mounts,
    List<String> warnings,
    List<HostMountPoint> hostMountPoints,
    List<PlannedFileMountPoint> fileMountPoints,
    Optional<PodShare> podShare,
    List<PlannedHostMountPoint> hostMountPointsToCreate,
    List<PlannedCopy> copies) {

  /**
   * A directory that must exist in a host volume's source before the pod starts.
   *
   * @param volume the volume name
   * @param path the absolute host path ({@code <source>/<relative path>})
   * @param origin the manifest field of the nested mount that needs it
   * @param reason one line saying why it must exist
   */
  public record HostMountPoint(String volume, String path, String origin, String reason) {}

  /**
   * Copies every list.
   *
   * @param shares host volumes shared into the guest, in manifest order
   * @param unitsDir where unit files go in the guest (normally {@code /usr/lib/systemd/system})
   * @param files unit files and drop-ins, paths relative to {@link #unitsDir()}, in write order
   * @param units for each file, in the same order, the unit it defines or extends and what it requires
   * @param directories directories to create in the guest, parents first
   * @param mounts the resolved app mounts the units implement, per app in manifest order
   * @param warnings human-readable warnings (one line each), in the order found
   * @param hostMountPoints directories that must already exist inside host volumes because a nested mount point lies inside a read-only mount of that volume, where nothing can create it
   * @param fileMountPoints empty files to create as the mount points of single-file volumes
   * @param podShare the pod share with {@code --share pod}; empty with one share per volume
   * @param hostMountPointsToCreate mount points kvmount creates on the host inside OCI bundles
   * @param copies empty volumes that start as a copy of what their app's image holds
   */
  public Plan {
    copies = List.copyOf(copies);
    hostMountPointsToCreate = List.copyOf(hostMountPointsToCreate);
    hostMountPoints = List.copyOf(hostMountPoints);
    fileMountPoints = List.copyOf(fileMountPoints);
    java.util.Objects.requireNonNull(podShare, "podShare");
    shares = List.copyOf(shares);
    files = List.copyOf(files);
    units = List.copyOf(units);
    directories = List.copyOf(directories);
    mounts = List.copyOf(mounts);
    warnings = List.copyOf(warnings);
  }

  /**
   * Creates a plan of files and directories alone, with no unit structure, no host or file mount
   * points and no pod share: what a plan built by hand for the writer holds, which reads only files and
   * directories.
   *
   * @param shares host volumes shared into the guest
   * @param unitsDir the units directory
   * @param files unit files and drop-ins
   * @param directories directories to create
   * @param mounts the resolved app mounts
   * @param warnings warnings
   */
  public Plan(
      List<Share> shares,
      GuestPath unitsDir,
      List<PlannedFile> files,
      List<PlannedDirectory> directories,
      List<ResolvedMount> mounts,
      List<String> warnings) {
    this(shares, unitsDir, files, List.of(), directories, mounts, warnings, List.of(), List.of(), Optional.empty(),
        List.of(), List.of());
  }

  /**
   * Creates a plan in which no volume starts as a copy of an image.
   *
   * @param shares host volumes shared into the guest, in manifest order
   * @param unitsDir where unit files go in the guest
   * @param files unit files and drop-ins, in write order
   * @param units for each file, in the same order, the unit it defines or extends and what it requires
   * @param directories directories to create in the guest, parents first
   * @param mounts the resolved app mounts
   * @param warnings warnings, in the order found
   * @param hostMountPoints directories that must already exist inside host volumes
   * @param fileMountPoints empty files to create as the mount points of single-file volumes
   * @param podShare the pod share with {@code --share pod}; empty with one share per volume
   * @param hostMountPointsToCreate mount points kvmount creates on the host inside OCI bundles
   */
  public Plan(
      List<Share> shares,
      GuestPath unitsDir,
      List<PlannedFile> files,
      List<PlannedUnit> units,
      List<PlannedDirectory> directories,
      List<ResolvedMount> mounts,
      List<String> warnings,
      List<HostMountPoint> hostMountPoints,
      List<PlannedFileMountPoint> fileMountPoints,
      Optional<PodShare> podShare,
      List<PlannedHostMountPoint> hostMountPointsToCreate) {
    this(shares, unitsDir, files, units, directories, mounts, warnings, hostMountPoints, fileMountPoints, podShare,
        hostMountPointsToCreate, List.of());
  }
}
