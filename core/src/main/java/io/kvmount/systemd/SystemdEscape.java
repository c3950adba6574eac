package io.kvmount.systemd;

import io.kvmount.path.GuestPath;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Escaping and unescaping of unit-name parts, byte for byte the same as systemd 252's {@code
 * systemd-escape} and {@code src/basic/unit-name.c} ({@code unit_name_escape()}, {@code
 * unit_name_path_escape()}, {@code unit_name_unescape()}, {@code unit_name_path_unescape()}).
 *
 * <p>Escaping works on bytes: a Java string is escaped as its UTF-8 encoding, so every byte of a
 * multi-byte character becomes its own {@code \xNN}. {@code /} becomes {@code -}; ASCII letters,
 * digits, {@code :}, {@code _} and {@code .} are kept, except that a {@code .} as the very first
 * byte becomes {@code \x2e}; every other byte (including {@code -}, {@code \}, space, {@code @},
 * {@code %}, control bytes and non-ASCII bytes) becomes {@code \x} and two lowercase hex digits.
 *
 * <p>Stateless and thread-safe. Output is deterministic.
 */
public final class SystemdEscape {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** systemd's log lines are formatted into a {@code LINE_MAX} buffer: at most 2047 bytes. */
  private static final int LOG_LINE_MAX = 2047;

  private SystemdEscape() {}

  /**
   * Escapes bytes like {@code systemd-escape STRING} (no {@code --path}): same as systemd {@code
   * unit_name_escape()}. No simplification: {@code "/mnt/foo"} gives {@code "-mnt-foo"}, {@code
   * ""} gives {@code ""}.
   *
   * @param raw the bytes to escape; a NUL byte (which systemd can never receive in an argument)
   *     is escaped as {@code \x00}
   * @return the escaped name part, ASCII only
   */
  public static String escape(byte[] raw) {
    StringBuilder sb = new StringBuilder(raw.length + 16);
    for (int i = 0; i < raw.length; i++) {
      int b = raw[i] & 0xff;
      if (i == 0 && b == '.') {
        hex(sb, b);
      } else if (b == '/') {
        sb.append('-');
      } else if (isKept(b)) {
        sb.append((char) b);
      } else {
        hex(sb, b);
      }
    }
    return sb.toString();
  }

  /**
   * Escapes the UTF-8 encoding of a string; see {@link #escape(byte[])}.
   *
   * @param s the text; must not contain lone surrogates
   * @return the escaped name part, ASCII only
   * @throws IllegalArgumentException if {@code s} has a lone surrogate (not encodable as UTF-8)
   */
  public static String escape(String s) {
    return escape(utf8(s));
  }

  /**
   * Escapes a path like {@code systemd-escape --path PATH} (no suffix): same as systemd {@code
   * unit_name_path_escape()}. The path is simplified first ({@code //}, {@code .} components and
   * a trailing {@code /} are dropped), {@code /} and {@code ""} give {@code "-"}, then the leading
   * {@code /} is removed and the rest escaped as in {@link #escape(byte[])}. Like {@code
   * systemd-escape}, relative paths are escaped too ({@code "foo/"} gives {@code "foo"}); use
   * {@link #escapePathDetailed(byte[])} to learn about the warning systemd prints for them.
   *
   * @param path the path
   * @return the escaped path, ASCII only, without suffix
   * @throws UnitException if systemd refuses the path: a {@code ..} component, a component
   *     longer than 255 bytes, 4096 bytes or more, {@code .} or another relative path that does
   *     not simplify to a normalised one
   */
  public static String escapePath(String path) throws UnitException {
    if (!Utf8.isWellFormed(path) || path.indexOf('\0') >= 0) {
      throw new UnitException(
          "cannot escape path " + Quote.of(path) + ": not a valid file system path");
    }
    PathEscape r = escapePathDetailed(utf8(path));
    if (r.escaped().isEmpty()) {
      throw new UnitException("cannot escape path " + Quote.of(path) + ": " + r.verdict().reason);
    }
    return r.escaped().get();
  }

