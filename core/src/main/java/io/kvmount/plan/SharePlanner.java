package io.kvmount.plan;

import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import io.kvmount.systemd.Quote;
import io.kvmount.systemd.UnitName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plans how a pod's host volumes reach the guest, whichever reader they came from: with one share
 * per volume, a mount tag, a share unit at {@code /mnt/<volume>} and its directory each; with the
 * pod share, an entry in the share directory each and one share unit at {@link PodShare#GUEST_PATH}.
 * Adds to the lists it is given, in the order the volumes are added. Not thread-safe; one per plan.
 */
final class SharePlanner {

  private final PlanOptions options;
  private final boolean podShare;
  private final Map<String, String> tags;
  private final Map<String, String> entryNames;
  private final List<PodShare.Entry> podEntries = new ArrayList<>();
  private final List<Share> shares;
  private final List<PlannedFile> files;
  private final List<PlannedUnit> units;
  private final List<PlannedDirectory> dirs;

  /** Each host volume's share unit (the pod share's unit for every volume in it). */
  final Map<String, UnitName> shareUnits = new LinkedHashMap<>();

  /** Each volume's guest path as text: {@code /mnt/<volume>}, or its entry in the pod share. */
  final Map<String, String> mntPaths = new HashMap<>();

  /** Each host volume's source, wrapped once: every mount of the volume shares the Optional. */
  final Map<String, Optional<String>> sources = new HashMap<>();

  /** The host volumes that are single files. */
  final Set<String> fileVolumes = new HashSet<>();

  /**
   * Starts a plan of shares.
   *
   * @param hostNames every host volume's name, in the order they will be added (tags and entry
   *     names are assigned over all of them at once)
   * @param options the plan options (transport, strategy, tag limit, reserved tags)
   * @param shares where shares go
   * @param files where share units go
   * @param units where the share units' graph entries go
   * @param dirs where the share mount points go
   * @throws PlanException if the tags cannot be assigned
   */
  SharePlanner(
      List<String> hostNames,
      PlanOptions options,
      List<Share> shares,
      List<PlannedFile> files,
      List<PlannedUnit> units,
      List<PlannedDirectory> dirs)
      throws PlanException {
    this.options = options;
    this.podShare = options.share() == ShareStrategy.POD;
    this.tags = podShare ? Map.of() : MountTag.assign(hostNames, options.maxTagBytes(), options.reservedTags());
    this.entryNames = podShare ? MountTag.assign(hostNames, PodShare.MAX_ENTRY_BYTES, Set.of()) : Map.of();
    this.shares = shares;
    this.files = files;
    this.units = units;
    this.dirs = dirs;
  }

  /**
   * Returns {@code <root>/<name>} ({@code /mnt/<name>} for unit files) after checking that the name
   * fits one path component.
   *
   * @param root where the route mounts volumes ({@link Route#mountRoot()})
   * @param name a volume name
   * @return its mount point in the guest
   * @throws PlanException if the name is longer than a path component allows
   */
  static GuestPath mntPath(GuestPath root, String name) throws PlanException {
    int nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (nameBytes > GuestPath.MAX_COMPONENT_BYTES) {
      throw new PlanException("volume \"" + name.substring(0, 40) + "...\": name is " + nameBytes
          + " bytes, but " + root + "/<volume> allows at most " + GuestPath.MAX_COMPONENT_BYTES);
    }
    return root.resolve(name);
  }

  /**
   * Adds one host volume.
   *
   * @param name the volume name (one of the names given to the constructor)
   * @param source the host path, as the input gives it
   * @param readOnly whether the share may be read-only (every use of it is)
   * @param file whether the source is a single file
   * @param recursive whether mounts below the source belong to it
   * @param subject how messages name the volume ({@code volume "data"})
   * @param origin where the input gives the source, for messages about it on the host ({@code
   *     pod.json: volumes[1].source})
   * @throws PlanException if one share per volume cannot carry it (a single file, or not
   *     recursive), naming {@code subject}
   */
  void add(String name, String source, boolean readOnly, boolean file, boolean recursive, String subject,
      String origin) throws PlanException {
    GuestPath where = mntPath(options.route().mountRoot(), name);
    mntPaths.put(name, where.toString());
    sources.put(name, Optional.of(source));
    if (file) {
      fileVolumes.add(name);
    }
    if (podShare) {
      String entry = entryNames.get(name);
      // An appc volume is named by the user; an OCI volume's name is made up, so messages add where it came from.
      podEntries.add(new PodShare.Entry(name, entry, source, file, readOnly, recursive,
          subject.startsWith("volume ") ? name : name + " (" + subject + ")", origin));
      mntPaths.put(name, PodShare.guestPath(options.route()).resolve(entry).toString());
      return;
    }
    if (file) {
      // An appc volume's source is a field of its own; an OCI mount is named by its place already.
      String place = subject + ": host source " + Quote.of(source);
      if (subject.startsWith("volume ") && !origin.startsWith("volume ")) {
        place = origin + ": " + Quote.of(source);
      }
      throw new PlanException(place + " is a single file, but one share per volume (--share per-volume) exports"
          + " directories only (9p and virtio-fs share a directory); use --share pod --share-dir DIR, which bind-mounts single files");
    }
    if (!recursive) {
      // An OCI mount is named by its place in config.json only: name its source too, as for a file.
      throw new PlanException(subject + ": " + (subject.startsWith("volume ") ? "\"recursive\": false"
          : "a non-recursive \"bind\" of host directory \"" + source + "\"")
          + " cannot be honoured with one share"
          + " per volume (--share per-volume): 9p and virtio-fs export every mount below the source; use"
          + " --share pod --share-dir DIR, which binds the source non-recursively");
    }
    String tag = tags.get(name);
    UnitName unit = Planner.unitName(where, subject);
    shares.add(new Share(name, tag, source, readOnly, unit, origin));
    shareUnits.put(name, unit);
    RelativePath unitFile = RelativePath.of(unit.value());
    MountSpec spec = Planner.shareSpec(tag, where, readOnly, options);
    files.add(new PlannedFile(unitFile, Planner.shareUnit("volume " + name, name, spec, options)));
    units.add(new PlannedUnit(unitFile, unit, PlannedUnit.Role.SHARE, List.of(), Optional.of(spec)));
    dirs.add(new PlannedDirectory(where, FileMode.DEFAULT_DIRECTORY, 0, 0, false));
  }

  /**
   * Ends the plan: with the pod share, adds its share (the last one), its unit (the first file)
   * and its mount point.
   *
   * @return the pod share, or empty with one share per volume
   * @throws PlanException if the pod share's tag is reserved
   */
  Optional<PodShare> finish() throws PlanException {
    if (!podShare) {
      return Optional.empty();
    }
    String tag = PodShare.TAG;
    if (options.reservedTags().contains(tag)) {
      throw new PlanException("the pod share's mount tag \"" + tag + "\" is reserved (--reserve-tag); choose"
          + " another tag for the VM's own share");
    }
    GuestPath where = PodShare.guestPath(options.route());
    UnitName unit = Planner.unitName(where, "the pod share");
    Share share = new Share(Planner.POD_SHARE_NAME, tag, options.shareDir().get(), false, unit);
    shares.add(share);
    for (PodShare.Entry e : podEntries) {
      shareUnits.put(e.volume(), unit);
    }
    RelativePath unitFile = RelativePath.of(unit.value());
    MountSpec spec = Planner.shareSpec(tag, where, false, options);
    files.add(0, new PlannedFile(unitFile, Planner.shareUnit("the pod share", "pod share", spec, options)));
    units.add(0, new PlannedUnit(unitFile, unit, PlannedUnit.Role.SHARE, List.of(), Optional.of(spec)));
    dirs.add(new PlannedDirectory(where, FileMode.DEFAULT_DIRECTORY, 0, 0, false));
    return Optional.of(new PodShare(options.shareDir().get(), share, where, podEntries));
  }
}
