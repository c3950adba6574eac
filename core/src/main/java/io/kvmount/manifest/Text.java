package io.kvmount.manifest;

import io.kvmount.json.Messages;
import java.nio.charset.StandardCharsets;

/**
 * Text helpers of the manifest package: the checks on names, paths and versions that both the
 * reader and the record constructors apply, and short names for the message quoting of {@link
 * Messages}, which the JSON cursor shares. Stateless.
 */
final class Text {

  /** Longest value quoted in a message, in characters; longer values are cut with "...". */
  static final int MAX_QUOTED_CHARS = Messages.MAX_QUOTED_CHARS;

  /** Longest path in bytes, without the terminating NUL (Linux {@code PATH_MAX} - 1). */
  static final int MAX_PATH_BYTES = 4095;

  /** Longest path component in bytes (Linux {@code NAME_MAX}). */
  static final int MAX_COMPONENT_BYTES = 255;

  private Text() {}

  /** Quotes a value for a message: {@link Messages#quote}. */
  static String quote(String value) {
    return Messages.quote(value);
  }

  /** Makes text safe for a one-line message without quoting it: {@link Messages#oneLine}. */
  static String oneLine(String text) {
    return Messages.oneLine(text);
  }

  /**
   * Checks a path inside an app rootfs (a mount point's or mount's {@code path}): non-empty, no
   * control characters, components of at most 255 bytes, at most 4095 bytes in all. A relative
   * path is read from the app's root and {@code ..} is resolved inside the app rootfs when the
   * pod is planned (as rkt and OCI runtime-spec 1.2 do), so neither is refused here.
   *
   * @return the reason it is refused (the value quoted), or {@code null} if it is acceptable
   */
  static String appPathProblem(String path) {
    if (path.isEmpty()) {
      return "must not be empty (an absolute path inside the app rootfs is required)";
    }
    String bad = Messages.badCharacter(path);
    if (bad != null) {
      return quote(path) + " contains " + bad;
    }
    // Component by component, without splitting (called for every mount of a large pod).
    int len = path.length();
    for (int start = 0; start <= len; ) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = len;
      }
      if (end - start > MAX_COMPONENT_BYTES / 3
          && path.substring(start, end).getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
        return quote(path) + " has a component longer than " + MAX_COMPONENT_BYTES + " bytes";
      }
      start = end + 1;
    }
    if (path.length() > MAX_PATH_BYTES / 3
        && path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      return quote(path) + " is longer than " + MAX_PATH_BYTES + " bytes";
    }
    return null;
  }

  /**
   * Checks a host volume's {@code source}: non-empty, absolute, no control characters, at most 4095
   * bytes. As in appc, {@code ..} components are allowed (the host path is the operator's choice).
   *
   * @return the reason it is refused (the value quoted), or {@code null} if it is acceptable
   */
  static String hostPathProblem(String source) {
    if (source.isEmpty()) {
      return "must not be empty (a host volume needs an absolute host path)";
    }
    String bad = Messages.badCharacter(source);
    if (bad != null) {
      return quote(source) + " contains " + bad;
    }
    if (source.charAt(0) != '/') {
      return quote(source) + " is not an absolute path (it must start with \"/\")";
    }
    if (source.length() > MAX_PATH_BYTES / 3
        && source.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      return quote(source) + " is longer than " + MAX_PATH_BYTES + " bytes";
    }
    return null;
  }

  /**
   * Checks an appc AC Identifier (image names): non-empty, only {@code a-z 0-9 - . _ ~ /}, starting
   * and ending with {@code a-z} or {@code 0-9}. Same rule as appc {@code types.NewACIdentifier}
   * (which, like us, does not reject doubled separators).
   *
   * @return the reason it is refused (the value quoted), or {@code null} if it is acceptable
   */
  static String acIdentifierProblem(String value) {
    if (value.isEmpty()) {
      return "\"\" is not a valid AC identifier (must not be empty)";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(isLowerAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/')) {
        return quote(value)
            + " is not a valid AC identifier (only a-z, 0-9 and \"-\", \".\", \"_\", \"~\", \"/\")";
      }
    }
    if (!isLowerAlnum(value.charAt(0)) || !isLowerAlnum(value.charAt(value.length() - 1))) {
      return quote(value) + " is not a valid AC identifier (must start and end with a-z or 0-9)";
    }
    return null;
  }

  static boolean isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  /**
   * Checks a Semantic Versioning 2.0.0 version ({@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}, no
   * leading zeros in numeric parts) and refuses {@code 0.0.0}, like appc {@code types.NewSemVer}.
   * Stricter than the go-semver parser appc uses, which also accepts leading zeros and a {@code +}
   * sign on the numbers.
   *
   * @return the reason it is refused (the value quoted), or {@code null} if it is acceptable
   */
  static String semVerProblem(String value) {
    String bad = quote(value) + " is not a semantic version (such as \"0.8.11\")";
    String rest = value;
    int plus = rest.indexOf('+');
    if (plus >= 0) {
      if (!identifiersOk(rest.substring(plus + 1), false)) {
        return bad;
      }
      rest = rest.substring(0, plus);
    }
    int dash = rest.indexOf('-');
    if (dash >= 0) {
      if (!identifiersOk(rest.substring(dash + 1), true)) {
        return bad;
      }
      rest = rest.substring(0, dash);
    }
    String[] parts = rest.split("\\.", -1);
    if (parts.length != 3) {
      return bad;
    }
    boolean zero = true;
    for (String p : parts) {
      if (!isNumeric(p) || (p.length() > 1 && p.charAt(0) == '0') || p.length() > 18) {
        return bad;
      }
      zero &= p.equals("0");
    }
    if (zero && dash < 0 && plus < 0) {
      return quote(value) + " is not allowed (the version must not be zero)";
    }
    return null;
  }

  private static boolean identifiersOk(String dotted, boolean preRelease) {
    for (String id : dotted.split("\\.", -1)) {
      if (id.isEmpty()) {
        return false;
      }
      for (int i = 0; i < id.length(); i++) {
        char c = id.charAt(i);
        if (!((c >= '0' && c <= '9')
            || (c >= 'a' && c <= 'z')
            || (c >= 'A' && c <= 'Z')
            || c == '-')) {
          return false;
        }
      }
      if (preRelease && isNumeric(id) && id.length() > 1 && id.charAt(0) == '0') {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