  /**
   * Escapes a normalised guest path like {@code systemd-escape --path}: the same result as {@link
   * #escapePath(String)} of {@code path.toString()}, computed without encoding and simplifying the
   * text again when every component is ASCII (the common case: it runs once per mount unit and
   * dependency).
   *
   * @param path the path (normalised by construction)
   * @return the escaped path, ASCII only, without suffix ({@code "-"} for {@code /})
   * @throws UnitException as {@link #escapePath(String)}: a component longer than 255 bytes or a
   *     path of 4096 bytes or more
   */
  public static String escapePath(GuestPath path) throws UnitException {
    if (path.isRoot()) {
      return "-";
    }
    List<String> cs = path.components();
    StringBuilder sb = new StringBuilder(path.depth() * 12);
    int length = 0;
    for (int i = 0; i < cs.size(); i++) {
      String c = cs.get(i);
      int n = c.length();
      length += n + 1;
      if (n > 200 || length > 4000) {
        return escapePath(path.toString()); // near systemd's limits: let the full check decide
      }
      if (i > 0) {
        sb.append('-');
      }
      for (int j = 0; j < n; j++) {
        char ch = c.charAt(j);
        if (ch >= 0x80) {
          return escapePath(path.toString()); // UTF-8 bytes (or a lone surrogate): the full path
        }
        if ((i == 0 && j == 0 && ch == '.') || !isKept(ch)) {
          hex(sb, ch);
        } else {
          sb.append(ch);
        }
      }
    }
    return sb.toString();
  }

  /** How {@code systemd-escape --path} judges an input (the cases it reports on stderr). */
  public enum PathVerdict {
    /** Escaped without comment. */
    OK(""),
    /** Escaped, with the warning that the input is not a valid path (only {@code ""} in practice). */
    WARN_NOT_VALID("not a valid file system path"),
    /** Escaped, with the warning that the input is not absolute. */
    WARN_NOT_ABSOLUTE("not an absolute file system path"),
    /** Refused: a component over 255 bytes, or the whole path 4096 bytes or more. */
    REFUSED_NOT_VALID("not a valid file system path"),
    /** Refused: a relative path that does not simplify to a normalised one ({@code .}, {@code ../x}). */
    REFUSED_NOT_ABSOLUTE("not an absolute file system path"),
    /** Refused: a {@code ..} component. */
    REFUSED_NOT_NORMALIZED("not a normalized file system path"),
    /** Refused for a reason systemd does not name ("Failed to escape string"). */
    REFUSED_OTHER("invalid argument");

    private final String reason;

    PathVerdict(String reason) {
      this.reason = reason;
    }

    /**
     * Returns the line {@code systemd-escape --path} 252 prints on stderr for this verdict, e.g.
     * {@code Input '/mnt/../foo' is not a normalized file system path, failed to escape.}
     * (without the final newline; the input is inserted byte for byte, the message cut at 2047
     * bytes and every run of CR/LF in it printed as one line break, as systemd's logger does).
     *
     * @param input the raw input argument
     * @return the message bytes, empty for {@link #OK}
     */
    public byte[] systemdMessage(byte[] input) {
      String tail;
      switch (this) {
        case OK:
          return new byte[0];
        case WARN_NOT_VALID:
          tail = " is not a valid file system path, escaping is likely not going be reversible.";
          break;
        case WARN_NOT_ABSOLUTE:
          tail =
              " is not an absolute file system path, escaping is likely not going to be"
                  + " reversible.";
          break;
        case REFUSED_OTHER:
          return "Failed to escape string: Invalid argument".getBytes(StandardCharsets.UTF_8);
        default:
          tail = " is " + reason + ", failed to escape.";
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes("Input '".getBytes(StandardCharsets.UTF_8));
      out.writeBytes(cString(input));
      out.writeBytes(("'" + tail).getBytes(StandardCharsets.UTF_8));
      return asLogged(out.toByteArray());
    }

    /**
     * Returns the reason in words.
     *
     * @return e.g. {@code "not a normalized file system path"}; empty for {@link #OK}
     */
    public String reason() {
      return reason;
    }
  }

