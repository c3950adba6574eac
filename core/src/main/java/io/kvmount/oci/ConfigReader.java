package io.kvmount.oci;

import com.fasterxml.jackson.core.JsonToken;
import io.kvmount.json.ErrorFactory;
import io.kvmount.json.FieldPath;
import io.kvmount.json.JsonCursor;
import io.kvmount.json.Messages;
import io.kvmount.json.ObjectFields;
import io.kvmount.oci.OciConfig.IdMapping;
import io.kvmount.oci.OciConfig.OciMount;
import io.kvmount.oci.OciConfig.Root;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the objects of a {@code config.json} (the configuration, {@code root}, a mount, an id
 * mapping) field by field from a {@link JsonCursor}, checks each value as {@link OciReader}
 * describes, and builds the records. One use of {@link OciReader#read}: not thread-safe; create
 * one per document.
 */
final class ConfigReader implements ErrorFactory<OciException> {

  // Spelled as the json tags of runtime-spec specs-go/config.go.
  private static final String[] CONFIG_KEYS = {"ociVersion", "root", "mounts", "linux"};
  private static final String[] LINUX_KEYS = {"rootfsPropagation", "maskedPaths", "readonlyPaths"};
  private static final java.util.Set<String> PROPAGATION = java.util.Set.of(
      "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable");
  private static final String[] ROOT_KEYS = {"path", "readonly"};
  private static final String[] MOUNT_KEYS = {
    "destination", "source", "type", "options", "uidMappings", "gidMappings"
  };
  private static final String[] MAPPING_KEYS = {"containerID", "hostID", "size"};

  /** Largest id or count in an id mapping (Go's uint32). */
  static final long MAX_UINT32 = 0xFFFF_FFFFL;

  /** The newest minor version of runtime-spec 1 that kvmount knows (1.3.x). */
  static final int NEWEST_KNOWN_MINOR = 3;

  private final String source;
  private final JsonCursor<OciException> in;

  ConfigReader(byte[] json, String source) {
    this.source = source;
    this.in = new JsonCursor<>(json, OciReader.LIMITS, OciReader.FORMAT, this);
  }

  /**
   * Makes the exception for a problem in this document (the cursor's errors come here too).
   *
   * @param fieldPath where, such as {@code "mounts[1].destination"}; {@code ""} for the whole
   *     document
   * @param reason why, one line
   * @return the exception, naming this document's source
   */
  @Override
  public OciException error(String fieldPath, String reason) {
    return new OciException(source, fieldPath, reason);
  }

  private OciException error(FieldPath path, String reason) {
    return error(path.toString(), reason);
  }

  // ---------------------------------------------------------------------------------------------
  // The document

  /** Reads the document: {@link OciReader#read}. */
  OciConfig read() throws OciException {
    in.open();
    String version = null;
    Root root = null;
    List<OciMount> mounts = List.of();
    OciConfig.Linux linux = OciConfig.Linux.NONE;
    List<String> warnings = new ArrayList<>();
    ObjectFields<OciException> f = in.fields(FieldPath.ROOT, CONFIG_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "ociVersion":
          version = version(f.path(), warnings);
          break;
        case "root":
          root = root(f.path());
          break;
        case "mounts":
          mounts = mounts(f.path());
          break;
        case "linux":
          linux = linux(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    in.close();
    if (version == null) {
      throw error(
          "ociVersion", "missing required field (the runtime-spec version, such as \"1.2.0\")");
    }
    if (root == null) {
      throw error(
          "root",
          "missing required field (the bundle's root filesystem, such as {\"path\": \"rootfs\"})");
    }
    return new OciConfig(version, root, mounts, warnings, linux);
  }

  /** {@code linux}: only its rootfs fields; every other key is checked and skipped. */
  private OciConfig.Linux linux(FieldPath path) throws OciException {
    in.object(path);
    java.util.Optional<String> propagation = java.util.Optional.empty();
    List<String> masked = List.of();
    List<String> readonly = List.of();
    ObjectFields<OciException> f = in.fields(path, LINUX_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "rootfsPropagation":
          String word = text(f.path());
          if (!PROPAGATION.contains(word)) {
            throw error(f.path(), Messages.quote(word) + " is not a propagation (shared, slave, private or"
                + " unbindable, or their r forms)");
          }
          propagation = java.util.Optional.of(word);
          break;
        case "maskedPaths":
          masked = paths(f.path());
          break;
        case "readonlyPaths":
          readonly = paths(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    return new OciConfig.Linux(propagation, masked, readonly);
  }

  /** {@code maskedPaths} or {@code readonlyPaths}: absolute paths in the container. */
  private List<String> paths(FieldPath path) throws OciException {
    in.array(path);
    List<String> out = new ArrayList<>();
    for (int i = 0; in.nextElement(); i++) {
      FieldPath p = path.index(i);
      in.limit(i, OciReader.MAX_MOUNTS, p, "paths");
      String value = text(p);
      if (!value.startsWith("/")) {
        throw error(p, Messages.quote(value) + " is not an absolute path (runtime-spec: absolute paths in the"
            + " container)");
      }
      out.add(value);
    }
    return out;
  }

  /** {@code ociVersion}: semantic version 1.x; above 1.3 a warning. */
  private String version(FieldPath path, List<String> warnings) throws OciException {
    String version = in.string(path);
    long[] v = SemVer.majorMinor(version);
    if (v == null) {
      throw error(
          path, Messages.quote(version) + " is not a semantic version (such as \"1.2.0\")");
    }
    if (v[0] != 1) {
      throw error(
          path,
          Messages.quote(version)
              + " is not supported (kvmount reads runtime-spec 1.0.0 to 1.3.x)");
    }
    if (v[1] > NEWEST_KNOWN_MINOR) {
      warnings.add(
          new OciException(
                  source,
                  path.toString(),
                  Messages.quote(version)
                      + " is newer than the runtime-spec versions kvmount knows (1.0.0 to 1.3.x);"
                      + " read as 1.3")
              .getMessage());
    }
    return version;
  }

  private Root root(FieldPath path) throws OciException {
    in.object(path);
    String rootPath = null;
    boolean readOnly = false;
    ObjectFields<OciException> f = in.fields(path, ROOT_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "path":
          rootPath = text(f.path());
          if (rootPath.isEmpty()) {
            throw error(
                f.path(),
                "must not be empty (the root filesystem's directory, absolute or relative to the"
                    + " bundle)");
          }
          break;
        case "readonly":
          readOnly = in.bool(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    if (rootPath == null) {
      throw error(
          path.key("path"),
          "missing required field (the root filesystem's directory, absolute or relative to the"
              + " bundle)");
    }
    return new Root(rootPath, readOnly);
  }

  // ---------------------------------------------------------------------------------------------
  // Mounts

  private List<OciMount> mounts(FieldPath path) throws OciException {
    in.array(path);
    List<OciMount> mounts = new ArrayList<>();
    for (int i = 0; in.nextElement(); i++) {
      FieldPath p = path.index(i);
      in.limit(i, OciReader.MAX_MOUNTS, p, "mounts");
      mounts.add(mount(p));
    }
    return mounts;
  }

  private OciMount mount(FieldPath path) throws OciException {
    in.object(path);
    String destination = null;
    Optional<String> src = Optional.empty();
    Optional<String> type = Optional.empty();
    List<String> options = List.of();
    Optional<List<IdMapping>> uidMappings = Optional.empty();
    Optional<List<IdMapping>> gidMappings = Optional.empty();
    ObjectFields<OciException> f = in.fields(path, MOUNT_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "destination":
          destination = text(f.path());
          if (destination.isEmpty()) {
            throw error(f.path(), "must not be empty (the mount's path in the container)");
          }
          break;
        case "source":
          src = Optional.of(text(f.path()));
          break;
        case "type":
          type = Optional.of(text(f.path()));
          break;
        case "options":
          options = options(f.path());
          break;
        case "uidMappings":
          uidMappings = Optional.of(mappings(f.path()));
          break;
        case "gidMappings":
          gidMappings = Optional.of(mappings(f.path()));
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    if (destination == null) {
      throw error(
          path.key("destination"), "missing required field (the mount's path in the container)");
    }
    if (uidMappings.isPresent() != gidMappings.isPresent()) {
      String given = uidMappings.isPresent() ? "uidMappings" : "gidMappings";
      String missing = uidMappings.isPresent() ? "gidMappings" : "uidMappings";
      throw error(
          path.key(missing),
          "missing (the mount has "
              + given
              + "; runtime-spec requires uidMappings and gidMappings together)");
    }
    return new OciMount(destination, src, type, options, uidMappings, gidMappings);
  }

  private List<String> options(FieldPath path) throws OciException {
    in.array(path);
    List<String> options = new ArrayList<>();
    for (int i = 0; in.nextElement(); i++) {
      FieldPath p = path.index(i);
      in.limit(i, OciReader.MAX_OPTIONS_PER_MOUNT, p, "options in one mount");
      options.add(text(p));
    }
    return options;
  }

  private List<IdMapping> mappings(FieldPath path) throws OciException {
    in.array(path);
    List<IdMapping> mappings = new ArrayList<>();
    for (int i = 0; in.nextElement(); i++) {
      FieldPath p = path.index(i);
      in.limit(i, OciReader.MAX_ID_MAPPINGS, p, "id mappings in one mount");
      mappings.add(mapping(p));
    }
    return mappings;
  }

  private IdMapping mapping(FieldPath path) throws OciException {
    in.object(path);
    long containerId = -1;
    long hostId = -1;
    long size = -1;
    ObjectFields<OciException> f = in.fields(path, MAPPING_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "containerID":
          containerId = uint32(f.path());
          break;
        case "hostID":
          hostId = uint32(f.path());
          break;
        case "size":
          size = uint32(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    if (containerId < 0) {
      throw error(path.key("containerID"), "missing required field (the first id in the mount)");
    }
    if (hostId < 0) {
      throw error(path.key("hostID"), "missing required field (the first id on the host)");
    }
    if (size < 0) {
      throw error(path.key("size"), "missing required field (how many ids are mapped)");
    }
    return new IdMapping(containerId, hostId, size);
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars

  /** A string without control characters or unpaired surrogates. */
  private String text(FieldPath path) throws OciException {
    String value = in.string(path);
    String bad = Messages.badCharacter(value);
    if (bad != null) {
      throw error(path, Messages.quote(value) + " contains " + bad);
    }
    return value;
  }

  /** A JSON integer from 0 to 4294967295 (Go's uint32). */
  private long uint32(FieldPath path) throws OciException {
    JsonToken t = in.current();
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      throw error(path, "expected an integer, got the number " + in.numberText(path));
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw in.typeError(path, "an integer");
    }
    String digits = in.numberText(path);
    long value;
    if (digits.length() > 12) {
      value = digits.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
    } else {
      value = Long.parseLong(digits);
    }
    if (value < 0 || value > MAX_UINT32) {
      throw error(path, digits + " is outside 0.." + MAX_UINT32);
    }
    return value;
  }

}
