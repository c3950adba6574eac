package io.kvmount.plan;

import io.kvmount.manifest.AcName;
import io.kvmount.oci.OciBundle;
import io.kvmount.oci.OciConfig;
import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import io.kvmount.systemd.Quote;
import io.kvmount.systemd.UnitName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns OCI runtime bundles, one per app, into a {@link Plan}: the same shares, bind units,
 * drop-ins and directories an appc pod gets, plus mount units for the guest's own filesystems
 * ({@code tmpfs}, {@code proc}...). Pure apart from reading the host through {@link HostFs} (bind
 * sources and the bundles' root filesystems) and the stage1 rootfs through {@link GuestFs}.
 *
 * <p>The rules (runtime-spec config.md "Root" and "Mounts"):
 *
 * <ul>
 *   <li>Each bundle is the app {@code NAME}, whose rootfs in the guest is {@code
 *       /opt/stage2/NAME/rootfs}. With {@link RootSource#SHARE} the bundle's {@code root.path} is a
 *       host volume bind-mounted there first (read-only when {@code root.readonly}; like every bind,
 *       {@link Planner#BIND_PROPAGATION}, so that the app's mounts stay out of the share's); with {@link
 *       RootSource#STAGE1} it must already be in the stage1 rootfs and nothing is mounted there.
 *   <li>Mounts are made in listed order: a mount below an earlier one requires it and starts
 *       after it; a mount on the same mount point as an earlier one, or above it, would hide it
 *       and is refused.
 *   <li>A bind mount ({@code bind} or {@code rbind} in its options) of a host directory or single
 *       file becomes a host volume: one share per distinct source and access, shared by every app
 *       that mounts it the same way, and a bind unit. Relative sources are relative to the bundle.
 *   <li>Any other mount becomes a mount unit of its type in the guest ({@link #FS_TYPES}); {@code
 *       cgroup} is mounted as {@code cgroup2}, the guest's unified hierarchy, as runc does on such a
 *       host.
 *   <li>Destinations are resolved through the symlinks of the rootfs and of the mounts before
 *       them, confined to the app rootfs. A relative destination is read from the rootfs root
 *       (runtime-spec 1.2), with a warning. A {@code ..} is walked component by component as
 *       written, as runc does with filepath-securejoin: after a symlink it applies to the link's
 *       target, and it stops at the app root ({@code /var/../../etc} is {@code /etc}); a
 *       destination that ends at the app root ({@code /a/..}) is refused as {@code /} is. A
 *       missing mount point in the shared rootfs or a bind source is created there on the host
 *       ({@link PlannedHostMountPoint}), as runc creates it in the rootfs; one in a guest
 *       filesystem is created by systemd when it mounts.
 * </ul>
 */
public final class BundlePlanner {

  /** Where the app rootfs comes from. */
  public enum RootSource {
    /** The bundle's {@code root.path} is shared into the guest and mounted at the app rootfs. */
    SHARE("share"),
    /** The app rootfs is already in the stage1 rootfs at {@code /opt/stage2/NAME/rootfs}. */
    STAGE1("stage1");

    private final String id;

    RootSource(String id) {
      this.id = id;
    }

    /**
     * Returns the option value naming this source.
     *
     * @return {@code share} or {@code stage1}
     */
    public String id() {
      return id;
    }
  }

  /**
   * Guest filesystem types kvmount mounts in the guest, by OCI {@code type}, each with the type the
   * unit gets.
   */
  public static final Map<String, String> FS_TYPES = Map.of(
      "tmpfs", "tmpfs", "proc", "proc", "sysfs", "sysfs", "devpts", "devpts", "mqueue", "mqueue",
      "cgroup", "cgroup2", "cgroup2", "cgroup2", "devtmpfs", "devtmpfs");

  /** Host trees that exist in the guest on their own: binding the host's into a VM is meaningless. */
  private static final List<String> SYSTEM_PREFIXES = List.of("/proc", "/sys", "/dev");

  private static final GuestPath STAGE2 = GuestPath.parse("/opt/stage2");

  private BundlePlanner() {}

  /**
   * One mount of an app before its target is known. {@code path} is the destination made absolute
   * and cleaned ({@code ..} removed lexically); once a destination with {@code ..} is resolved, the
   * item is replaced by one whose path is where it resolved to in the app ({@link #at}). {@code
   * written} is the destination as {@code config.json} wrote it, null for the rootfs.
   */
  private record Item(
      String origin,
      GuestPath path,
      String written,
      VolumeKind kind,
      String source,
      String fsType,
      boolean readOnly,
      boolean recursive,
      boolean file,
      List<String> options,
      boolean tmpcopyup) {

    /** Whether this is the bundle's rootfs, mounted at the app rootfs, not one of its mounts. */
    boolean rootfs() {
      return written == null;
    }

    /** Whether the destination was written relative, read from the rootfs root. */
    boolean relative() {
      return written != null && !written.startsWith("/");
    }

    /** Whether the destination has a {@code ..} component, resolved through the app rootfs. */
    boolean dotDot() {
      return written != null && hasDotDot(written);
    }

    /** The destination in messages: as written (quoted) when it has {@code ..}, else its cleaned path. */
    String shown() {
      return dotDot() ? Quote.of(written) : path.toString();
    }

    /** This item with {@code path} replaced: where its destination resolved to in the app. */
    Item at(GuestPath inApp) {
      return new Item(origin, inApp, written, kind, source, fsType, readOnly, recursive, file, options, tmpcopyup);
    }
  }

  /** A host volume's identity: one share per distinct source and access. */
  private record Key(String source, boolean readOnly, boolean recursive, boolean file) {}

  /**
   * Plans a pod of bundles.
   *
   * @param bundles the bundles, one per app, in pod order
   * @param options transport, share strategy, tag limit, units directory, 9p options
   * @param root where the app rootfs comes from
   * @param stage1 the stage1 rootfs view ({@link GuestFs#EMPTY} when planning without one)
   * @param host the host view for bind sources and bundle rootfs
   * @return the plan
   * @throws PlanException naming the bundle's {@code config.json} and the JSON path: an invalid
   *     app name or two bundles with one name, a missing or unsuitable bind source or rootfs, an
   *     unknown type, an option kvmount cannot honour, a destination that hides another mount, and what {@link Planner} refuses
   *     for shares (a single file or a non-recursive bind with one share per volume)
   * @throws IOException if the host or the stage1 rootfs cannot be read
   */
  public static Plan plan(List<OciBundle> bundles, PlanOptions options, RootSource root, GuestFs stage1, HostFs host)
      throws PlanException, IOException {
    List<String> warnings = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Map<String, List<Item>> itemsByApp = new LinkedHashMap<>();
    Map<String, OciBundle> bundleOf = new HashMap<>();
    for (OciBundle b : bundles) {
      String problem = AcName.problem(b.app());
      if (problem != null) {
        throw new PlanException("--oci-bundle " + b.app() + "=" + b.dir() + ": app name " + problem);
      }
      if (!names.add(b.app())) {
        throw new PlanException("--oci-bundle " + b.app() + "=" + b.dir() + ": app \"" + b.app()
            + "\" is given twice; each bundle needs its own app name");
      }
      warnings.addAll(b.config().warnings());
      itemsByApp.put(b.app(), items(b, root, host, warnings));
      bundleOf.put(b.app(), b);
      if (root == RootSource.STAGE1 && b.config().linux().rootfsPropagation().isPresent()) {
        warnings.add(b.configFile() + ": linux.rootfsPropagation: not applied: with --oci-rootfs stage1 kvmount"
            + " mounts nothing at the app rootfs; use --oci-rootfs share to have it applied");
      }
    }

    // Host volumes: one per distinct source and access, named once for the pod.
    Map<Key, String> volumeOf = new LinkedHashMap<>();
    Map<Key, String> firstOrigin = new HashMap<>();
    Set<String> taken = new HashSet<>();
    for (Map.Entry<String, List<Item>> e : itemsByApp.entrySet()) {
      for (Item it : e.getValue()) {
        if (it.kind() != VolumeKind.HOST) {
          continue;
        }
        Key k = new Key(it.source(), it.readOnly(), it.recursive(), it.file());
        if (!volumeOf.containsKey(k)) {
          String base = it.rootfs() ? e.getKey() + "-rootfs" : volumeBase(it.source());
          volumeOf.put(k, unique(it.readOnly() ? base + "-ro" : base, taken));
          firstOrigin.put(k, it.origin());
        }
      }
    }
    List<Share> shares = new ArrayList<>();
    List<PlannedFile> files = new ArrayList<>();
    List<PlannedUnit> units = new ArrayList<>();
    List<PlannedDirectory> dirs = new ArrayList<>();
    SharePlanner sp = new SharePlanner(new ArrayList<>(volumeOf.values()), options, shares, files, units, dirs);
    for (Map.Entry<Key, String> v : volumeOf.entrySet()) {
      Key k = v.getKey();
      String origin = firstOrigin.get(k);
      // The rootfs item's origin is its field (root.path); a mount's source is its "source".
      sp.add(v.getValue(), k.source(), k.readOnly(), k.file(), k.recursive(), origin,
          origin.endsWith(": root.path") ? origin : origin + ".source");
    }
    Optional<PodShare> podShare = sp.finish();

    // Targets, app by app in listed order, through the rootfs and the mounts before each.
    List<ResolvedMount> resolved = new ArrayList<>();
    List<PlannedFileMountPoint> fileMountPoints = new ArrayList<>();
    List<PlannedHostMountPoint> toCreate = new ArrayList<>();
    List<Planner.AppPart> parts = new ArrayList<>();
    for (Map.Entry<String, List<Item>> e : itemsByApp.entrySet()) {
      String app = e.getKey();
      GuestPath appRoot = STAGE2.resolve(app).resolve("rootfs");
      List<ResolvedMount> appMounts = new ArrayList<>();
      LayeredFs fs = new LayeredFs(stage1);
      java.util.TreeMap<GuestPath, Item> byTarget = new java.util.TreeMap<>();
      for (Item listed : e.getValue()) {
        Item it = listed;
        GuestPath target;
        GuestFs.Kind kind;
        if (it.rootfs()) {
          target = appRoot;
          kind = GuestFs.Kind.DIRECTORY;
          dirs.add(new PlannedDirectory(appRoot, FileMode.DEFAULT_DIRECTORY, 0, 0, false));
        } else {
          ConfinedResolver.Result r;
          try {
            // A ".." is walked component by component as written (after a symlink it applies to
            // the link's target, and it stops at the app root), as runc's securejoin does.
            r = it.dotDot() ? ConfinedResolver.resolve(fs, appRoot, it.written())
                : ConfinedResolver.resolve(fs, appRoot, it.path());
          } catch (PlanException ex) {
            throw new PlanException(it.origin() + ".destination: " + ex.getMessage() + "; change the destination, or"
                + " the symlinks and files on its path in the app rootfs", ex);
          }
          target = r.path();
          kind = r.kind();
          if (it.dotDot()) {
            if (target.equals(appRoot)) {
              throw new PlanException(it.origin() + ".destination: " + Quote.of(it.written()) + " resolves to \"/\""
                  + " inside the app rootfs; mounting there would hide the whole app rootfs (the rootfs is root.path)");
            }
            it = it.at(GuestPath.ROOT.resolve(appRoot.relativize(target)));
          }
          check(it, target, kind, appRoot, byTarget);
          refuseProcLinks(target, byTarget, it.origin() + ".destination", it.dotDot() ? it.written()
              : it.path().toString());
        }
        Item enclosing = null;
        GuestPath enclosingTarget = null;
        for (GuestPath up = target; enclosing == null && !up.isRoot(); ) {
          up = up.parent();
          enclosing = byTarget.get(up);
          enclosingTarget = up;
        }
        if (kind == GuestFs.Kind.MISSING && !it.rootfs()) {
          if (enclosing == null) {
            // In the stage1 rootfs: kvmount creates the mount point, as for appc.
            if (it.file()) {
              dirs.add(new PlannedDirectory(target.parent(), FileMode.DEFAULT_DIRECTORY, 0, 0, false));
              fileMountPoints.add(new PlannedFileMountPoint(target));
            } else {
              dirs.add(new PlannedDirectory(target, FileMode.DEFAULT_DIRECTORY, 0, 0, false));
            }
          } else if (enclosing.kind() == VolumeKind.HOST) {
            // In the bundle's rootfs or a bind source on the host: created there before sharing,
            // as runc creates it in the rootfs (a read-only share could not get it from the guest).
            toCreate.add(new PlannedHostMountPoint(enclosing.source(), enclosingTarget.relativize(target), it.file(),
                it.origin()));
          }
        } else if (enclosing == null && !it.rootfs()) {
          dirs.add(new PlannedDirectory(it.file() ? target.parent() : target, FileMode.DEFAULT_DIRECTORY, 0, 0, false));
          if (it.file()) {
            fileMountPoints.add(new PlannedFileMountPoint(target));
          }
        }
        byTarget.put(target, it);
        if (it.kind() == VolumeKind.HOST && !it.file()) {
          fs.add(target, host.directory(it.source()));
        } else if (it.kind() == VolumeKind.FILESYSTEM) {
          fs.add(target, GuestFs.EMPTY);
        }
        UnitName unit = Planner.unitName(target, it.origin() + ".destination");
        String volume = it.kind() == VolumeKind.HOST
            ? volumeOf.get(new Key(it.source(), it.readOnly(), it.recursive(), it.file()))
            : it.fsType();
        Optional<GuestPath> copyUp = Optional.empty();
        if (it.tmpcopyup()) {
          copyUp = copyUpFrom(it, target, enclosing, enclosingTarget, appMounts, volumeOf, sp.mntPaths);
        }
        Optional<String> note = it.relative() || it.dotDot()
            ? Optional.of(Planner.pathNote(it.written(), it.relative(), it.dotDot(),
                GuestPath.ROOT.resolve(appRoot.relativize(target)).toString()))
            : Optional.empty();
        appMounts.add(new ResolvedMount(app, volume, it.kind(), Optional.of(it.source()), it.path(), target,
            it.readOnly(), unit, it.origin(), it.options(),
            it.kind() == VolumeKind.FILESYSTEM ? Optional.of(it.fsType()) : Optional.empty(), copyUp, note));
      }
      resolved.addAll(appMounts);
      Optional<Planner.AppPaths> paths = appPaths(bundleOf.get(app), appRoot, fs, byTarget);
      parts.add(Planner.AppPart.of(
          () -> Planner.planApp(app, appMounts, sp.shareUnits, sp.mntPaths, options, false, paths)));
    }
    Planner.join(parts, files, units, dirs, new ArrayList<>());
    return new Plan(shares, options.unitsDir(), files, units, Planner.dedupe(dirs), resolved, warnings, List.of(),
        fileMountPoints, podShare, toCreate);
  }

  /**
   * Where the guest sees what a tmpcopyup tmpfs covers: the same directory through the share of
   * the mount that holds it (the rootfs, or a directory bind); below another tmpfs, what that one
   * copies up. Empty when the tmpfs covers nothing (it lies in a tmpfs without copy-up).
   */
  private static Optional<GuestPath> copyUpFrom(Item it, GuestPath target, Item enclosing, GuestPath enclosingTarget,
      List<ResolvedMount> before, Map<Key, String> volumeOf, Map<String, String> mntPaths) throws PlanException {
    if (enclosing == null) {
      throw new PlanException(it.origin() + ".options: \"tmpcopyup\" needs the directory the tmpfs covers to be"
          + " seen elsewhere in the guest, through the share of the rootfs or of a bind; " + target + " is in the"
          + " stage1 rootfs (--oci-rootfs stage1): use --oci-rootfs share, or remove \"tmpcopyup\"");
    }
    io.kvmount.path.RelativePath rel = enclosingTarget.relativize(target);
    if (enclosing.kind() == VolumeKind.HOST) {
      String vol = volumeOf.get(new Key(enclosing.source(), enclosing.readOnly(), enclosing.recursive(), enclosing.file()));
      return Optional.of(GuestPath.parse(mntPaths.get(vol)).resolve(rel));
    }
    for (ResolvedMount m : before) {
      if (m.target().equals(enclosingTarget) && m.copyUpFrom().isPresent()) {
        return Optional.of(m.copyUpFrom().get().resolve(rel));
      }
    }
    return Optional.empty();
  }

  /**
   * Resolves a bundle's {@code linux.maskedPaths} and {@code readonlyPaths} in the guest, after
   * its mounts (through the rootfs's and the mounts' symlinks, confined to the app rootfs). A path
   * that cannot exist there (through a file) is left out, as runc skips a missing one.
   */
  private static Optional<Planner.AppPaths> appPaths(
      OciBundle b, GuestPath appRoot, GuestFs fs, java.util.TreeMap<GuestPath, Item> byTarget)
      throws PlanException, IOException {
    OciConfig.Linux l = b.config().linux();
    if (l.maskedPaths().isEmpty() && l.readonlyPaths().isEmpty()) {
      return Optional.empty();
    }
    String origin = b.configFile() + ": linux";
    return Optional.of(new Planner.AppPaths(appRoot,
        resolvePaths(l.maskedPaths(), origin + ".maskedPaths", appRoot, fs, byTarget),
        resolvePaths(l.readonlyPaths(), origin + ".readonlyPaths", appRoot, fs, byTarget), origin));
  }

  private static List<GuestPath> resolvePaths(List<String> paths, String field, GuestPath appRoot, GuestFs fs,
      java.util.TreeMap<GuestPath, Item> byTarget) throws PlanException, IOException {
    List<GuestPath> out = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      String written = paths.get(i);
      // Checked as a destination is (characters, lengths), ".." read lexically; resolved below.
      GuestPath p = MountResolver.cleanPath(written, written, field + "[" + i + "]");
      if (p.isRoot() && !hasDotDot(written)) {
        throw new PlanException(field + "[" + i + "]: \"/\" would hide or freeze the whole app rootfs; remove it");
      }
      GuestPath target;
      try {
        // A ".." walks through the app rootfs as in a mount destination: clamped at its root,
        // applied to a symlink's target.
        target = hasDotDot(written) ? ConfinedResolver.resolve(fs, appRoot, written).path()
            : ConfinedResolver.resolve(fs, appRoot, p).path();
      } catch (PlanException e) {
        continue; // through a file or a link loop: nothing there to mask, as runc finds
      }
      if (target.equals(appRoot) && hasDotDot(written)) {
        throw new PlanException(field + "[" + i + "]: " + Quote.of(written) + " resolves to \"/\" inside the app"
            + " rootfs, which would hide or freeze the whole app rootfs; remove it");
      }
      refuseProcLinks(target, byTarget, field + "[" + i + "]", paths.get(i));
      if (!target.equals(appRoot)) {
        out.add(target);
      }
    }
    return out;
  }

  /**
   * Refuses a path that goes through a process directory of a {@code proc} mount ({@code
   * /proc/self}, {@code /proc/thread-self}, {@code /proc/<pid>}): their links ({@code root},
   * {@code cwd}, {@code exe}, {@code fd/...}) lead anywhere in the guest, and kvmount cannot see them
   * when planning.
   */
  private static void refuseProcLinks(GuestPath target, java.util.TreeMap<GuestPath, Item> byTarget, String field,
      String given) throws PlanException {
    for (GuestPath up = target; !up.isRoot(); ) {
      up = up.parent();
      Item at = byTarget.get(up);
      if (at == null) {
        continue;
      }
      if (at.kind() == VolumeKind.FILESYSTEM && "proc".equals(at.fsType())) {
        String c = up.relativize(target).components().get(0);
        if (c.equals("self") || c.equals("thread-self") || c.chars().allMatch(Character::isDigit)) {
          throw new PlanException(field + ": " + Quote.of(given) + " goes through /proc/" + c + " of the proc mount "
              + shortOrigin(at.origin()) + ", whose links lead out of the app rootfs; name the path itself");
        }
      }
      return; // only the nearest mount holds the path
    }
  }

  /**
   * {@code mounts[3]} of an origin such as {@code /b/config.json: mounts[3]}: every item's origin is
   * its {@code config.json}, {@code ": "} and its field.
   */
  private static String shortOrigin(String origin) {
    return origin.substring(origin.lastIndexOf(": ") + 2);
  }

  /** Checks a resolved target against the item's kind and the mounts before it. */
  private static void check(
      Item it, GuestPath target, GuestFs.Kind kind, GuestPath appRoot, java.util.TreeMap<GuestPath, Item> before)
      throws PlanException {
    String field = it.origin() + ".destination";
    if (target.equals(appRoot)) {
      throw new PlanException(field + ": " + it.path() + " resolves to the app rootfs itself through a symlink");
    }
    if (it.file()) {
      if (kind != GuestFs.Kind.FILE && kind != GuestFs.Kind.MISSING) {
        throw new PlanException(field + ": " + it.shown() + " is a " + ConfinedResolver.describe(kind)
            + " in the app rootfs, but the source \"" + it.source() + "\" is a single file; a file can only be"
            + " mounted on a file (or where nothing is)");
      }
    } else if (kind == GuestFs.Kind.FILE || kind == GuestFs.Kind.OTHER) {
      throw new PlanException(field + ": " + it.shown() + " is a " + ConfinedResolver.describe(kind)
          + " in the app rootfs; " + (it.kind() == VolumeKind.HOST ? "the directory \"" + it.source() + "\"" : "a " + it.fsType())
          + " can only be mounted on a directory");
    }
    Item same = before.get(target);
    if (same != null) {
      throw new PlanException(field + ": " + it.shown()
          + (!it.dotDot() && target.equals(appRoot.resolveInside(it.path())) ? "" : " (" + target + ")")
          + " is the mount point of " + shortOrigin(same.origin()) + " already; the later mount would hide it"
          + " entirely (one mount unit per mount point): remove one of them");
    }
    // Paths below a target sort right after it (GuestPath orders component by component).
    Map.Entry<GuestPath, Item> below = before.higherEntry(target);
    if (below != null && target.contains(below.getKey())) {
      throw new PlanException(field + ": " + it.shown() + " lies above " + shortOrigin(below.getValue().origin())
          + " (" + below.getValue().shown() + "), which is listed before it, so it would hide that mount; list "
          + it.shown() + " first");
    }
  }

  /** Reads one bundle's root and mounts into items, in listed order, the root first. */
  private static List<Item> items(OciBundle b, RootSource root, HostFs host, List<String> warnings)
      throws PlanException, IOException {
    String file = b.configFile().toString();
    List<Item> out = new ArrayList<>();
    if (root == RootSource.SHARE) {
      String rootPath = b.dir().resolve(b.config().root().path()).normalize().toString();
      HostFs.SourceKind k = host.kind(rootPath);
      if (k != HostFs.SourceKind.DIRECTORY) {
        throw new PlanException(file + ": root.path: " + Quote.of(rootPath) + (k == HostFs.SourceKind.MISSING
            ? " does not exist" : " is not a directory") + "; the bundle's root filesystem must be a directory"
            + " (or pass --oci-rootfs stage1 when it is already in the stage1 rootfs)");
      }
      out.add(new Item(file + ": root.path", GuestPath.ROOT, null, VolumeKind.HOST, rootPath, null,
          b.config().root().readOnly(), true, false,
          b.config().linux().rootfsPropagation().map(List::of).orElse(List.of()), false));
    }
    List<OciConfig.OciMount> mounts = b.config().mounts();
    for (int i = 0; i < mounts.size(); i++) {
      out.add(item(b, file + ": mounts[" + i + "]", mounts.get(i), host, warnings));
    }
    return out;
  }

  private static Item item(OciBundle b, String origin, OciConfig.OciMount m, HostFs host, List<String> warnings)
      throws PlanException, IOException {
    String dest = m.destination();
    if (!dest.startsWith("/")) {
      warnings.add(origin + ".destination: " + Quote.of(dest) + " is relative; runtime-spec 1.2 reads it as relative"
          + " to \"/\" (deprecated there), and so does kvmount; write it as " + Quote.of("/" + dest));
      dest = "/" + dest;
    }
    GuestPath path = MountResolver.cleanPath(dest, m.destination(), origin + ".destination");
    // A destination with ".." can end at "/" only once resolved ("/link/.." need not).
    if (path.isRoot() && !hasDotDot(dest)) {
      throw new PlanException(origin + ".destination: " + Quote.of(m.destination())
          + ": mounting on \"/\" would hide the whole app rootfs (the rootfs is root.path)");
    }
    if (m.uidMappings().map(l -> !l.isEmpty()).orElse(false) || m.gidMappings().map(l -> !l.isEmpty()).orElse(false)) {
      throw new PlanException(origin + "." + (m.uidMappings().map(l -> !l.isEmpty()).orElse(false) ? "uid" : "gid")
          + "Mappings: per-mount id mapping is not supported: the guest's mounts of a share cannot map ids;"
          + " remove the mappings (the VM's ids are the guest's own)");
    }
    boolean bind = OciMountOptions.isBind(m.options());
    String type = m.type().orElse(null);
    if (!bind && "bind".equals(type)) {
      warnings.add(origin + ": type \"bind\" without a \"bind\" or \"rbind\" option is mounted as a non-recursive"
          + " bind, as runc does; runtime-spec 1.0.2 and later say to add \"bind\" to the options");
      bind = true;
    }
    String fsType = null;
    if (!bind) {
      if (type == null) {
        throw new PlanException(origin + ": has no \"type\" and is not a bind mount (no \"bind\" or \"rbind\" in"
            + " options); add the filesystem type, or \"rbind\" for a host directory");
      }
      fsType = FS_TYPES.get(type);
      if (fsType == null) {
        throw new PlanException(origin + ".type: " + Quote.of(type) + " cannot be mounted in the VM by kvmount: it"
            + " mounts " + String.join(", ", new java.util.TreeSet<>(FS_TYPES.keySet()))
            + " in the guest, and shares host paths given as bind mounts");
      }
    }
    OciMountOptions.Parsed p;
    try {
      p = OciMountOptions.parse(m.options(), fsType);
    } catch (OciMountOptions.Refusal r) {
      throw new PlanException(origin + ".options[" + r.index + "]: " + r.getMessage());
    }
    if (fsType != null) {
      String what = m.source().filter(s -> !s.isEmpty()).orElse(type);
      return new Item(origin, path, m.destination(), VolumeKind.FILESYSTEM, what, fsType, p.readOnly(), false, false, p.guestOptions(),
          p.tmpcopyup());
    }
    if (m.source().isEmpty() || m.source().get().isEmpty()) {
      throw new PlanException(origin + ".source: a bind mount needs the host path to share; add \"source\"");
    }
    String src = b.dir().resolve(m.source().get()).normalize().toString();
    for (String sys : SYSTEM_PREFIXES) {
      if (src.equals(sys) || src.startsWith(sys + "/")) {
        throw new PlanException(origin + ".source: " + Quote.of(src) + " is in the host's " + sys + ", which the"
            + " VM does not see (the guest has its own); mount a " + (sys.equals("/proc") ? "proc" : sys.equals("/sys")
            ? "sysfs" : "tmpfs or devtmpfs") + " of its own instead");
      }
    }
    HostFs.SourceKind k = host.kind(src);
    if (k == HostFs.SourceKind.MISSING) {
      throw new PlanException(origin + ".source: " + Quote.of(src) + " does not exist; create it, or fix the path"
          + " (a relative source is relative to the bundle directory " + b.dir() + ")");
    }
    if (k == HostFs.SourceKind.OTHER) {
      throw new PlanException(origin + ".source: " + Quote.of(src) + " is a device, socket or pipe; a share carries"
          + " directories and regular files only: bind the directory or file the app needs instead");
    }
    return new Item(origin, path, m.destination(), VolumeKind.HOST, src, null, p.readOnly(), p.recursive(),
        k == HostFs.SourceKind.FILE, p.guestOptions(), false);
  }

  /** Whether a component of the path {@code text} is {@code ..}. */
  private static boolean hasDotDot(String text) {
    for (String c : text.split("/")) {
      if (c.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /** A volume name from a source's last component: a-z, 0-9 and "-", at most 40 characters. */
  static String volumeBase(String source) {
    String name = Path.of(source).getFileName() == null ? "root" : Path.of(source).getFileName().toString();
    StringBuilder sb = new StringBuilder();
    for (char c : name.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (ok) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '-') {
        sb.append('-');
      }
      if (sb.length() >= 40) {
        break;
      }
    }
    while (sb.length() > 0 && sb.charAt(sb.length() - 1) == '-') {
      sb.setLength(sb.length() - 1);
    }
    return sb.length() == 0 ? "volume" : sb.toString();
  }

  private static String unique(String base, Set<String> taken) {
    String name = base;
    for (int n = 2; !taken.add(name); n++) {
      name = base + "-" + n;
    }
    return name;
  }

  /**
   * The stage1 rootfs with, at the app rootfs and at each mount point so far, what the guest will
   * see there: a host directory's view, or an empty filesystem. Paths below the deepest such mount
   * point are read in its view.
   */
  private static final class LayeredFs implements GuestFs {
    private final GuestFs stage1;
    private final Map<GuestPath, GuestFs> layers = new HashMap<>();
    /** Every strict ancestor of a layer's mount point: directories the guest has. */
    private final Set<GuestPath> ancestors = new HashSet<>();

    LayeredFs(GuestFs stage1) {
      this.stage1 = stage1;
    }

    void add(GuestPath at, GuestFs view) {
      layers.put(at, view);
      for (GuestPath up = at; !up.isRoot(); ) {
        up = up.parent();
        if (!ancestors.add(up)) {
          break;
        }
      }
    }

    private GuestPath layerOf(GuestPath p) {
      for (GuestPath up = p; ; up = up.parent()) {
        if (layers.containsKey(up)) {
          return up;
        }
        if (up.isRoot()) {
          return null;
        }
      }
    }

    @Override
    public Kind kind(GuestPath path) throws IOException {
      GuestPath at = layerOf(path);
      if (at == null) {
        return ancestors.contains(path) ? Kind.DIRECTORY : stage1.kind(path);
      }
      if (at.equals(path)) {
        return Kind.DIRECTORY;
      }
      return layers.get(at).kind(GuestPath.ROOT.resolve(at.relativize(path)));
    }

    @Override
    public String readLink(GuestPath path) throws IOException {
      GuestPath at = layerOf(path);
      return at == null ? stage1.readLink(path) : layers.get(at).readLink(GuestPath.ROOT.resolve(at.relativize(path)));
    }
  }
}