  /**
   * The outcome of escaping a path the way {@code systemd-escape --path} does.
   *
   * @param escaped the escaped path without suffix, or empty when refused
   * @param verdict whether systemd accepts, warns or refuses, and why
   */
  public record PathEscape(Optional<String> escaped, PathVerdict verdict) {}

  /**
   * Escapes a path and reports what {@code systemd-escape --path} would say about it; same
   * decisions and the same order of checks as {@code systemd-escape} 252.
   *
   * @param path the raw path bytes (any bytes; NUL is treated as the end of the string, as in C)
   * @return the escaped text or the refusal, with the verdict
   */
  public static PathEscape escapePathDetailed(byte[] path) {
    byte[] p = cString(path);
    Optional<String> escaped = pathEscape(p);
    boolean valid = SystemdPaths.isValid(p);
    boolean absolute = SystemdPaths.isAbsolute(p);
    if (escaped.isEmpty()) {
      PathVerdict v;
      if (!valid) {
        v = PathVerdict.REFUSED_NOT_VALID;
      } else if (!absolute) {
        v = PathVerdict.REFUSED_NOT_ABSOLUTE;
      } else if (!SystemdPaths.isNormalized(p)) {
        v = PathVerdict.REFUSED_NOT_NORMALIZED;
      } else {
        v = PathVerdict.REFUSED_OTHER;
      }
      return new PathEscape(Optional.empty(), v);
    }
    PathVerdict v =
        !valid ? PathVerdict.WARN_NOT_VALID : !absolute ? PathVerdict.WARN_NOT_ABSOLUTE : PathVerdict.OK;
    return new PathEscape(escaped, v);
  }

  /** Same as systemd {@code unit_name_path_escape()}; empty when it returns -EINVAL. */
  private static Optional<String> pathEscape(byte[] path) {
    byte[] p = SystemdPaths.simplify(path);
    if (p.length == 0 || (p.length == 1 && p[0] == '/')) {
      return Optional.of("-");
    }
    if (!SystemdPaths.isNormalized(p)) {
      return Optional.empty();
    }
    int start = 0;
    int end = p.length;
    while (end > 0 && p[end - 1] == '/') {
      end--;
    }
    while (start < end && p[start] == '/') {
      start++;
    }
    return Optional.of(escape(Arrays.copyOfRange(p, start, end)));
  }

  /**
   * Unescapes like {@code systemd-escape --unescape STRING}: same as systemd {@code
   * unit_name_unescape()}. Every {@code -} becomes {@code /}, every {@code \xNN} (two hex digits,
   * either case) the byte NN; other bytes are copied. A decoded NUL byte ends the result, as it
   * ends the C string systemd prints ({@code "a\x00b"} gives {@code "a"}).
   *
   * @param s the escaped text
   * @return the decoded bytes (any bytes except NUL; not necessarily UTF-8)
   * @throws UnitException if a {@code \} is not followed by {@code x} and two hex digits
   */
  public static byte[] unescape(String s) throws UnitException {
    return unescape(utf8(s));
  }

  /**
   * Unescapes raw bytes; see {@link #unescape(String)}.
   *
   * @param s the escaped bytes (a NUL byte ends the input, as in C)
   * @return the decoded bytes, cut at the first decoded NUL
   * @throws UnitException if a {@code \} is not followed by {@code x} and two hex digits
   */
  public static byte[] unescape(byte[] s) throws UnitException {
    byte[] in = cString(s);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      byte c = in[i];
      if (c == '-') {
        out.write('/');
      } else if (c == '\\') {
        int a = i + 2 < in.length && in[i + 1] == 'x' ? unhex(in[i + 2]) : -1;
        int b = a >= 0 && i + 3 < in.length ? unhex(in[i + 3]) : -1;
        if (b < 0) {
          throw new UnitException(
              "cannot unescape " + Quote.of(in) + ": \"\\\" at byte " + i + " is not followed by"
                  + " \"x\" and two hex digits");
        }
        out.write((a << 4) | b);
        i += 3;
      } else {
        out.write(c);
      }
    }
    return cString(out.toByteArray());
  }

