package io.kvmount.manifest;

import io.kvmount.json.ErrorFactory;
import io.kvmount.json.FieldPath;
import io.kvmount.json.JsonCursor;
import io.kvmount.json.ObjectFields;
import io.kvmount.path.GuestPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the objects of the appc schema (pod manifest, image manifest, runtime app, app section,
 * mount point, mount, volume) field by field from a {@link JsonCursor}, checks each value as appc
 * (and kvmount, where stricter) requires, and builds the records. The rules that need the whole pod
 * are {@link PodChecks}. One use of {@link ManifestReader}: not thread-safe; create one per
 * document.
 */
final class SchemaReader implements ErrorFactory<ManifestException> {

  private static final String[] POD_KEYS = {"acKind", "acVersion", "apps", "volumes"};
  private static final String[] IMAGE_KEYS = {"acKind", "acVersion", "name", "app", "annotations"};
  private static final String[] ANNOTATION_KEYS = {"name", "value"};
  private static final String[] RUNTIME_APP_KEYS = {"name", "app", "mounts"};
  private static final String[] APP_KEYS = {"mountPoints"};
  private static final String[] MOUNT_POINT_KEYS = {"name", "path", "readOnly"};
  private static final String[] MOUNT_KEYS = {"volume", "path", "appVolume"};

  private final String source;
  private final JsonCursor<ManifestException> in;
  private final VolumeReader volumeReader;

  SchemaReader(byte[] json, String source) {
    this.source = source;
    this.in = new JsonCursor<>(json, ManifestReader.LIMITS, "appc", this);
    this.volumeReader = new VolumeReader(in, this);
  }

  /**
   * Makes the exception for a problem in this document (the cursor's errors come here too).
   *
   * @param fieldPath where, such as {@code "apps[1].name"}; {@code ""} for the whole document
   * @param reason why, one line
   * @return the exception, naming this document's source
   */
  @Override
  public ManifestException error(String fieldPath, String reason) {
    return new ManifestException(source, fieldPath, reason);
  }

  /** {@link #error(String, String)} for a field path. */
  ManifestException error(FieldPath path, String reason) {
    return error(path.toString(), reason);
  }

  // ---------------------------------------------------------------------------------------------
  // Documents

