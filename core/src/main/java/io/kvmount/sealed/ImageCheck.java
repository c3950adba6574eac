package io.kvmount.sealed;

import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a sealed image (the stage1 rootfs, read only) already holds what its pod needs:
 * every mount point, as a directory or a regular file as the mount needs it, and every app's
 * service unit. Nothing is created: the image may not be written. Thread-safe when the {@link
 * GuestFs} is.
 */
public final class ImageCheck {

  /**
   * Where the guest's systemd loads system units from, searched for app services: {@code
   * /etc/systemd/system}, {@code /usr/lib/systemd/system}, {@code /lib/systemd/system} (same as
   * systemd's system unit search path without the runtime and generator directories).
   */
  public static final List<GuestPath> UNIT_DIRS = List.of(
      GuestPath.parse("/etc/systemd/system"), GuestPath.parse("/usr/lib/systemd/system"),
      GuestPath.parse("/lib/systemd/system"));

  private ImageCheck() {}

  /**
   * Lists the mount points the image lacks (or has as the wrong kind of file). A symlink is never
   * a mount point: the plan resolved every symlink, so one there now means the image changed.
   *
   * @param plan the sealed plan
   * @param image the stage1 rootfs
   * @return the missing mount points, in plan order
   * @throws IOException if the image cannot be read
   */
  public static List<ImageEntry> missingMountPoints(SealedPlan plan, GuestFs image) throws IOException {
    List<ImageEntry> missing = new ArrayList<>();
    for (ImageEntry e : plan.imageMustContain()) {
      if (e.kind() == ImageEntry.Kind.SERVICE) {
        continue;
      }
      GuestFs.Kind k = image.kind(GuestPath.parse(e.path()));
      GuestFs.Kind want = e.kind() == ImageEntry.Kind.FILE ? GuestFs.Kind.FILE : GuestFs.Kind.DIRECTORY;
      if (k != want) {
        missing.add(e);
      }
    }
    return missing;
  }

  /**
   * Lists the app services the image lacks: a service is present when a regular file of its name,
   * or a symlink that leads (inside the image, at most 8 links) to one, is in one of {@link
   * #UNIT_DIRS} or in {@code unitsDir}. A link to {@code /dev/null} (a masked unit) or a dangling one
   * does not count.
   *
   * @param plan the sealed plan
   * @param image the stage1 rootfs
   * @param unitsDir the units directory kvmount was told about ({@code --units-dir})
   * @return the missing services, in plan order
   * @throws IOException if the image cannot be read
   */
  public static List<ImageEntry> missingServices(SealedPlan plan, GuestFs image, GuestPath unitsDir)
      throws IOException {
    Set<GuestPath> dirs = new LinkedHashSet<>(UNIT_DIRS);
    dirs.add(unitsDir);
    List<ImageEntry> missing = new ArrayList<>();
    for (ImageEntry e : plan.imageMustContain()) {
      if (e.kind() != ImageEntry.Kind.SERVICE) {
        continue;
      }
      boolean found = false;
      for (GuestPath d : dirs) {
        if (isUnitFile(image, d.resolve(e.path()))) {
          found = true;
          break;
        }
      }
      if (!found) {
        missing.add(e);
      }
    }
    return missing;
  }

  /** Whether {@code path} is a regular file once its symlinks are resolved inside the image; a mask is not. */
  private static boolean isUnitFile(GuestFs image, GuestPath path) throws IOException {
    java.util.Optional<GuestPath> p = resolve(image, path);
    return p.isPresent() && !p.get().equals(DEV_NULL) && image.kind(p.get()) == GuestFs.Kind.FILE;
  }

  private static final GuestPath DEV_NULL = GuestPath.parse("/dev/null");

  /** Most symlinks followed resolving one path, as Linux ({@code MAXSYMLINKS}). */
  private static final int MAX_LINKS = 40;

