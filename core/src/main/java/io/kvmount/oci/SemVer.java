package io.kvmount.oci;

/**
 * Semantic Versioning 2.0.0 text ({@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}, no leading
 * zeros in numeric parts), parsed by hand in one pass (no regular expression, so a long hostile
 * string costs linear time). Stateless.
 */
final class SemVer {

  private SemVer() {}

  /**
   * Parses a version and returns its major and minor numbers.
   *
   * @param text the version text, such as {@code "1.0.2-dev"} or {@code "1.1.0-rc.1+abc"}
   * @return {@code {major, minor}} ({@link Long#MAX_VALUE} for a number of more than 18 digits), or
   *     null if the text is not a semantic version
   */
  static long[] majorMinor(String text) {
    int end = text.length();
    int plus = text.indexOf('+');
    if (plus >= 0) {
      if (!identifiers(text, plus + 1, end, false)) {
        return null;
      }
      end = plus;
    }
    int dash = text.indexOf('-');
    if (dash >= 0 && dash < end) {
      if (!identifiers(text, dash + 1, end, true)) {
        return null;
      }
      end = dash;
    }
    long[] numbers = new long[3];
    int start = 0;
    for (int k = 0; k < 3; k++) {
      int stop = k < 2 ? text.indexOf('.', start) : end;
      if (stop < 0 || stop > end) {
        return null;
      }
      if (!isNumber(text, start, stop)) {
        return null;
      }
      numbers[k] = stop - start > 18 ? Long.MAX_VALUE : Long.parseLong(text.substring(start, stop));
      start = stop + 1;
    }
    return new long[] {numbers[0], numbers[1]};
  }

  /** A numeric part: digits, no leading zero (except "0" itself). */
  private static boolean isNumber(String s, int from, int to) {
    if (from >= to || (to - from > 1 && s.charAt(from) == '0')) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * Dot-separated, non-empty identifiers of {@code 0-9 A-Z a-z -}; in a pre-release, numeric
   * identifiers have no leading zero.
   */
  private static boolean identifiers(String s, int from, int to, boolean preRelease) {
    int start = from;
    while (true) {
      int stop = s.indexOf('.', start);
      if (stop < 0 || stop > to) {
        stop = to;
      }
      if (start == stop) {
        return false;
      }
      boolean numeric = true;
      for (int i = start; i < stop; i++) {
        char c = s.charAt(i);
        boolean digit = c >= '0' && c <= '9';
        if (!(digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
          return false;
        }
        numeric &= digit;
      }
      if (preRelease && numeric && stop - start > 1 && s.charAt(start) == '0') {
        return false;
      }
      if (stop == to) {
        return true;
      }
      start = stop + 1;
    }
  }
}