  /** Reads the document as a pod manifest: {@link ManifestReader#readPod}. */
  PodManifest readPod() throws ManifestException {
    in.open();
    String acKind = null;
    String acVersion = "";
    List<RuntimeApp> apps = new ArrayList<>();
    List<Volume> volumes = new ArrayList<>();
    ObjectFields<ManifestException> f = in.fields(FieldPath.ROOT, POD_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "acKind":
          acKind = kind(f.path(), "PodManifest");
          break;
        case "acVersion":
          acVersion = version(f.path());
          break;
        case "apps":
          in.array(f.path());
          for (int i = 0; in.nextElement(); i++) {
            FieldPath p = f.path().index(i);
            in.limit(i, ManifestReader.MAX_APPS, p, "apps");
            apps.add(runtimeApp(p));
          }
          break;
        case "volumes":
          in.array(f.path());
          for (int i = 0; in.nextElement(); i++) {
            FieldPath p = f.path().index(i);
            in.limit(i, ManifestReader.MAX_VOLUMES, p, "volumes");
            volumes.add(volumeReader.read(p));
          }
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    in.close();
    if (acKind == null) {
      throw error("acKind", "missing required field (must be \"PodManifest\")");
    }
    PodChecks.check(apps, volumes, source);
    return new PodManifest(acVersion, apps, volumes, source);
  }

  /** Reads the document as an image manifest: {@link ManifestReader#readImage}. */
  ImageManifest readImage() throws ManifestException {
    in.open();
    String acKind = null;
    String acVersion = null;
    String name = null;
    List<MountPoint> mountPoints = List.of();
    Map<String, String> annotations = Map.of();
    ObjectFields<ManifestException> f = in.fields(FieldPath.ROOT, IMAGE_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "acKind":
          acKind = kind(f.path(), "ImageManifest");
          break;
        case "acVersion":
          acVersion = version(f.path());
          break;
        case "name":
          name = in.string(f.path());
          String problem = Text.acIdentifierProblem(name);
          if (problem != null) {
            throw error(f.path(), problem);
          }
          break;
        case "app":
          mountPoints = app(f.path());
          break;
        case "annotations":
          annotations = annotations(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    in.close();
    if (acKind == null) {
      throw error("acKind", "missing required field (must be \"ImageManifest\")");
    }
    if (acVersion == null) {
      throw error("acVersion", "missing required field (an image manifest must give its version)");
    }
    if (name == null) {
      throw error("name", "missing required field (the image name)");
    }
    return new ImageManifest(name, mountPoints, annotations);
  }

  /**
   * An {@code annotations} list: objects with a {@code name} (an AC Identifier, unique in the
   * list) and a string {@code value}, as appc's schema gives them.
   */
  private Map<String, String> annotations(FieldPath path) throws ManifestException {
    in.array(path);
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (int i = 0; in.nextElement(); i++) {
      FieldPath p = path.index(i);
      in.limit(i, ManifestReader.MAX_ANNOTATIONS, p, "annotations");
      in.object(p);
      String name = null;
      String value = null;
      ObjectFields<ManifestException> f = in.fields(p, ANNOTATION_KEYS);
      while (f.next()) {
        if (f.key().equals("name")) {
          name = in.string(f.path());
          String problem = Text.acIdentifierProblem(name);
          if (problem != null) {
            throw error(f.path(), problem);
          }
        } else {
          value = in.string(f.path());
        }
      }
      if (name == null) {
        throw error(p + ".name", "missing required field (the annotation's name)");
      }
      if (value == null) {
        throw error(p + ".value", "missing required field (the annotation's value, a string)");
      }
      if (out.putIfAbsent(name, value) != null) {
        throw error(p + ".name", "duplicate annotation " + Text.quote(name) + "; appc allows each name once");
      }
    }
    return out;
  }

  private String kind(FieldPath path, String expected) throws ManifestException {
    String kind = in.string(path);
    if (!kind.equals(expected)) {
      throw error(path, Text.quote(kind) + " is not \"" + expected + "\"");
    }
    return kind;
  }

  private String version(FieldPath path) throws ManifestException {
    String version = in.string(path);
    String problem = Text.semVerProblem(version);
    if (problem != null) {
      throw error(path, problem);
    }
    return version;
  }

  // ---------------------------------------------------------------------------------------------
  // Objects of the schema

  private RuntimeApp runtimeApp(FieldPath path) throws ManifestException {
    in.object(path);
    AcName name = null;
    Optional<List<MountPoint>> mountPoints = Optional.empty();
    List<Mount> mounts = List.of();
    ObjectFields<ManifestException> f = in.fields(path, RUNTIME_APP_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "name":
          name = acName(f.path());
          break;
        case "app":
          mountPoints = Optional.of(app(f.path()));
          break;
        case "mounts":
          mounts = mounts(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    if (name == null) {
      throw error(path + ".name", "missing required field (the app's name)");
    }
    return new RuntimeApp(name, mountPoints, mounts);
  }

  /**
   * An {@code app} section: only its mount points matter. Never called for {@code "app": null},
   * which {@link ObjectFields} skips as "not set".
   */
  private List<MountPoint> app(FieldPath path) throws ManifestException {
    in.object(path);
    List<MountPoint> mountPoints = List.of();
    ObjectFields<ManifestException> f = in.fields(path, APP_KEYS);
    while (f.next()) {
      in.array(f.path());
      mountPoints = new ArrayList<>();
      for (int i = 0; in.nextElement(); i++) {
        FieldPath p = f.path().index(i);
        in.limit(i, ManifestReader.MAX_MOUNT_POINTS_PER_APP, p, "mount points in one app");
        mountPoints.add(mountPoint(p));
      }
    }
    return mountPoints;
  }

  private MountPoint mountPoint(FieldPath path) throws ManifestException {
    in.object(path);
    AcName name = null;
    String mountPath = null;
    boolean readOnly = false;
    ObjectFields<ManifestException> f = in.fields(path, MOUNT_POINT_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "name":
          name = acName(f.path());
          break;
        case "path":
          mountPath = appPath(f.path());
          break;
        case "readOnly":
          readOnly = in.bool(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    if (name == null) {
      throw error(path + ".name", "missing required field (the mount point's name)");
    }
    if (mountPath == null) {
      throw error(
          path + ".path", "missing required field (an absolute path inside the app rootfs)");
    }
    return new MountPoint(name, mountPath, readOnly);
  }

  private List<Mount> mounts(FieldPath path) throws ManifestException {
    in.array(path);
    List<Mount> mounts = new ArrayList<>();
    Map<String, Integer> byTarget = new HashMap<>(); // normalised path text
    for (int i = 0; in.nextElement(); i++) {
      FieldPath p = path.index(i);
      in.limit(i, ManifestReader.MAX_MOUNTS_PER_APP, p, "mounts in one app");
      Mount mount = mount(p);
      // Paths with ".." are compared once resolved, by the planner: a ".." after a symlink
      // applies to the link's target. The same volume twice is one mount (the planner merges it).
      String key = mount.path().indexOf("..") >= 0 && hasDotDot(mount.path()) ? null : normalText(mount.path());
      Integer first = key == null ? null : byTarget.putIfAbsent(key, i);
      if (first != null && !sameVolume(mounts.get(first), mount)) {
        throw error(
            p + ".path",
            Text.quote(mount.path())
                + " is mounted twice (also "
                + path
                + "["
                + first
                + "], "
                + Text.quote(mounts.get(first).path())
                + ")");
      }
      mounts.add(mount);
    }
    return mounts;
  }

  /** Whether two mounts mount the same volume: the same name, and the same inline definition if any. */
  private static boolean sameVolume(Mount a, Mount b) {
    return a.volume().equals(b.volume()) && a.appVolume().equals(b.appVolume());
  }

  /** Whether {@code path} has a {@code ..} component. */
  private static boolean hasDotDot(String path) {
    for (String c : path.split("/", -1)) {
      if (c.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The text {@code GuestPath.parse(path).toString()} gives, for a path {@link #appPath} accepted
   * without a {@code ..} component (a relative one read from {@code /}): {@code path} itself when
   * it is already in that form (absolute, no empty or {@code .} component, no trailing slash), as
   * nearly every manifest's paths are.
   */
  private static String normalText(String text) {
    String path = text.charAt(0) == '/' ? text : "/" + text;
    int n = path.length();
    boolean normal =
        n == 1
            || (path.charAt(n - 1) != '/'
                && !path.endsWith("/.")
                && path.indexOf("//") < 0
                && path.indexOf("/./") < 0);
    // A relative path one byte short of the limit is one byte over it once made absolute: the
    // planner refuses it; here it is compared as written.
    return normal || GuestPath.problem(path) != null ? path : GuestPath.parse(path).toString();
  }

  private Mount mount(FieldPath path) throws ManifestException {
    in.object(path);
    AcName volume = null;
    String mountPath = null;
    Optional<Volume> appVolume = Optional.empty();
    ObjectFields<ManifestException> f = in.fields(path, MOUNT_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "volume":
          volume = acName(f.path());
          break;
        case "path":
          mountPath = appPath(f.path());
          break;
        case "appVolume":
          appVolume = Optional.of(volumeReader.read(f.path()));
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    if (volume == null) {
      if (appVolume.isEmpty()) {
        throw error(path + ".volume", "missing required field (the name of the mounted volume)");
      }
      volume = appVolume.get().name();
    } else if (appVolume.isPresent() && !appVolume.get().name().value().equals(volume.value())) {
      throw error(
          path + ".volume",
          Text.quote(volume.value())
              + " differs from the appVolume's name "
              + Text.quote(appVolume.get().name().value()));
    }
    if (mountPath == null) {
      throw error(
          path + ".path", "missing required field (an absolute path inside the app rootfs)");
    }
    return new Mount(volume, mountPath, appVolume);
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars

  /** Reads an ACName (a volume or app name). */
  AcName acName(FieldPath path) throws ManifestException {
    String value = in.string(path);
    String problem = AcName.problem(value);
    if (problem != null) {
      throw error(path, problem);
    }
    return new AcName(value);
  }

  private String appPath(FieldPath path) throws ManifestException {
    String value = in.string(path);
    String problem = Text.appPathProblem(value);
    if (problem != null) {
      throw error(path, problem);
    }
    return value;
  }
}