  /**
   * Resolves every symlink in {@code path} inside the image (an absolute target starts again at
   * the image's root, {@code ..} stops at it), as the guest would see the path at boot: a merged
   * {@code /usr} image has {@code /lib} as a link to {@code usr/lib}.
   *
   * @return the existing path without symlinks, or empty when it is missing, leads through a file,
   *     or through more than {@link #MAX_LINKS} links
   */
  static java.util.Optional<GuestPath> resolve(GuestFs image, GuestPath path) throws IOException {
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(path.components());
    GuestPath at = GuestPath.ROOT;
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.removeFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        at = at.isRoot() ? at : at.parent();
        continue;
      }
      GuestPath next = at.resolve(c);
      GuestFs.Kind k = image.kind(next);
      if (k == GuestFs.Kind.SYMLINK) {
        if (++links > MAX_LINKS) {
          return java.util.Optional.empty();
        }
        String target = image.readLink(next);
        String[] parts = target.split("/", -1);
        for (int i = parts.length - 1; i >= 0; i--) {
          todo.addFirst(parts[i]);
        }
        if (target.startsWith("/")) {
          at = GuestPath.ROOT;
        }
        continue;
      }
      if (k == GuestFs.Kind.MISSING || (k != GuestFs.Kind.DIRECTORY && !todo.isEmpty())) {
        return java.util.Optional.empty();
      }
      at = next;
    }
    return java.util.Optional.of(at);
  }

  /**
   * Lists what in the image would change or undo the handed-over mounts: a unit of a handed-over
   * mount's name in {@code /etc/systemd/system} (it takes precedence over what the generator
   * makes, or masks it), and a drop-in {@code <app>.service.d/10-kvmount-volumes.conf} that an
   * {@code --emit units} run left (it requires that run's units).
   *
   * @param plan the sealed plan
   * @param image the stage1 rootfs
   * @param unitsDir the units directory kvmount was told about ({@code --units-dir})
   * @param dropInName the name of kvmount's per-app drop-in
   * @return one line per conflict, {@code <guest path>: <why>}, in plan order
   * @throws IOException if the image cannot be read
   */
  public static List<String> conflicts(SealedPlan plan, GuestFs image, GuestPath unitsDir, String dropInName)
      throws IOException {
    List<String> out = new ArrayList<>();
    GuestPath etc = UNIT_DIRS.get(0);
    java.util.Optional<GuestPath> etcDir = resolve(image, etc);
    for (FstabEntry e : plan.entries()) {
      GuestPath p = etc.resolve(e.unit().value());
      GuestFs.Kind k = etcDir.isPresent() ? image.kind(etcDir.get().resolve(e.unit().value())) : GuestFs.Kind.MISSING;
      if (k != GuestFs.Kind.MISSING) {
        out.add(p + ": the image has its own " + e.unit().value() + " here" + (k == GuestFs.Kind.SYMLINK ? " (a link:"
            + " masked or aliased)" : "") + ", which takes precedence over the mount kvmount hands over");
      }
    }
    Set<GuestPath> dirs = new LinkedHashSet<>(UNIT_DIRS);
    dirs.add(unitsDir);
    for (ImageEntry e : plan.imageMustContain()) {
      if (e.kind() != ImageEntry.Kind.SERVICE) {
        continue;
      }
      for (GuestPath d : dirs) {
        GuestPath p = d.resolve(e.path() + ".d").resolve(dropInName);
        java.util.Optional<GuestPath> real = resolve(image, p.parent());
        if (real.isPresent() && image.kind(real.get().resolve(dropInName)) != GuestFs.Kind.MISSING) {
          out.add(p + ": a drop-in left by generate --emit units; it makes " + e.path() + " require that run's units"
              + " besides the handed-over mounts");
        }
      }
    }
    return out;
  }

  /**
   * Says in one line what the image lacks.
   *
   * @param missing the missing entries (not empty)
   * @return {@code the sealed image lacks 2 mount point(s): /a (directory, for pod.json ...), ...;
   *     add them to the image (kvmount may not write into it)}
   */
  public static String describe(List<ImageEntry> missing) {
    StringBuilder b = new StringBuilder("the sealed image (the stage1 rootfs) lacks " + missing.size() + " of what the"
        + " pod needs: ");
    for (int i = 0; i < missing.size(); i++) {
      ImageEntry e = missing.get(i);
      if (i > 0) {
        b.append(", ");
      }
      b.append(e.path()).append(" (").append(e.kind().word());
      if (!e.origin().isEmpty()) {
        b.append(", for ").append(e.origin());
      }
      b.append(')');
    }
    return b.append("; add them to the image (kvmount writes nothing into it with a sealed route)").toString();
  }
}
