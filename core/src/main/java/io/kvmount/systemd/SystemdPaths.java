package io.kvmount.systemd;

import java.io.ByteArrayOutputStream;

/**
 * Byte-level ports of the systemd 252 path predicates that unit-name escaping relies on ({@code
 * src/basic/path-util.c}): {@code path_find_first_component()}, {@code path_is_valid_full()},
 * {@code path_is_normalized()}, {@code path_simplify()}. The end of the array plays the part of
 * C's terminating NUL. Package-private.
 */
final class SystemdPaths {
  /** Linux {@code NAME_MAX}: longest path component in bytes. */
  static final int NAME_MAX = 255;

  /** Linux {@code PATH_MAX}: path buffer size in bytes, including the terminating NUL. */
  static final int PATH_MAX = 4096;

  private SystemdPaths() {}

  /** Result of {@link #findFirstComponent}: {@code rc} (component length, 0 at end, -1 error). */
  private static final class Component {
    int rc;
    int next;
    int first;
  }

  private static int skipSlashOrDot(byte[] s, int p) {
    while (p < s.length) {
      if (s[p] == '/') {
        p++;
        continue;
      }
      if (s[p] == '.' && p + 1 < s.length && s[p + 1] == '/') {
        p += 2;
        continue;
      }
      break;
    }
    return p;
  }

  /** Same as systemd {@code path_find_first_component()}; on error {@code next} is unchanged. */
  private static Component findFirstComponent(byte[] s, int q, boolean acceptDotDot) {
    Component c = new Component();
    c.next = q;
    int first = skipSlashOrDot(s, q);
    if (first == s.length) {
      c.next = first;
      c.rc = 0;
      return c;
    }
    if (s[first] == '.' && first + 1 == s.length) {
      c.next = first + 1;
      c.rc = 0;
      return c;
    }
    int end = first;
    while (end < s.length && s[end] != '/') {
      end++;
    }
    int len = end - first;
    if (len > NAME_MAX) {
      c.rc = -1;
      return c;
    }
    if (!acceptDotDot && len == 2 && s[first] == '.' && s[first + 1] == '.') {
      c.rc = -1;
      return c;
    }
    int next = skipSlashOrDot(s, end);
    if (next + 1 == s.length && s[next] == '.') {
      next++;
    }
    c.next = next;
    c.first = first;
    c.rc = len;
    return c;
  }

  /** Same as systemd {@code path_is_valid_full()}. */
  static boolean isValid(byte[] s, boolean acceptDotDot) {
    if (s.length == 0) {
      return false;
    }
    int e = 0;
    for (; ; ) {
      Component c = findFirstComponent(s, e, acceptDotDot);
      if (c.rc < 0) {
        return false;
      }
      e = c.next;
      if (e >= PATH_MAX) {
        return false;
      }
      if (e == s.length) {
        return true;
      }
    }
  }

  /** Same as systemd {@code path_is_valid()} ({@code ..} allowed). */
  static boolean isValid(byte[] s) {
    return isValid(s, true);
  }

  /**
   * Same as systemd {@code is_device_path()}: the path starts with the component {@code dev} or
   * {@code sys} ({@code path_startswith(p, "/dev/")}, component-wise) and has something after it:
   * {@code /dev/sda} and {@code /sys/x/} are device paths, {@code /dev}, {@code /dev/} and {@code
   * /dev/.} are not ({@code systemd-escape --mangle} gives {@code dev.mount} for them).
   */
  static boolean isDevicePath(byte[] s) {
    if (!isAbsolute(s)) {
      return false;
    }
    Component c = findFirstComponent(s, 0, true);
    if (c.rc != 3) {
      return false;
    }
    String first = new String(s, c.first, 3, java.nio.charset.StandardCharsets.ISO_8859_1);
    return (first.equals("dev") || first.equals("sys"))
        && findFirstComponent(s, c.next, true).rc != 0;
  }

  /** Same as systemd {@code path_is_absolute()}. */
  static boolean isAbsolute(byte[] s) {
    return s.length > 0 && s[0] == '/';
  }

  /** Same as systemd {@code path_is_normalized()}. */
  static boolean isNormalized(byte[] s) {
    if (!isValid(s, false)) {
      return false;
    }
    int n = s.length;
    if ((n == 1 && s[0] == '.')
        || (n >= 2 && s[0] == '.' && s[1] == '/')
        || (n >= 2 && s[n - 2] == '/' && s[n - 1] == '.')) {
      return false;
    }
    for (int i = 0; i + 1 < n; i++) {
      if (s[i] == '/' && s[i + 1] == '/') {
        return false;
      }
      if (i + 2 < n && s[i] == '/' && s[i + 1] == '.' && s[i + 2] == '/') {
        return false;
      }
    }
    return true;
  }

  /**
   * Same as systemd 252 {@code path_simplify()}: collapses repeated slashes, drops {@code .}
   * components and trailing slashes; keeps {@code ..}; a relative path that simplifies to nothing
   * becomes {@code "."}; the part after an over-long component is kept unchanged.
   */
  static byte[] simplify(byte[] s) {
    if (s.length == 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length);
    int p = 0;
    if (isAbsolute(s)) {
      out.write('/');
      p = 1;
    }
    boolean addSlash = false;
    for (; ; ) {
      Component c = findFirstComponent(s, p, true);
      if (c.rc == 0) {
        break;
      }
      if (addSlash) {
        out.write('/');
      }
      if (c.rc < 0) {
        out.write(s, p, s.length - p);
        return out.toByteArray();
      }
      out.write(s, c.first, c.rc);
      p = c.next;
      addSlash = true;
    }
    if (out.size() == 0) {
      out.write('.');
    }
    return out.toByteArray();
  }
}