  /**
   * Unescapes a path like {@code systemd-escape --unescape --path STRING}: same as systemd {@code
   * unit_name_path_unescape()}. {@code "-"} gives {@code "/"}; otherwise the text is unescaped as
   * in {@link #unescape(String)}, must not start or end with {@code /}, and {@code /} + result
   * must be a normalised path (no empty, {@code .} or {@code ..} component, components at most
   * 255 bytes, less than 4096 bytes).
   *
   * @param s the escaped path, without unit suffix
   * @return the absolute path bytes (not necessarily UTF-8)
   * @throws UnitException if systemd refuses it ("Failed to unescape string: Invalid argument")
   */
  public static byte[] unescapePath(String s) throws UnitException {
    return unescapePath(utf8(s));
  }

  /**
   * Unescapes a path given as raw bytes; see {@link #unescapePath(String)}.
   *
   * @param s the escaped bytes
   * @return the absolute path bytes
   * @throws UnitException if systemd refuses it
   */
  public static byte[] unescapePath(byte[] s) throws UnitException {
    byte[] in = cString(s);
    if (in.length == 0) {
      throw new UnitException("cannot unescape an empty string as a path");
    }
    if (in.length == 1 && in[0] == '-') {
      return new byte[] {'/'};
    }
    byte[] w = unescape(in);
    if (w.length > 0 && (w[0] == '/' || w[w.length - 1] == '/')) {
      throw new UnitException(
          "cannot unescape " + Quote.of(in) + " as a path: it starts or ends with \"-\" or \"\\x2f\"");
    }
    byte[] full = new byte[w.length + 1];
    full[0] = '/';
    System.arraycopy(w, 0, full, 1, w.length);
    if (!SystemdPaths.isNormalized(full)) {
      throw new UnitException(
          "cannot unescape "
              + Quote.of(in)
              + " as a path: "
              + Quote.of(full)
              + " is not a normalized file system path");
    }
    return full;
  }

  private static final byte[] LONG_UNIT_NAME_HASH_KEY = {
    (byte) 0xec, (byte) 0xf2, 0x37, (byte) 0xfb, 0x58, 0x32, 0x4a, 0x32,
    (byte) 0x84, (byte) 0x9f, 0x06, (byte) 0x9b, 0x0d, 0x21, (byte) 0xeb, (byte) 0x9a
  };

