package io.kvmount.plan;

import io.kvmount.error.NearestName;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.Mount;
import io.kvmount.manifest.MountPoint;
import io.kvmount.manifest.PodManifest;
import io.kvmount.manifest.RuntimeApp;
import io.kvmount.manifest.Volume;
import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import io.kvmount.systemd.Quote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies appc's volume rules to a pod: which volume every app mount point gets, where, and
 * whether read-only. Pure: reads nothing but its arguments.
 *
 * <p>The rules (appc spec, pods.md; fault classes 20-23):
 *
 * <ol>
 *   <li>An app's pod-level {@code mounts} come first, in manifest order. Each names a pod volume
 *       (or defines one inline with {@code appVolume}); naming an undeclared volume is an error.
 *   <li>Then every mount point of the app (from the pod's {@code app} section, else from the
 *       image manifest given for the app) whose cleaned path no mount covers: it takes the pod
 *       volume with the mount point's name, or, when there is none, an implicit {@code empty}
 *       volume named {@code <app>-<mountpoint>} (mode 0755, uid 0, gid 0) and a warning. When the
 *       app's image manifest is a Docker image's ({@link ImageManifest#dockerRepository()}, also
 *       when the pod's {@code app} section gives the mount points), that volume starts as a copy of
 *       what the image holds at the mount point, with its mode and owner ({@link
 *       Resolution#imageCopies()}; the planner reads the image).
 *   <li>Read-only: the volume's {@code readOnly} when set, else the mount point's (matched by
 *       cleaned path, then by name).
 *   <li>Two mounts of one app on the same cleaned target ({@code /data}, {@code /data/}, {@code
 *       //data}, {@code /data/.}) are an error naming both, unless they mount the same volume with
 *       the same access: then they are one mount, as in rkt (two pod-level mounts are merged by
 *       the {@link Planner}, which compares resolved targets; two mount points here, with a
 *       warning).
 *   <li>A relative path is read from the app's root, as rkt and OCI runtime-spec 1.2 read it,
 *       with a warning; {@code ..} is cleaned lexically here, clamped at the root ({@code
 *       /dir1/../../../foo} is {@code /foo}), and resolved through the app rootfs's symlinks by
 *       the {@link Planner} ({@link ConfinedResolver#resolve(GuestFs, GuestPath, String)}).
 * </ol>
 */
public final class MountResolver {

  /**
   * One volume mounted into one app, before any unit is planned.
   *
   * @param appIndex index of the app in {@code apps}
   * @param app the app name
   * @param volume the volume (declared, inline or implicit)
   * @param path the cleaned mount path inside the app rootfs (relative paths read from {@code /},
   *     {@code ..} removed lexically, see {@link ConfinedResolver#lexical})
   * @param readOnly whether the app sees it read-only
   * @param origin the manifest field it came from ({@code apps[0].mounts[1]})
   * @param written the path as the manifest wrote it
   * @param alsoWritten the mount points of the app merged into this one (the same volume and
   *     access on the same cleaned path): each as {@code {path as written, field}}
   */
  public record AppMount(
      int appIndex, String app, Volume volume, GuestPath path, boolean readOnly, String origin, String written,
      List<String[]> alsoWritten) {

    /**
     * Copies the list.
     *
     * @param appIndex index of the app in {@code apps}
     * @param app the app name
     * @param volume the volume (declared, inline or implicit)
     * @param path the cleaned mount path inside the app rootfs
     * @param readOnly whether the app sees it read-only
     * @param origin the manifest field it came from
     * @param written the path as the manifest wrote it
     * @param alsoWritten the mount points merged into this one, each {@code {path as written, field}}
     */
    public AppMount {
      alsoWritten = List.copyOf(alsoWritten);
    }

    /**
     * A mount nothing was merged into.
     *
     * @param appIndex index of the app in {@code apps}
     * @param app the app name
     * @param volume the volume (declared, inline or implicit)
     * @param path the cleaned mount path inside the app rootfs
     * @param readOnly whether the app sees it read-only
     * @param origin the manifest field it came from ({@code apps[0].mounts[1]})
     * @param written the path as the manifest wrote it
     */
    public AppMount(
        int appIndex, String app, Volume volume, GuestPath path, boolean readOnly, String origin, String written) {
      this(appIndex, app, volume, path, readOnly, origin, written, List.of());
    }

    /**
     * A mount whose path was written in its cleaned form.
     *
     * @param appIndex index of the app in {@code apps}
     * @param app the app name
     * @param volume the volume (declared, inline or implicit)
     * @param path the cleaned mount path inside the app rootfs
     * @param readOnly whether the app sees it read-only
     * @param origin the manifest field it came from ({@code apps[0].mounts[1]})
     */
    public AppMount(int appIndex, String app, Volume volume, GuestPath path, boolean readOnly, String origin) {
      this(appIndex, app, volume, path, readOnly, origin, path.toString());
    }

    /**
     * Whether the written path has a {@code ..} component, which the planner resolves through the
     * app rootfs's symlinks.
     *
     * @return whether a component of {@link #written()} is {@code ..}
     */
    public boolean hasDotDot() {
      for (String c : written.split("/")) {
        if (c.equals("..")) {
          return true;
        }
      }
      return false;
    }

    /**
     * Whether the written path is relative (read from the app's root).
     *
     * @return whether {@link #written()} does not start with {@code /}
     */
    public boolean relative() {
      return !written.startsWith("/");
    }
  }

  /**
   * The resolved pod.
   *
   * @param volumes every volume the pod uses or declares (declared, inline and implicit), by
   *     name, in order of first appearance
   * @param mounts every app mount, apps in manifest order
   * @param warnings one line each
   * @param imageCopies the implicit volumes that start as a copy of what their app's image holds
   *     where they are mounted, by name
   */
  public record Resolution(
      Map<String, Volume> volumes, List<AppMount> mounts, List<String> warnings, Set<String> imageCopies) {
    /**
     * Copies the collections.
     *
     * @param volumes every volume the pod uses or declares (declared, inline and implicit), by name, in order of first appearance
     * @param mounts every app mount, apps in manifest order
     * @param warnings one line each
     * @param imageCopies the implicit volumes that start as a copy of what their app's image holds
     *     where they are mounted (the app's image is a Docker image: {@link
     *     ImageManifest#dockerRepository()}), by name
     */
    public Resolution {
      volumes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(volumes));
      mounts = List.copyOf(mounts);
      warnings = List.copyOf(warnings);
      imageCopies = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(imageCopies));
    }

    /**
     * A resolution in which no volume starts as a copy.
     *
     * @param volumes every volume the pod uses or declares, by name, in order of first appearance
     * @param mounts every app mount, apps in manifest order
     * @param warnings one line each
     */
    public Resolution(Map<String, Volume> volumes, List<AppMount> mounts, List<String> warnings) {
      this(volumes, mounts, warnings, Set.of());
    }
  }

  private MountResolver() {}

  /**
   * Resolves every app's mounts.
   *
   * @param pod the pod manifest
   * @param images image manifests by app name, for apps whose pod entry has no {@code app}
   *     section (may be empty)
   * @return the resolution
   * @throws PlanException for an undeclared volume, a clashing inline or implicit volume, an
   *     invalid mount path, or two mounts on one target
   */
  public static Resolution resolve(PodManifest pod, Map<String, ImageManifest> images) throws PlanException {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    Map<String, String> volumeOrigin = new LinkedHashMap<>();
    for (int i = 0; i < pod.volumes().size(); i++) {
      Volume v = pod.volumes().get(i);
      String name = v.name().value();
      if (volumes.containsKey(name)) {
        throw new PlanException(
            "volumes[" + i + "].name: duplicate volume name \"" + name + "\" (also " + volumeOrigin.get(name) + ")");
      }
      volumes.put(name, v);
      volumeOrigin.put(name, "volumes[" + i + "]");
    }
    List<AppMount> out = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Set<String> appNames = new HashSet<>();
    for (RuntimeApp a : pod.apps()) {
      appNames.add(a.name().value());
    }
    for (String app : images.keySet()) {
      if (!appNames.contains(app)) {
        List<String> names = new ArrayList<>();
        for (RuntimeApp a : pod.apps()) {
          names.add(a.name().value());
        }
        throw new PlanException("image manifest given for app \"" + app + "\", which is not in the pod"
            + NearestName.hint(app, names));
      }
    }
    Set<String> imageCopies = new java.util.LinkedHashSet<>();
    for (int ai = 0; ai < pod.apps().size(); ai++) {
      resolveApp(ai, pod.apps().get(ai), images, volumes, volumeOrigin, out, warnings, imageCopies);
    }
    return new Resolution(volumes, out, warnings, imageCopies);
  }

  /**
   * Resolves one app's mounts and mount points into {@code out}, adding the volumes it defines
   * (app volumes, implicit empty volumes) to {@code volumes}. A method of its own, not the body of
   * {@link #resolve}'s loop: called once per app, it is compiled early, where a loop body would
   * run interpreted for a large pod.
   */
  private static void resolveApp(
      int ai,
      RuntimeApp app,
      Map<String, ImageManifest> images,
      Map<String, Volume> volumes,
      Map<String, String> volumeOrigin,
      List<AppMount> out,
      List<String> warnings,
      Set<String> imageCopies)
      throws PlanException {
    String appName = app.name().value();
    // Docker's volume rule: the image's content at a mount point with no volume is kept.
    Optional<String> docker = images.containsKey(appName) ? images.get(appName).dockerRepository() : Optional.empty();
    String appField = "apps[" + ai + "]";
    int mountsBefore = out.size();
    List<MountPoint> mountPoints;
    String mpField;
    if (app.mountPoints().isPresent()) {
      mountPoints = app.mountPoints().get();
      mpField = appField + ".app.mountPoints";
    } else if (images.containsKey(appName)) {
      mountPoints = images.get(appName).mountPoints();
      mpField = "image manifest of app \"" + appName + "\": app.mountPoints";
    } else {
      mountPoints = List.of();
      mpField = appField + ".app.mountPoints";
      if (app.mounts().isEmpty()) {
        warnings.add("app \"" + appName + "\" gets no volumes: it has no mounts, no \"app\" section and no"
            + " --image-manifest (which would supply its image's mount points)");
      }
    }
    if (app.mountPoints().isPresent() && images.containsKey(appName)) {
      warnings.add("app \"" + appName + "\": the pod's \"app\" section replaces the image's; the image manifest"
          + " given with --image-manifest is "
          + (docker.isPresent() ? "used only for its Docker annotation (" + ImageManifest.DOCKER_REPOSITORY + " "
              + Quote.of(docker.get()) + ")" : "not used"));
    }
    List<GuestPath> mpPaths = new ArrayList<>();
    // The first mount point with a given path, and with a given name: a lookup per mount
    // instead of a scan of every mount point.
    Map<GuestPath, MountPoint> mpByPath = new HashMap<>();
    Map<String, MountPoint> mpByName = new HashMap<>();
    // The repeats of a mount point, by path: noted on the one mount they make.
    Map<GuestPath, List<String[]>> mpRepeats = new HashMap<>();
    for (int k = 0; k < mountPoints.size(); k++) {
      MountPoint mpk = mountPoints.get(k);
      GuestPath mpPath = cleanPath(mpk.path(), mpField + "[" + k + "].path");
      if (!mpk.path().startsWith("/")) {
        warnings.add(relativeWarning(appName, "mount point \"" + mpk.name().value() + "\"", mpField + "[" + k + "]",
            mpk.path()));
      }
      MountPoint first = mpByPath.get(mpPath);
      if (first != null && first.name().equals(mpk.name()) && first.readOnly() == mpk.readOnly()) {
        mpPaths.add(mpPath);
        mpRepeats.computeIfAbsent(mpPath, x -> new ArrayList<>()).add(new String[] {mpk.path(), mpField + "[" + k + "]"});
        warnings.add("app \"" + appName + "\": mount point \"" + mpk.name().value() + "\" at " + Quote.of(mpk.path())
            + " (" + mpField + "[" + k + "]) repeats " + mpField.substring(mpField.lastIndexOf(' ') + 1) + "["
            + mountPoints.indexOf(first) + "] (" + mpPath + "), the same volume and access: one mount");
        continue;
      }
      if (first != null) {
        // Two mount points on one target (fault class 20): which volume and which readOnly
        // would win is undefined; refuse instead of silently dropping one.
        throw new PlanException(
            mpField + "[" + k + "].path: " + Quote.of(mountPoints.get(k).path()) + " is the same target as "
                + mpField.substring(mpField.lastIndexOf(' ') + 1) + "[" + mountPoints.indexOf(first) + "] ("
                + mpPath + ")");
      }
      mpPaths.add(mpPath);
      mpByPath.put(mpPath, mountPoints.get(k));
      mpByName.putIfAbsent(mountPoints.get(k).name().value(), mountPoints.get(k));
    }
    Map<GuestPath, String> targets = new LinkedHashMap<>();
    for (int mi = 0; mi < app.mounts().size(); mi++) {
      Mount m = app.mounts().get(mi);
      String field = appField + ".mounts[" + mi + "]";
      Volume v;
      if (m.appVolume().isPresent()) {
        v = m.appVolume().get();
        String name = v.name().value();
        Volume existing = volumes.get(name);
        if (existing != null && !existing.equals(v)) {
          throw new PlanException(
              field + ".appVolume.name: volume \"" + name + "\" is already defined differently by "
                  + volumeOrigin.get(name));
        }
        if (existing == null) {
          volumes.put(name, v);
          volumeOrigin.put(name, field + ".appVolume");
        }
      } else {
        v = volumes.get(m.volume().value());
        if (v == null) {
          throw new PlanException(
              field + ".volume: volume \"" + m.volume().value() + "\" is not declared in \"volumes\""
                  + NearestName.hint(m.volume().value(), declared(volumes, volumeOrigin)));
        }
      }
      GuestPath path = cleanPath(m.path(), field + ".path");
      if (!m.path().startsWith("/")) {
        warnings.add(relativeWarning(appName, "mount of volume \"" + v.name().value() + "\"", field, m.path()));
      }
      String before = targets.putIfAbsent(path, field);
      // The same volume twice on one target is one mount: the planner merges it (the reader
      // refuses two different volumes; ".." paths are compared once resolved).
      if (before != null && !sameVolumeAt(out, mountsBefore, before, v)) {
        throw new PlanException(
            field + ".path: \"" + m.path() + "\" is the same target as " + before + " (" + path + ")");
      }
      MountPoint mp = mpByPath.get(path);
      if (mp == null) {
        mp = mpByName.get(v.name().value());
      }
      boolean ro = v.readOnly().orElse(mp != null && mp.readOnly());
      out.add(new AppMount(ai, appName, v, path, ro, field, m.path()));
    }
    for (int k = 0; k < mountPoints.size(); k++) {
      MountPoint mp = mountPoints.get(k);
      GuestPath path = mpPaths.get(k);
      String field = mpField + "[" + k + "]";
      if (targets.containsKey(path)) {
        // Covered by a pod-level mount, or repeats an earlier mount point (which put or found
        // the same path in targets).
        continue;
      }
      Volume v = volumes.get(mp.name().value());
      if (v == null) {
        String implicit = appName + "-" + mp.name().value();
        Volume existing = volumes.get(implicit);
        // One implicit volume per app and mount point name: another app's ("a" with "b-c" and
        // "a-b" with "c" both make "a-b-c") is not this one's, and sharing it would show one
        // app's data to the other.
        String owner = "implicit volume of app \"" + appName + "\", mount point \"" + mp.name().value() + "\"";
        if (existing != null && !volumeOrigin.get(implicit).startsWith(owner)) {
          throw new PlanException(
              field + ": mount point \"" + mp.name().value() + "\" has no volume, and the implicit empty volume name \""
                  + implicit + "\" is already used by " + volumeOrigin.get(implicit) + "; declare a volume \""
                  + mp.name().value() + "\" in the pod, or rename one of them");
        }
        if (existing == null) {
          v = new Volume.Empty(
              new io.kvmount.manifest.AcName(implicit), Optional.empty(), FileMode.DEFAULT_DIRECTORY, 0, 0);
          volumes.put(implicit, v);
          volumeOrigin.put(implicit, owner + " (" + field + ")");
          if (docker.isPresent()) {
            imageCopies.add(implicit);
          }
        } else {
          v = existing;
        }
        warnings.add(
            "app \"" + appName + "\": mount point \"" + mp.name().value() + "\" (" + path
                + ") has no volume; using a new empty volume \"" + implicit + "\" "
                + (docker.isPresent() ? "that starts as a copy of the directory the image holds there, if any, with its mode"
                    + " and owner"
                    + " (a Docker image, " + ImageManifest.DOCKER_REPOSITORY + " " + Quote.of(docker.get())
                    + ": Docker's volume rule)" : "(mode 0755, uid 0, gid 0)")
                + NearestName.hint(mp.name().value(), declared(volumes, volumeOrigin)));
      }
      targets.put(path, field);
      boolean ro = v.readOnly().orElse(mp.readOnly());
      out.add(new AppMount(ai, appName, v, path, ro, field, mp.path(), mpRepeats.getOrDefault(path, List.of())));
    }
    int nameBytes = appName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (out.size() > mountsBefore && nameBytes > MAX_APP_NAME_BYTES) {
      throw new PlanException(appField + ".name: " + Quote.of(appName.substring(0, 40) + "...") + " is " + nameBytes
          + " bytes, too long for an app with volumes: its drop-in directory <app>.service.d must be a file name"
          + " (Linux allows at most 255 bytes) and its bind units' names hold it too (systemd allows at most 255"
          + " bytes); names of at most " + MAX_APP_NAME_BYTES + " bytes pass this check");
    }
  }

  /** The names of the volumes the pod declares (in {@code volumes} or an {@code appVolume}), not implicit ones. */
  private static List<String> declared(Map<String, Volume> volumes, Map<String, String> volumeOrigin) {
    List<String> names = new ArrayList<>();
    for (String name : volumes.keySet()) {
      if (!volumeOrigin.get(name).startsWith("implicit")) {
        names.add(name);
      }
    }
    return names;
  }

  /** Whether the mount of this app at {@code origin} (in {@code out} from {@code from} on) mounts {@code v}. */
  private static boolean sameVolumeAt(List<AppMount> out, int from, String origin, Volume v) {
    for (int i = from; i < out.size(); i++) {
      if (out.get(i).origin().equals(origin)) {
        return out.get(i).volume().equals(v);
      }
    }
    return false;
  }

  /** The warning for a relative mount path: one line naming the app, the mount and where it is. */
  private static String relativeWarning(String app, String what, String field, String written) {
    // The path made absolute, not yet cleaned: a ".." in it is resolved through the app rootfs.
    return "app \"" + app + "\": " + what + " (" + field + ".path) has the relative path " + Quote.of(written)
        + ", read from the app's root as " + Quote.of("/" + written) + " (as rkt and OCI runtime-spec 1.2 read it)";
  }

  /**
   * Longest name, in UTF-8 bytes, of an app that gets volumes: 245, so that its drop-in
   * directory {@code <app>.service.d} is a valid file name (NAME_MAX 255 bytes). Shorter names
   * can still make a bind unit's name too long; that is reported for the mount, with its length.
   */
  public static final int MAX_APP_NAME_BYTES = 255 - ".service.d".length();

  /**
   * Parses a mount path from the input: no control characters, no trailing whitespace (systemd
   * strips it from {@code Where=}), and what {@link GuestPath#problem} refuses once a relative path
   * is read from {@code /} and {@code ..} is removed lexically ({@link ConfinedResolver#lexical});
   * the message names {@code field}.
   */
  static GuestPath cleanPath(String text, String field) throws PlanException {
    return cleanPath(text, text, field);
  }

  /**
   * Parses a mount path as {@link #cleanPath(String, String)}, quoting it in messages as the input
   * wrote it ({@code given}: an OCI destination made absolute is quoted without the added "/").
   */
  static GuestPath cleanPath(String written, String given, String field) throws PlanException {
    String text = written;
    if (!text.isEmpty() && text.indexOf('\0') < 0 && (text.charAt(0) != '/' || text.contains(".."))) {
      text = text.charAt(0) == '/' ? text : "/" + text;
      if (text.contains("..")) {
        text = ConfinedResolver.lexical(text).toString();
      }
    }
    String problem = GuestPath.problem(text);
    if (problem != null) {
      throw new PlanException(field + ": " + Quote.of(given) + ": " + problem);
    }
    if (Character.isWhitespace(written.charAt(written.length() - 1))) {
      throw new PlanException(field + ": " + Quote.of(given)
          + ": path ends with whitespace, which systemd would strip from Where=; remove it");
    }
    for (int i = 0; i < written.length(); i++) {
      char c = written.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new PlanException(field + ": " + Quote.of(given) + ": path contains a control character");
      }
    }
    return GuestPath.parse(text);
  }
}
