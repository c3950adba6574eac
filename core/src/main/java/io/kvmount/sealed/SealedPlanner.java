package io.kvmount.sealed;

import io.kvmount.path.GuestPath;
import io.kvmount.plan.MountSpec;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanException;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFileMountPoint;
import io.kvmount.plan.PlannedUnit;
import io.kvmount.plan.ResolvedMount;
import io.kvmount.plan.Route;
import io.kvmount.systemd.UnitException;
import io.kvmount.systemd.UnitName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link Plan} made for a sealed route into fstab entries and the list of what the image
 * must contain. The entries carry the same mounts and the same dependency edges as the unit files
 * the plan holds:
 *
 * <ul>
 *   <li>a share: its mount, plus {@code noauto} (pulled in only by the mounts that need it, as a
 *       share unit is);
 *   <li>an empty volume: a {@code tmpfs} at {@code <mount root>/<volume>} with the volume's exact
 *       {@code mode}, {@code uid} and {@code gid}, plus {@code noauto} (a sealed image has no
 *       writable directory to hold it; the content lives as long as the guest runs);
 *   <li>an app's mount: its mount, then {@code x-systemd.requires=} for each unit the bind unit
 *       requires (its share or empty volume, the mount it is nested in), then {@code
 *       x-systemd.required-by=} and {@code x-systemd.before=} the app's service (the drop-in's
 *       {@code Requires=} and {@code After=}).
 * </ul>
 *
 * <p>Parts of a plan that need a service unit are refused: legacy remount services, {@code
 * tmpcopyup}, masked and read-only paths, and mount points inside a read-only empty volume. Pure;
 * thread-safe.
 */
public final class SealedPlanner {

  /** The option that keeps a share or empty volume from being pulled in by {@code local-fs.target}. */
  static final String NOAUTO = "noauto";

  private SealedPlanner() {}

