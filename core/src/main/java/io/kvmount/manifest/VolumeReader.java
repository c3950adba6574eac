package io.kvmount.manifest;

import com.fasterxml.jackson.core.JsonToken;
import io.kvmount.json.FieldPath;
import io.kvmount.json.JsonCursor;
import io.kvmount.json.ObjectFields;
import io.kvmount.path.FileMode;
import java.util.Optional;

/**
 * Reads an appc volume object (an entry of a pod's {@code volumes}, or a mount's {@code
 * appVolume}): a host volume needs an absolute {@code source} and has no mode or owner; an empty
 * volume has no {@code source} (or an empty one), and its {@code mode} (octal text up to {@code
 * 07777}, default {@code 0755}), {@code uid} and {@code gid} (integers from 0 to 4294967294,
 * default 0) are checked here. Part of {@link SchemaReader}; not thread-safe.
 */
final class VolumeReader {

  private static final String[] VOLUME_KEYS = {
    "name", "kind", "source", "readOnly", "mode", "uid", "gid", "recursive"
  };

  private final JsonCursor<ManifestException> in;
  private final SchemaReader schema;

  VolumeReader(JsonCursor<ManifestException> in, SchemaReader schema) {
    this.in = in;
    this.schema = schema;
  }

  /**
   * Reads the volume object whose start is the cursor's current token.
   *
   * @param path the object's field path
   * @return the host or empty volume
   * @throws ManifestException if a field is missing, of the wrong type, not allowed for the
   *     volume's kind, or out of range
   */
  Volume read(FieldPath path) throws ManifestException {
    in.object(path);
    AcName name = null;
    String kind = null;
    String src = null;
    Optional<Boolean> readOnly = Optional.empty();
    Optional<Boolean> recursive = Optional.empty();
    String mode = null;
    Long uid = null;
    Long gid = null;
    ObjectFields<ManifestException> f = in.fields(path, VOLUME_KEYS);
    while (f.next()) {
      switch (f.key()) {
        case "name":
          name = schema.acName(f.path());
          break;
        case "kind":
          kind = in.string(f.path());
          break;
        case "source":
          src = in.string(f.path());
          break;
        case "readOnly":
          readOnly = Optional.of(in.bool(f.path()));
          break;
        case "recursive":
          recursive = Optional.of(in.bool(f.path()));
          break;
        case "mode":
          if (in.current() != JsonToken.VALUE_STRING) {
            throw in.typeError(f.path(), "a string (octal text such as \"0755\")");
          }
          mode = in.string(f.path());
          break;
        case "uid":
          uid = id(f.path());
          break;
        case "gid":
          gid = id(f.path());
          break;
        default:
          throw new AssertionError(f.key());
      }
    }
    if (name == null) {
      throw schema.error(path + ".name", "missing required field (the volume's name)");
    }
    if (kind == null) {
      throw schema.error(path + ".kind", "missing required field (must be \"host\" or \"empty\")");
    }
    if (kind.equals(Volume.HOST)) {
      if (src == null) {
        throw schema.error(
            path + ".source", "missing required field (a host volume needs an absolute host path)");
      }
      String problem = Text.hostPathProblem(src);
      if (problem != null) {
        throw schema.error(path + ".source", problem);
      }
      if (mode != null) {
        throw schema.error(
            path + ".mode", "not allowed on a host volume (only empty volumes have a mode)");
      }
      if (uid != null) {
        throw schema.error(
            path + ".uid", "not allowed on a host volume (only empty volumes have an owner)");
      }
      if (gid != null) {
        throw schema.error(
            path + ".gid", "not allowed on a host volume (only empty volumes have an owner)");
      }
      return new Volume.Host(name, src, readOnly, recursive);
    }
    if (kind.equals(Volume.EMPTY)) {
      if (src != null && !src.isEmpty()) {
        throw schema.error(
            path + ".source",
            "not allowed on an empty volume (got "
                + Text.quote(src)
                + "; use \"kind\": \"host\" to share a host directory)");
      }
      FileMode fileMode = mode == null ? FileMode.DEFAULT_DIRECTORY : mode(path.key("mode"), mode);
      return new Volume.Empty(
          name, readOnly, fileMode, uid == null ? 0 : uid, gid == null ? 0 : gid);
    }
    throw schema.error(
        path + ".kind",
        "unknown volume kind " + Text.quote(kind) + " (must be \"host\" or \"empty\")");
  }

  private FileMode mode(FieldPath path, String text) throws ManifestException {
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
      throw schema.error(path, Text.quote(text) + " is not an octal mode (such as \"0755\")");
    }
    String digits = text.substring(firstNonZero);
    // At most four octal digits after the leading zeros: at most 07777.
    if (digits.length() > 4) {
      throw schema.error(path, Text.quote(text) + " is above 07777");
    }
    return new FileMode(digits.isEmpty() ? 0 : Integer.parseInt(digits, 8));
  }

  /** A uid or gid: a JSON integer from 0 to 4294967294. */
  private long id(FieldPath path) throws ManifestException {
    JsonToken t = in.current();
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      throw schema.error(path, "expected an integer, got the number " + in.numberText(path));
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw in.typeError(path, "an integer");
    }
    String digits = in.numberText(path);
    long value;
    if (digits.length() > 12) {
      value = Long.MAX_VALUE; // out of range whatever its sign; the message quotes the digits
    } else {
      value = Long.parseLong(digits);
    }
    if (value < 0 || value > Volume.Empty.MAX_ID) {
      throw schema.error(path, digits + " is outside 0.." + Volume.Empty.MAX_ID);
    }
    return value;
  }
}