  /**
   * The unit name systemd 251+ itself gives a path ({@code unit_name_from_path()}, used by PID 1
   * and generators): {@link #escapePathDetailed(byte[]) path escaping} plus the suffix, and when
   * that is 256 bytes or more, the first bytes of it, {@code _}, 16 hex digits of SipHash-2-4 of
   * the whole name and the suffix, 255 bytes in all. Unlike {@link UnitName#mount}, which refuses
   * such names because older systemd versions cannot hash them.
   *
   * @param path the path bytes
   * @param type the unit type without dot, e.g. {@code "mount"}
   * @return the name, or empty where systemd refuses the path
   */
  public static Optional<String> unitNameFromPath(byte[] path, String type) {
    if (!UnitName.TYPES.contains(type)) {
      return Optional.empty();
    }
    Optional<String> p = pathEscape(cString(path));
    if (p.isEmpty()) {
      return Optional.empty();
    }
    String s = p.get() + "." + type;
    if (s.length() >= UnitName.MAX_BYTES + 1) {
      byte[] withNul = (s + "\0").getBytes(StandardCharsets.US_ASCII);
      long h = SipHash.hash24(LONG_UNIT_NAME_HASH_KEY, withNul);
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        int b = (int) (h >>> (8 * i)) & 0xff;
        hex.append(HEX[b >> 4]).append(HEX[b & 0xf]);
      }
      int len = UnitName.MAX_BYTES - type.length() - 16 - 2;
      s = s.substring(0, len) + "_" + hex + "." + type;
    }
    return UnitName.isValid(s) && s.indexOf('@') < 0 ? Optional.of(s) : Optional.empty();
  }

  /**
   * Turns a string into a unit name like {@code systemd-escape --mangle} (systemd 252 {@code
   * unit_name_mangle()} with suffix {@code .service} and no glob support): a valid unit name is
   * kept; a path under {@code /dev/} or {@code /sys/} becomes a {@code .device} name and another
   * absolute path a {@code .mount} name (hashed if long); otherwise {@code /} becomes {@code -},
   * bytes outside {@code [A-Za-z0-9:_.\@-]} become {@code \xNN}, and {@code .service} is added
   * unless the result already is a valid unit name.
   *
   * @param raw the input bytes
   * @return the unit name, or empty where systemd refuses ("Failed to mangle name")
   */
  public static Optional<String> mangle(byte[] raw) {
    byte[] name = cString(raw);
    if (name.length == 0) {
      return Optional.empty();
    }
    String text = new String(name, StandardCharsets.UTF_8);
    if (Arrays.equals(text.getBytes(StandardCharsets.UTF_8), name) && UnitName.isValid(text)) {
      return Optional.of(text);
    }
    if (SystemdPaths.isAbsolute(name)) {
      if (SystemdPaths.isDevicePath(name)) {
        Optional<String> d = unitNameFromPath(name, "device");
        if (d.isPresent()) {
          return d;
        }
      }
      Optional<String> m = unitNameFromPath(name, "mount");
      if (m.isPresent()) {
        return m;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (byte x : name) {
      int b = x & 0xff;
      if (b == '/') {
        sb.append('-');
      } else if (isKept(b) || b == '-' || b == '\\' || b == '@') {
        sb.append((char) b);
      } else {
        hex(sb, b);
      }
    }
    String s = sb.toString();
    if (!UnitName.isValid(s)) {
      s = s + ".service";
    }
    return UnitName.isValid(s) ? Optional.of(s) : Optional.empty();
  }

  /**
   * Returns a message as systemd's logger prints it on the console: cut to 2047 bytes (systemd
   * formats into a {@code LINE_MAX} buffer, and may cut a UTF-8 character in two), then every run
   * of CR and LF characters printed as one line break, with none at either end. The caller adds
   * the final newline.
   *
   * @param msg the formatted message bytes
   * @return the bytes systemd writes, without the final newline
   */
  public static byte[] asLogged(byte[] msg) {
    if (msg.length > LOG_LINE_MAX) {
      msg = Arrays.copyOf(msg, LOG_LINE_MAX);
    }
    ByteArrayOutputStream lines = new ByteArrayOutputStream(msg.length);
    boolean pendingBreak = false;
    for (byte b : msg) {
      if (b == '\n' || b == '\r') {
        pendingBreak = lines.size() > 0;
      } else {
        if (pendingBreak) {
          lines.write('\n');
          pendingBreak = false;
        }
        lines.write(b);
      }
    }
    return lines.toByteArray();
  }

  /** Returns whether systemd keeps this byte as is ({@code [A-Za-z0-9:_.]}). */
  static boolean isKept(int b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == ':'
        || b == '_'
        || b == '.';
  }

  private static void hex(StringBuilder sb, int b) {
    sb.append('\\').append('x').append(HEX[b >> 4]).append(HEX[b & 0xf]);
  }

  private static int unhex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * Cuts bytes at the first NUL, as C code (and so systemd) sees the string.
   *
   * @param b any bytes
   * @return {@code b} itself if it has no NUL, else a copy of the part before the first NUL
   */
  public static byte[] cString(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        return Arrays.copyOf(b, i);
      }
    }
    return b;
  }

  static byte[] utf8(String s) {
    if (!Utf8.isWellFormed(s)) {
      throw new IllegalArgumentException("text " + Quote.of(s) + " has a lone surrogate");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
