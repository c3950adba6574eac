package io.kvmount.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One use of the streaming reader behind {@link ManifestReader}: checks the bytes, walks the
 * tokens, builds the records and tracks the field path. Not thread-safe; create one per document.
 */
final class ManifestParser {

  private static final String[] POD_KEYS = {"acKind", "acVersion", "apps", "volumes"};
  private static final String[] IMAGE_KEYS = {"acKind", "acVersion", "name", "app"};
  private static final String[] RUNTIME_APP_KEYS = {"name", "app", "mounts"};
  private static final String[] APP_KEYS = {"mountPoints"};
  private static final String[] MOUNT_POINT_KEYS = {"name", "path", "readOnly"};
  private static final String[] MOUNT_KEYS = {"volume", "path", "appVolume"};
  private static final String[] VOLUME_KEYS = {
    "name", "kind", "source", "readOnly", "mode", "uid", "gid", "recursive"
  };

  private final byte[] json;
  private final String source;
  private JsonParser parser;

  ManifestParser(byte[] json, String source) {
    this.json = json;
    this.source = source;
  }

  // ---------------------------------------------------------------------------------------------
  // Documents

  PodManifest readPod() throws ManifestException {
    open();
    String acKind = null;
    String acVersion = "";
    List<RuntimeApp> apps = new ArrayList<>();
    List<Volume> volumes = new ArrayList<>();
    Fields f = new Fields(Where.ROOT, POD_KEYS);
    while (f.next()) {
      switch (f.key) {
        case "acKind":
          acKind = kind(f.path, "PodManifest");
          break;
        case "acVersion":
          acVersion = version(f.path);
          break;
        case "apps":
          array(f.path);
          for (int i = 0; nextElement(); i++) {
            Where p = f.path.index(i);
            limit(i, ManifestReader.MAX_APPS, p, "apps");
            apps.add(runtimeApp(p));
          }
          break;
        case "volumes":
          array(f.path);
          for (int i = 0; nextElement(); i++) {
            Where p = f.path.index(i);
            limit(i, ManifestReader.MAX_VOLUMES, p, "volumes");
            volumes.add(volume(p));
          }
          break;
        default:
          throw new AssertionError(f.key);
      }
    }
    close();
    if (acKind == null) {
      throw error("acKind", "missing required field (must be \"PodManifest\")");
    }
    checkPod(apps, volumes);
    return new PodManifest(acVersion, apps, volumes);
  }

  ImageManifest readImage() throws ManifestException {
    open();
    String acKind = null;
    String acVersion = null;
    String name = null;
    List<MountPoint> mountPoints = List.of();
    Fields f = new Fields(Where.ROOT, IMAGE_KEYS);
    while (f.next()) {
      switch (f.key) {
        case "acKind":
          acKind = kind(f.path, "ImageManifest");
          break;
        case "acVersion":
          acVersion = version(f.path);
          break;
        case "name":
          name = string(f.path);
          String problem = Text.acIdentifierProblem(name);
          if (problem != null) {
            throw error(f.path, problem);
          }
          break;
        case "app":
          mountPoints = app(f.path).orElse(List.of());
          break;
        default:
          throw new AssertionError(f.key);
      }
    }
    close();
    if (acKind == null) {
      throw error("acKind", "missing required field (must be \"ImageManifest\")");
    }
    if (acVersion == null) {
      throw error("acVersion", "missing required field (an image manifest must give its version)");
    }
    if (name == null) {
      throw error("name", "missing required field (the image name)");
    }
    return new ImageManifest(name, mountPoints);
  }

  private String kind(Where path, String expected) throws ManifestException {
    String kind = string(path);
    if (!kind.equals(expected)) {
      throw error(path, Text.quote(kind) + " is not \"" + expected + "\"");
    }
    return kind;
  }

  private String version(Where path) throws ManifestException {
    String version = string(path);
    String problem = Text.semVerProblem(version);
    if (problem != null) {
      throw error(path, problem);
    }
    return version;
  }

