package io.kvmount.path;

/**
 * A Unix permission mode including the set-uid, set-gid and sticky bits: an integer from {@code
 * 0} to {@code 07777}. appc writes it as octal text ({@code "0755"}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param bits the mode bits, {@code 0} to {@code 07777}
 */
public record FileMode(int bits) {

  /** appc's default for empty volumes, {@code 0755}. */
  public static final FileMode DEFAULT_DIRECTORY = new FileMode(0755);

  /**
   * Checks the range.
   *
   * @param bits the mode bits, {@code 0} to {@code 07777}
   * @throws IllegalArgumentException if {@code bits} is outside {@code 0..07777}
   */
  public FileMode {
    if (bits < 0 || bits > 07777) {
      throw new IllegalArgumentException("mode " + Integer.toOctalString(bits) + " is outside 0..07777");
    }
  }

  /**
   * Parses octal text: one to four octal digits after an optional leading {@code 0} ({@code
   * "755"}, {@code "0755"}, {@code "01777"}).
   *
   * @param text the octal digits
   * @return the mode
   * @throws IllegalArgumentException with a one-line reason if the text is not octal or is above
   *     {@code 07777}
   */
  public static FileMode parseOctal(String text) {
    if (text.isEmpty() || text.length() > 5) {
      throw new IllegalArgumentException("mode \"" + text + "\" is not an octal number from 0 to 07777");
    }
    int v = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '7') {
        throw new IllegalArgumentException("mode \"" + text + "\" is not an octal number from 0 to 07777");
      }
      v = v * 8 + (c - '0');
    }
    if (v > 07777) {
      throw new IllegalArgumentException("mode \"" + text + "\" is above 07777");
    }
    return new FileMode(v);
  }

  /**
   * Returns the mode as octal text with a leading zero, as appc writes it: {@code "0755"}, {@code
   * "01777"}, {@code "07777"}.
   */
  @Override
  public String toString() {
    return bits > 0777 ? "0" + Integer.toOctalString(bits) : String.format("%04o", bits);
  }
}
