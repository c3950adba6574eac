package io.kvmount.systemd;

/** UTF-8 helpers (package-private). */
final class Utf8 {
  private Utf8() {}

  /**
   * Returns the length of the well-formed UTF-8 sequence starting at {@code i} (1 to 4), or 0 if
   * the bytes there are not well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most
   * U+10FFFF).
   */
  static int validSequenceLength(byte[] b, int i) {
    int b0 = b[i] & 0xff;
    if (b0 < 0x80) {
      return 1;
    }
    int len;
    int min;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      len = 2;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      len = 3;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      len = 4;
      min = 0x10000;
    } else {
      return 0;
    }
    if (i + len > b.length) {
      return 0;
    }
    int cp = b0 & (0x7f >> len);
    for (int k = 1; k < len; k++) {
      int c = b[i + k] & 0xff;
      if ((c & 0xc0) != 0x80) {
        return 0;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return 0;
    }
    return len;
  }

  /** Returns whether the whole array is well-formed UTF-8. */
  static boolean isValid(byte[] b) {
    int i = 0;
    while (i < b.length) {
      int len = validSequenceLength(b, i);
      if (len == 0) {
        return false;
      }
      i += len;
    }
    return true;
  }

  /** Returns whether a Java string is free of lone surrogates (so it encodes to UTF-8 exactly). */
  static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