  /** The cross-checks that need the whole pod: unique names, declared volumes. */
  private void checkPod(List<RuntimeApp> apps, List<Volume> volumes) throws ManifestException {
    // Keyed by the name text, not the record: record hashCode/equals are bootstrapped through
    // invokedynamic on first use, which costs start-up time of a short-lived command.
    Map<String, Integer> appIndex = new HashMap<>();
    for (int i = 0; i < apps.size(); i++) {
      Integer first = appIndex.putIfAbsent(apps.get(i).name().value(), i);
      if (first != null) {
        throw error(
            "apps[" + i + "].name",
            "duplicate app name "
                + Text.quote(apps.get(i).name().value())
                + " (also apps["
                + first
                + "])");
      }
    }
    Map<String, Integer> volumeIndex = new HashMap<>();
    for (int i = 0; i < volumes.size(); i++) {
      Integer first = volumeIndex.putIfAbsent(volumes.get(i).name().value(), i);
      if (first != null) {
        throw error(
            "volumes[" + i + "].name",
            "duplicate volume name "
                + Text.quote(volumes.get(i).name().value())
                + " (also volumes["
                + first
                + "])");
      }
    }
    // appVolumes: a name may be defined inline more than once, but only with one definition, and
    // not differently from a pod volume of that name.
    Map<String, String> inlineWhere = new HashMap<>();
    Map<String, Volume> inline = new HashMap<>();
    for (int a = 0; a < apps.size(); a++) {
      List<Mount> mounts = apps.get(a).mounts();
      for (int m = 0; m < mounts.size(); m++) {
        Mount mount = mounts.get(m);
        if (mount.appVolume().isEmpty()) {
          if (!volumeIndex.containsKey(mount.volume().value())) {
            throw error(
                index(join(index("apps", a), "mounts"), m) + ".volume",
                "volume "
                    + Text.quote(mount.volume().value())
                    + " is not declared in \"volumes\" (and the mount has no \"appVolume\")");
          }
          continue;
        }
        String where = index(join(index("apps", a), "mounts"), m);
        Volume def = mount.appVolume().get();
        String defName = def.name().value();
        Integer podIndex = volumeIndex.get(defName);
        if (podIndex != null && !volumes.get(podIndex).equals(def)) {
          throw error(
              where + ".appVolume",
              "volume "
                  + Text.quote(def.name().value())
                  + " differs from volumes["
                  + podIndex
                  + "] of the same name");
        }
        Volume other = inline.putIfAbsent(defName, def);
        if (other == null) {
          inlineWhere.put(defName, where);
        } else if (!other.equals(def)) {
          throw error(
              where + ".appVolume",
              "volume "
                  + Text.quote(def.name().value())
                  + " differs from "
                  + inlineWhere.get(defName)
                  + ".appVolume of the same name");
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Objects of the schema

  private RuntimeApp runtimeApp(Where path) throws ManifestException {
    object(path);
    AcName name = null;
    Optional<List<MountPoint>> mountPoints = Optional.empty();
    List<Mount> mounts = List.of();
    Fields f = new Fields(path, RUNTIME_APP_KEYS);
    while (f.next()) {
      switch (f.key) {
        case "name":
          name = acName(f.path);
          break;
        case "app":
          mountPoints = app(f.path);
          break;
        case "mounts":
          mounts = mounts(f.path);
          break;
        default:
          throw new AssertionError(f.key);
      }
    }
    if (name == null) {
      throw error(path + ".name", "missing required field (the app's name)");
    }
    return new RuntimeApp(name, mountPoints, mounts);
  }

  /** An {@code app} section: only its mount points matter. Empty if the section is null. */
  private Optional<List<MountPoint>> app(Where path) throws ManifestException {
    if (current() == JsonToken.VALUE_NULL) {
      return Optional.empty();
    }
    object(path);
    List<MountPoint> mountPoints = List.of();
    Fields f = new Fields(path, APP_KEYS);
    while (f.next()) {
      array(f.path);
      mountPoints = new ArrayList<>();
      for (int i = 0; nextElement(); i++) {
        Where p = f.path.index(i);
        limit(i, ManifestReader.MAX_MOUNT_POINTS_PER_APP, p, "mount points in one app");
        mountPoints.add(mountPoint(p));
      }
    }
    return Optional.of(mountPoints);
  }

  private MountPoint mountPoint(Where path) throws ManifestException {
    object(path);
    AcName name = null;
    String mountPath = null;
    boolean readOnly = false;
    Fields f = new Fields(path, MOUNT_POINT_KEYS);
    while (f.next()) {
      switch (f.key) {
        case "name":
          name = acName(f.path);
          break;
        case "path":
          mountPath = appPath(f.path);
          break;
        case "readOnly":
          readOnly = bool(f.path);
          break;
        default:
          throw new AssertionError(f.key);
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

  private List<Mount> mounts(Where path) throws ManifestException {
    array(path);
    List<Mount> mounts = new ArrayList<>();
    Map<String, Integer> byTarget = new HashMap<>(); // normalised path text
    for (int i = 0; nextElement(); i++) {
      Where p = path.index(i);
      limit(i, ManifestReader.MAX_MOUNTS_PER_APP, p, "mounts in one app");
      Mount mount = mount(p);
      Integer first = byTarget.putIfAbsent(normalText(mount.path()), i);
      if (first != null) {
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

  /**
   * The text {@code GuestPath.parse(path).toString()} gives, for a path {@link #appPath} accepted
   * (absolute, no {@code ..}): {@code path} itself when it is already in that form (no empty or
   * {@code .} component, no trailing slash), as nearly every manifest's paths are.
   */
  private static String normalText(String path) {
    int n = path.length();
    boolean normal = n == 1
        || (path.charAt(n - 1) != '/' && !path.endsWith("/.") && path.indexOf("//") < 0 && path.indexOf("/./") < 0);
    return normal ? path : GuestPath.parse(path).toString();
  }

  private Mount mount(Where path) throws ManifestException {
    object(path);
    AcName volume = null;
    String mountPath = null;
    Optional<Volume> appVolume = Optional.empty();
    Fields f = new Fields(path, MOUNT_KEYS);
    while (f.next()) {
      switch (f.key) {
        case "volume":
          volume = acName(f.path);
          break;
        case "path":
          mountPath = appPath(f.path);
          break;
        case "appVolume":
          appVolume = Optional.of(volume(f.path));
          break;
        default:
          throw new AssertionError(f.key);
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

  private Volume volume(Where path) throws ManifestException {
    object(path);
    AcName name = null;
    String kind = null;
    String src = null;
    Optional<Boolean> readOnly = Optional.empty();
    Optional<Boolean> recursive = Optional.empty();
    String mode = null;
    Long uid = null;
    Long gid = null;
    Fields f = new Fields(path, VOLUME_KEYS);
    while (f.next()) {
      switch (f.key) {
        case "name":
          name = acName(f.path);
          break;
        case "kind":
          kind = string(f.path);
          break;
        case "source":
          src = string(f.path);
          break;
        case "readOnly":
          readOnly = Optional.of(bool(f.path));
          break;
        case "recursive":
          recursive = Optional.of(bool(f.path));
          break;
        case "mode":
          if (current() != JsonToken.VALUE_STRING) {
            throw typeError(f.path, "a string (octal text such as \"0755\")");
          }
          mode = string(f.path);
          break;
        case "uid":
          uid = id(f.path);
          break;
        case "gid":
          gid = id(f.path);
          break;
        default:
          throw new AssertionError(f.key);
      }
    }
    if (name == null) {
      throw error(path + ".name", "missing required field (the volume's name)");
    }
    if (kind == null) {
      throw error(path + ".kind", "missing required field (must be \"host\" or \"empty\")");
    }
    if (kind.equals(Volume.HOST)) {
      if (src == null) {
        throw error(
            path + ".source", "missing required field (a host volume needs an absolute host path)");
      }
      String problem = Text.hostPathProblem(src);
      if (problem != null) {
        throw error(path + ".source", problem);
      }
      if (mode != null) {
        throw error(
            path + ".mode", "not allowed on a host volume (only empty volumes have a mode)");
      }
      if (uid != null) {
        throw error(
            path + ".uid", "not allowed on a host volume (only empty volumes have an owner)");
      }
      if (gid != null) {
        throw error(
            path + ".gid", "not allowed on a host volume (only empty volumes have an owner)");
      }
      return new Volume.Host(name, src, readOnly, recursive);
    }
    if (kind.equals(Volume.EMPTY)) {
      if (src != null && !src.isEmpty()) {
        throw error(
            path + ".source",
            "not allowed on an empty volume (got "
                + Text.quote(src)
                + "; use \"kind\": \"host\" to share a host directory)");
      }
      FileMode fileMode = mode == null ? FileMode.DEFAULT_DIRECTORY : mode(path.key("mode"), mode);
      return new Volume.Empty(
          name, readOnly, fileMode, uid == null ? 0 : uid, gid == null ? 0 : gid);
    }
    throw error(
        path + ".kind",
        "unknown volume kind " + Text.quote(kind) + " (must be \"host\" or \"empty\")");
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars

  private AcName acName(Where path) throws ManifestException {
    String value = string(path);
    String problem = AcName.problem(value);
    if (problem != null) {
      throw error(path, problem);
    }
    return new AcName(value);
  }

  private String appPath(Where path) throws ManifestException {
    String value = string(path);
    String problem = Text.appPathProblem(value);
    if (problem != null) {
      throw error(path, problem);
    }
    return value;
  }

  private FileMode mode(Where path, String text) throws ManifestException {
    boolean octal = !text.isEmpty();
    int firstNonZero = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '7') {
        octal = false;
        break;
      }
      if (c != '0' && firstNonZero == text.length()) {
        firstNonZero = i;
      }
    }
    if (!octal) {
      throw error(path, Text.quote(text) + " is not an octal mode (such as \"0755\")");
    }
    String digits = text.substring(firstNonZero);
    if (digits.length() > 4 || (digits.isEmpty() ? 0 : Integer.parseInt(digits, 8)) > 07777) {
      throw error(path, Text.quote(text) + " is above 07777");
    }
    return new FileMode(digits.isEmpty() ? 0 : Integer.parseInt(digits, 8));
  }

  /** A uid or gid: a JSON integer from 0 to 4294967294. */
  private long id(Where path) throws ManifestException {
    JsonToken t = current();
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      throw error(path, "expected an integer, got the number " + numberText(path));
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw typeError(path, "an integer");
    }
    String digits = numberText(path);
    long value;
    if (digits.length() > 12) {
      value = digits.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
    } else {
      value = Long.parseLong(digits);
    }
    if (value < 0 || value > Volume.Empty.MAX_ID) {
      throw error(path, digits + " is outside 0.." + Volume.Empty.MAX_ID);
    }
    return value;
  }

  /** The text of a number token (only digits, sign, point, exponent), shortened for messages. */
  private String numberText(Where path) throws ManifestException {
    String t = text(path);
    return t.length() > 40 ? t.substring(0, 20) + "..." + t.substring(t.length() - 5) : t;
  }

  private String string(Where path) throws ManifestException {
    if (current() != JsonToken.VALUE_STRING) {
      throw typeError(path, "a string");
    }
    return text(path);
  }

  private boolean bool(Where path) throws ManifestException {
    JsonToken t = current();
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw typeError(path, "a boolean");
  }

  private void object(Where path) throws ManifestException {
    if (current() != JsonToken.START_OBJECT) {
      throw typeError(path, "an object");
    }
  }

  private void array(Where path) throws ManifestException {
    if (current() != JsonToken.START_ARRAY) {
      throw typeError(path, "an array");
    }
  }

  private ManifestException typeError(Where path, String expected) {
    return error(path, "expected " + expected + ", got " + describe(current()));
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() == null ? t.name() : t.asString();
    }
  }

  private void limit(int index, int max, Where path, String what) throws ManifestException {
    if (index >= max) {
      throw error(path, "too many " + what + " (at most " + max + ")");
    }
  }

  /**
   * A field path ({@code apps[2].mounts[0].path}), built only when a message needs its text: the
   * parser makes one per field and array element, and almost all of them are never printed.
   */
  private static final class Where {
    static final Where ROOT = new Where(null, null, -1);

    private final Where parent;
    private final String key;
    private final int index;
    private String text;

    private Where(Where parent, String key, int index) {
      this.parent = parent;
      this.key = key;
      this.index = index;
      if (parent == null) {
        text = "";
      }
    }

    Where key(String k) {
      return new Where(this, k, -1);
    }

    Where index(int i) {
      return new Where(this, null, i);
    }

    @Override
    public String toString() {
      String t = text;
      if (t == null) {
        t = key != null ? join(parent.toString(), key) : ManifestParser.index(parent.toString(), index);
        text = t;
      }
      return t;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Token level

  /**
   * Iterates over the keys of the object whose START_OBJECT is the current token. {@link #next}
   * stops at each known key with a non-null value (current token = the value, {@link #key} the
   * canonical spelling, {@link #path} the field path); it skips unknown keys and nulls, and rejects
   * repeated keys.
   */
  private final class Fields {
    private final Where objectPath;
    private final String[] known;
    /** Keys seen so far, for the duplicate check: an array scan, as objects have a few keys. */
    private final String[] rawKeys = new String[8];

    private int rawKeyCount;
    private final String[] seen;
    String key;
    Where path;

    Fields(Where objectPath, String[] known) {
      this.objectPath = objectPath;
      this.known = known;
      this.seen = new String[known.length];
    }

    boolean next() throws ManifestException {
      while (true) {
        JsonToken t = advance();
        if (t == JsonToken.END_OBJECT) {
          return false;
        }
        if (t != JsonToken.FIELD_NAME) {
          throw new IllegalStateException("unexpected token " + t);
        }
        String raw = name();
        if (!addRawKey(raw)) {
          throw error(objectPath.key(raw), "duplicate key " + Text.quote(raw));
        }
        int k = canonical(raw);
        JsonToken value = advance();
        if (k < 0) {
          skip(value);
          continue;
        }
        key = known[k];
        path = objectPath.key(key);
        if (seen[k] != null) {
          throw error(
              path,
              "duplicate key "
                  + Text.quote(raw)
                  + " (also "
                  + Text.quote(seen[k])
                  + "; keys match case-insensitively, as in appc)");
        }
        seen[k] = raw;
        if (value == JsonToken.VALUE_NULL) {
          continue; // null means "not set", as in appc's Go decoder
        }
        return true;
      }
    }

    /** Past the array's few keys (a hostile object may have a million), a hash set. */
    private Set<String> manyKeys;

    private boolean addRawKey(String raw) {
      if (manyKeys != null) {
        return manyKeys.add(raw);
      }
      for (int i = 0; i < rawKeyCount; i++) {
        if (rawKeys[i].equals(raw)) {
          return false;
        }
      }
      if (rawKeyCount == rawKeys.length) {
        manyKeys = new HashSet<>(java.util.Arrays.asList(rawKeys));
        return manyKeys.add(raw);
      }
      rawKeys[rawKeyCount++] = raw;
      return true;
    }

    /**
     * Matches a key like Go's encoding/json: an exact match first, else a case-insensitive one
     * with Go's simple case folding for our (ASCII) key names, where U+212A KELVIN SIGN folds to
     * {@code k} and U+017F LATIN SMALL LETTER LONG S to {@code s}. Matching what appc matches
     * means a key spelled in another case is never silently ignored here while rkt obeys it.
     */
    private int canonical(String raw) {
      for (int i = 0; i < known.length; i++) {
        if (known[i].equals(raw)) {
          return i;
        }
      }
      String folded = fold(raw);
      if (folded == null) {
        return -1;
      }
      for (int i = 0; i < known.length; i++) {
        if (known[i].equalsIgnoreCase(folded)) {
          return i;
        }
      }
      return -1;
    }
  }

  /** ASCII text with Go's two non-ASCII folds applied, or null if other non-ASCII remains. */
  static String fold(String key) {
    StringBuilder sb = null;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x80) {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      char to;
      if (c == '\u212a') {
        to = 'k';
      } else if (c == '\u017f') {
        to = 's';
      } else {
        return null;
      }
      if (sb == null) {
        sb = new StringBuilder(key.length()).append(key, 0, i);
      }
      sb.append(to);
    }
    return sb == null ? key : sb.toString();
  }

  /**
   * {@code objectPath.key}, or {@code objectPath["odd key"]} for keys that are not plain words.
   * StringBuilder rather than {@code +}: these run for every element on the normal path, and each
   * {@code +} site costs an invokedynamic bootstrap the first time a short-lived command runs it.
   */
  private static String join(String objectPath, String key) {
    StringBuilder sb = new StringBuilder(objectPath.length() + key.length() + 4).append(objectPath);
    if (isSimpleKey(key)) {
      if (!objectPath.isEmpty()) {
        sb.append('.');
      }
      sb.append(key);
    } else {
      sb.append('[').append(Text.quote(key)).append(']');
    }
    return sb.toString();
  }

  /** {@code arrayPath[i]}. */
  private static String index(String arrayPath, int i) {
    return new StringBuilder(arrayPath.length() + 8)
        .append(arrayPath)
        .append('[')
        .append(i)
        .append(']')
        .toString();
  }

  private static boolean isSimpleKey(String key) {
    if (key.isEmpty() || key.length() > 64) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** Skips one value of any shape, checking depth, string lengths and repeated keys. */
  private void skip(JsonToken t) throws ManifestException {
    if (t == JsonToken.START_OBJECT) {
      checkDepth();
      Set<String> keys = new HashSet<>();
      for (JsonToken k = advance(); k != JsonToken.END_OBJECT; k = advance()) {
        String raw = name();
        if (!keys.add(raw)) {
          throw error(
              join(contextPath(parser.getParsingContext()), raw),
              "duplicate key " + Text.quote(raw));
        }
        skip(advance());
      }
    } else if (t == JsonToken.START_ARRAY) {
      checkDepth();
      for (JsonToken e = advance(); e != JsonToken.END_ARRAY; e = advance()) {
        skip(e);
      }
    } else if (t == JsonToken.VALUE_STRING) {
      int length = textLength();
      if (length > ManifestReader.MAX_STRING_LENGTH) {
        checkLength(length, scalarPath());
      }
    } else if (t == null) {
      throw truncated();
    }
  }

  private void checkDepth() throws ManifestException {
    int depth = parser.getParsingContext().getNestingDepth();
    if (depth > ManifestReader.MAX_DEPTH) {
      throw error(
          contextPath(parser.getParsingContext().getParent()),
          "nesting deeper than "
              + ManifestReader.MAX_DEPTH
              + " levels ("
              + at(parser.currentLocation())
              + ")");
    }
  }

  /** The field path of the current scalar token (a value inside an object or array). */
  private String scalarPath() {
    JsonStreamContext ctx = parser.getParsingContext();
    if (ctx.inObject() && ctx.getCurrentName() != null) {
      return join(contextPath(ctx), ctx.getCurrentName());
    }
    if (ctx.inArray()) {
      return contextPath(ctx) + "[" + ctx.getCurrentIndex() + "]";
    }
    return contextPath(ctx);
  }

  private void checkLength(int length, Where path) throws ManifestException {
    if (length > ManifestReader.MAX_STRING_LENGTH) {
      checkLength(length, path.toString());
    }
  }

  private void checkLength(int length, String path) throws ManifestException {
    if (length > ManifestReader.MAX_STRING_LENGTH) {
      throw error(
          path,
          "string of "
              + length
              + " characters is longer than the limit of "
              + ManifestReader.MAX_STRING_LENGTH
              + " ("
              + at(parser.currentLocation())
              + ")");
    }
  }

  /** Advances to the next array element; false at the end of the array. */
  private boolean nextElement() throws ManifestException {
    JsonToken t = advance();
    if (t == null) {
      throw truncated();
    }
    return t != JsonToken.END_ARRAY;
  }

  private JsonToken current() {
    return parser.currentToken();
  }

  private JsonToken advance() throws ManifestException {
    try {
      JsonToken t = parser.nextToken();
      if (t == null && parser.getParsingContext().getNestingDepth() > 0) {
        throw truncated();
      }
      return t;
    } catch (JsonProcessingException e) {
      throw jsonError(e);
    } catch (IOException e) {
      throw error(
          contextPath(parser.getParsingContext()),
          "cannot read: " + Text.oneLine(String.valueOf(e.getMessage())));
    }
  }

  private String name() throws ManifestException {
    try {
      int length = parser.getTextLength();
      if (length > ManifestReader.MAX_STRING_LENGTH) { // the path only when it is needed
        checkLength(length, contextPath(parser.getParsingContext()));
      }
      return parser.currentName();
    } catch (JsonProcessingException e) {
      throw jsonError(e);
    } catch (IOException e) {
      throw error(
          contextPath(parser.getParsingContext()),
          "cannot read: " + Text.oneLine(String.valueOf(e.getMessage())));
    }
  }

  private int textLength() throws ManifestException {
    try {
      return parser.getTextLength();
    } catch (JsonProcessingException e) {
      throw jsonError(e, scalarPath());
    } catch (IOException e) {
      throw error(
          contextPath(parser.getParsingContext()),
          "cannot read: " + Text.oneLine(String.valueOf(e.getMessage())));
    }
  }

  private String text(Where path) throws ManifestException {
    try {
      checkLength(parser.getTextLength(), path);
      return parser.getText();
    } catch (JsonProcessingException e) {
      throw jsonError(e, path.toString());
    } catch (IOException e) {
      throw error(path, "cannot read: " + Text.oneLine(String.valueOf(e.getMessage())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Document start and end

  private void open() throws ManifestException {
    if (json.length > ManifestReader.MAX_DOCUMENT_BYTES) {
      throw error(
          "",
          "document of "
              + json.length
              + " bytes is larger than the limit of "
              + ManifestReader.MAX_DOCUMENT_BYTES
              + " bytes");
    }
    checkBytes();
    try {
      parser = ManifestReader.FACTORY.createParser(json);
    } catch (IOException e) {
      throw error("", "cannot read: " + Text.oneLine(String.valueOf(e.getMessage())));
    }
    JsonToken t = advance();
    if (t == null) {
      throw error("", "empty document (expected a JSON object)");
    }
    if (t != JsonToken.START_OBJECT) {
      throw error(
          "",
          "expected a JSON object at the top level, got "
              + describe(t)
              + " ("
              + at(parser.currentTokenLocation())
              + ")");
    }
  }

  private void close() throws ManifestException {
    JsonToken t = advance();
    if (t != null) {
      throw error(
          "",
          "unexpected data ("
              + describe(t)
              + ") after the top-level object ("
              + at(parser.currentTokenLocation())
              + ")");
    }
    try {
      parser.close();
    } catch (IOException e) {
      throw error("", "cannot read: " + Text.oneLine(String.valueOf(e.getMessage())));
    }
  }

  /**
   * Checks that the document is UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
   * U+10FFFF), has no byte order mark, and no raw control character other than tab, LF and CR (JSON
   * allows them nowhere else). Jackson alone does not reject every invalid sequence.
   */
  private void checkBytes() throws ManifestException {
    byte[] b = json;
    int n = b.length;
    if (n >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      throw error(
          "",
          "the document starts with a UTF-8 byte order mark, which JSON (RFC 8259) and appc do not"
              + " allow");
    }
    int i = 0;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          throw error(
              pathAt(i),
              "invalid JSON at "
                  + lineColumn(i)
                  + ": raw control character "
                  + String.format("0x%02x", c)
                  + " (JSON allows only tab, LF and CR outside escapes)");
        }
        i++;
        continue;
      }
      int len;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) {
          lo = 0xA0;
        } else if (c == 0xED) {
          hi = 0x9F;
        }
      } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) {
          lo = 0x90;
        } else if (c == 0xF4) {
          hi = 0x8F;
        }
      } else {
        throw badUtf8(i, c);
      }
      if (i + len > n) {
        throw error(
            pathAt(i),
            "invalid UTF-8 at "
                + lineColumn(i)
                + ": incomplete sequence at the end of the document");
      }
      int c1 = b[i + 1] & 0xff;
      if (c1 < lo || c1 > hi) {
        throw badUtf8(i + 1, c1);
      }
      for (int k = 2; k < len; k++) {
        int ck = b[i + k] & 0xff;
        if (ck < 0x80 || ck > 0xBF) {
          throw badUtf8(i + k, ck);
        }
      }
      i += len;
    }
  }

  private ManifestException badUtf8(int offset, int value) {
    return error(
        pathAt(offset),
        "invalid UTF-8 at "
            + lineColumn(offset)
            + ": unexpected byte "
            + String.format("0x%02x", value));
  }

  /** "line L, column C" of a byte offset, both counted from 1, columns in bytes. */
  private String lineColumn(int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (json[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return "line " + line + ", column " + (offset - lineStart + 1);
  }

  /**
   * The field path of the value a byte offset lies in: parses the document up to the offset and
   * reads the parser's context where it stopped. Best effort: {@code ""} if that fails.
   */
  private String pathAt(int offset) {
    try (JsonParser p = ManifestReader.FACTORY.createParser(json, 0, offset)) {
      try {
        while (p.nextToken() != null) {
          // walk to the end of the prefix
        }
      } catch (IOException expected) {
        // the prefix ends inside a value
      }
      JsonStreamContext ctx = p.getParsingContext();
      String path = contextPath(ctx);
      if (ctx.inObject() && ctx.getCurrentName() != null) {
        return join(path, ctx.getCurrentName());
      }
      if (ctx.inArray() && ctx.getCurrentIndex() >= 0 && ctx.getEntryCount() > 0) {
        return path + "[" + ctx.getCurrentIndex() + "]";
      }
      return path;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** The field path of the container a parser context stands for ("" for the top level). */
  private static String contextPath(JsonStreamContext ctx) {
    if (ctx == null || ctx.inRoot()) {
      return "";
    }
    JsonStreamContext parent = ctx.getParent();
    String parentPath = contextPath(parent);
    if (parent == null || parent.inRoot()) {
      return parentPath;
    }
    if (parent.inArray()) {
      return parentPath + "[" + parent.getCurrentIndex() + "]";
    }
    String name = parent.getCurrentName();
    return name == null ? parentPath : join(parentPath, name);
  }

  private ManifestException truncated() {
    return error(
        contextPath(parser.getParsingContext()),
        "truncated document: unexpected end of input (" + at(parser.currentLocation()) + ")");
  }

  /**
   * Maps a Jackson parse failure to one line: what, where (line and column), no Jackson internals.
   */
  private ManifestException jsonError(JsonProcessingException e) {
    return jsonError(e, null);
  }

  /**
   * Maps a Jackson failure to one line.
   *
   * @param knownPath the field path of the token being decoded, or null to derive it from the
   *     parser's context
   */
  private ManifestException jsonError(JsonProcessingException e, String knownPath) {
    String path = contextPath(parser == null ? null : parser.getParsingContext());
    if (parser != null
        && parser.currentToken() == JsonToken.FIELD_NAME
        && parser.getParsingContext().getCurrentName() != null) {
      // the failure is in this key's value
      path = join(path, parser.getParsingContext().getCurrentName());
    }
    if (knownPath != null) {
      path = knownPath;
    }
    String where = at(e.getLocation());
    if (e instanceof JsonEOFException || cutShort(e)) {
      return error(path, "truncated document: unexpected end of input (" + where + ")");
    }
    String what = cleanJacksonMessage(e.getOriginalMessage());
    if (e instanceof StreamConstraintsException) {
      return error(path, "document exceeds a parser limit (" + where + "): " + what);
    }
    return error(path, "invalid JSON at " + where + ": " + what);
  }

  static String cleanJacksonMessage(String message) {
    if (message == null || message.isBlank()) {
      return "syntax error";
    }
    String m = message;
    int nl = m.indexOf('\n');
    if (nl >= 0) {
      m = m.substring(0, nl);
    }
    // Jackson points at the start of the enclosing value with "(... [Source: ...; line: L,
    // column: C])"; drop that part, the error's own position is given separately.
    int sourceAt = m.indexOf("[Source:");
    if (sourceAt >= 0) {
      int open = m.lastIndexOf(" (", sourceAt);
      int close = m.indexOf("])", sourceAt);
      if (open >= 0 && close >= 0) {
        m = m.substring(0, open) + m.substring(close + 2);
      } else {
        m = m.substring(0, sourceAt);
      }
    }
    for (String cut :
        new String[] {
          ": enable `",
          "; enable `",
          " (not recognized as one since",
          ", from `StreamReadConstraints"
        }) {
      int at = m.indexOf(cut);
      if (at > 0) {
        m = m.substring(0, at);
      }
    }
    m = m.trim();
    if (m.isEmpty()) {
      return "syntax error";
    }
    if (m.length() > 200) {
      m = m.substring(0, 200) + "...";
    }
    m = Character.toLowerCase(m.charAt(0)) + m.substring(1);
    return Text.oneLine(m);
  }

  private static String at(JsonLocation loc) {
    if (loc == null || loc.getLineNr() < 1) {
      return "unknown position";
    }
    return "line " + loc.getLineNr() + ", column " + Math.max(loc.getColumnNr(), 1);
  }

  private ManifestException error(Where path, String reason) {
    return error(path.toString(), reason);
  }

  private ManifestException error(String path, String reason) {
    return new ManifestException(source, path, reason);
  }

  /**
   * Whether a parse failure is really the document ending too early: Jackson reports some cuts
   * (inside {@code true}, after {@code 1.}, between object entries) as syntax errors rather than
   * {@link JsonEOFException}. True when the message says end-of-input, or when everything from the
   * failure to the end of the document is one unfinished literal or number inside the top-level
   * object.
   */
  private boolean cutShort(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("end-of-input")) {
      return true;
    }
    if (parser == null || parser.getParsingContext().inRoot()) {
      return false; // after the top-level value: trailing content, not a cut
    }
    long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
    if (offset < 0 || offset >= json.length) {
      return false;
    }
    for (long i = offset; i < json.length; i++) {
      byte b = json[(int) i];
      boolean literalOrNumber =
          (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '.' || b == '-' || b == '+' || b == 'E';
      if (!literalOrNumber) {
        return false;
      }
    }
    return true;
  }
}