  /**
   * Plans the fstab entries of a plan made with {@code route}'s {@link Route#mountRoot()}.
   *
   * @param plan the plan ({@code PlanOptions.route()} was {@code route})
   * @param route {@link Route#CREDENTIALS} or {@link Route#CMDLINE}
   * @return the entries and what the image must contain
   * @throws PlanException if the plan needs something fstab lines cannot express (the message names
   *     the input field, or the unit, and says what to do)
   * @throws IllegalArgumentException if {@code route} is {@link Route#UNITS}
   */
  public static SealedPlan plan(Plan plan, Route route) throws PlanException {
    if (!route.sealed()) {
      throw new IllegalArgumentException("route " + route.id() + " writes unit files");
    }
    String emit = "--emit " + route.id();
    for (ResolvedMount rm : plan.mounts()) {
      if (rm.copyUpFrom().isPresent()) {
        throw new PlanException(rm.origin() + ".options: tmpcopyup needs a service that copies the covered"
            + " directory into the tmpfs, and " + emit + " hands the guest mounts only; drop tmpcopyup or use"
            + " --emit units");
      }
    }
    for (io.kvmount.plan.PlannedCopy c : plan.copies()) {
      throw new PlanException((c.origin().startsWith("image manifest") ? "" : "app \"" + c.app() + "\": ") + c.origin()
          + ": volume \"" + c.volume() + "\" starts as a"
          + " copy of what the Docker image holds there, which needs a written stage1 rootfs, and " + emit
          + " writes nothing (its empty volumes are tmpfs); declare a volume \"" + c.volume().substring(
              c.app().length() + 1) + "\" in the pod (empty, or a host volume with the data), or use --emit units");
    }
    // Which app services require each unit (the drop-ins' Requires=).
    Map<UnitName, List<UnitName>> requiredBy = new HashMap<>();
    for (PlannedUnit u : plan.units()) {
      if (u.role() == PlannedUnit.Role.APP_SERVICE) {
        for (UnitName r : u.requires()) {
          requiredBy.computeIfAbsent(r, k -> new ArrayList<>()).add(u.name());
        }
      }
    }
    for (PlannedUnit u : plan.units()) {
      if (u.role() == PlannedUnit.Role.REMOUNT) {
        throw new PlanException("--legacy-remount makes read-only binds with a service unit (" + u.name()
            + "), which " + emit + " cannot hand over; drop --legacy-remount (guests with systemd 254 or newer"
            + " have a util-linux that honours ro in a bind's options)");
      }
      if (u.role() == PlannedUnit.Role.PATHS) {
        List<UnitName> apps = requiredBy.getOrDefault(u.name(), List.of());
        throw new PlanException((apps.isEmpty() ? u.name().value() : "app \"" + appName(apps.get(0)) + "\"")
            + ": linux.maskedPaths and linux.readonlyPaths need a service unit (" + u.name() + "), which " + emit
            + " cannot hand over; use --emit units");
      }
    }
    GuestPath root = route.mountRoot();
    List<FstabEntry> shares = new ArrayList<>();
    List<FstabEntry> empties = new ArrayList<>();
    List<FstabEntry> binds = new ArrayList<>();
    // Empty volumes: tmpfs mounts at <mount root>/<volume>, found by the bind units' What=.
    Map<String, UnitName> emptyUnits = new LinkedHashMap<>();
    for (PlannedDirectory d : plan.directories()) {
      if (d.managed()) {
        UnitName unit = unit(d.path(), "volume \"" + d.path().fileName() + "\"");
        String mode = "mode=" + d.mode();
        MountSpec spec = new MountSpec("tmpfs", d.path(), "tmpfs",
            List.of(mode, "uid=" + d.uid(), "gid=" + d.gid()));
        List<String> opts = new ArrayList<>(spec.options());
        opts.add(NOAUTO);
        empties.add(new FstabEntry(unit, spec, opts));
        emptyUnits.put(d.path().toString(), unit);
      } else if (root.contains(d.path()) && d.path().depth() > root.depth() + 1) {
        throw new PlanException("volume \"" + root.relativize(d.path()).components().get(0) + "\": a mount nested"
            + " inside this read-only empty volume needs its mount point " + d.path() + " made inside the volume,"
            + " which " + emit + " cannot do; make the outer mount writable or use --emit units");
      }
    }
    Map<GuestPath, String> origins = new HashMap<>();
    for (ResolvedMount rm : plan.mounts()) {
      origins.put(rm.target(), rm.origin());
    }
    Set<GuestPath> fileTargets = new HashSet<>();
    for (PlannedFileMountPoint f : plan.fileMountPoints()) {
      fileTargets.add(f.path());
    }
    List<GuestPath> targets = new ArrayList<>();
    for (PlannedUnit u : plan.units()) {
      if (u.mount().isEmpty()) {
        continue;
      }
      MountSpec spec = u.mount().get();
      List<String> opts = new ArrayList<>(spec.options());
      if (u.role() == PlannedUnit.Role.SHARE) {
        opts.add(NOAUTO);
        shares.add(new FstabEntry(u.name(), spec, opts));
        continue;
      }
      UnitName empty = emptyUnits.get(spec.what());
      if (empty != null) {
        opts.add("x-systemd.requires=" + empty.value());
      }
      for (UnitName r : u.requires()) {
        opts.add("x-systemd.requires=" + r.value());
      }
      for (UnitName app : requiredBy.getOrDefault(u.name(), List.of())) {
        opts.add("x-systemd.required-by=" + app.value());
        opts.add("x-systemd.before=" + app.value());
      }
      binds.add(new FstabEntry(u.name(), spec, opts));
      targets.add(spec.where());
    }
    // The image must hold every mount point not inside another of the pod's mounts.
    Set<GuestPath> targetSet = new HashSet<>(targets);
    List<ImageEntry> image = new ArrayList<>();
    for (GuestPath t : targets) {
      boolean nested = false;
      for (GuestPath up = t; !nested && !up.isRoot(); ) {
        up = up.parent();
        nested = targetSet.contains(up);
      }
      if (!nested) {
        image.add(new ImageEntry(t.toString(),
            fileTargets.contains(t) ? ImageEntry.Kind.FILE : ImageEntry.Kind.DIRECTORY, origins.getOrDefault(t, "")));
      }
    }
    for (PlannedUnit u : plan.units()) {
      if (u.role() == PlannedUnit.Role.APP_SERVICE) {
        image.add(new ImageEntry(u.name().value(), ImageEntry.Kind.SERVICE, "app \"" + appName(u.name()) + "\""));
      }
    }
    List<FstabEntry> all = new ArrayList<>(shares);
    all.addAll(empties);
    all.addAll(binds);
    return new SealedPlan(route, all, image);
  }

  private static String appName(UnitName service) {
    String v = service.value();
    return v.substring(0, v.length() - ".service".length());
  }

  private static UnitName unit(GuestPath where, String what) throws PlanException {
    try {
      return UnitName.mount(where);
    } catch (UnitException e) {
      throw new PlanException(what + ": " + e.getMessage(), e);
    }
  }
}
