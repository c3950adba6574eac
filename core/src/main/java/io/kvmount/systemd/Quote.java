package io.kvmount.systemd;

import java.nio.charset.StandardCharsets;

/**
 * Quotes values for one-line error messages: double quotes around the text, with {@code "} and
 * {@code \} backslash-escaped, common control characters as {@code \n}, {@code \r}, {@code \t},
 * other control characters, DEL, lone surrogates and (for byte input) invalid UTF-8 bytes as
 * {@code \xNN}. Printable non-ASCII text is kept.
 */
public final class Quote {
  private Quote() {}

  /**
   * Quotes a string.
   *
   * @param s any text, possibly with control characters or lone surrogates
   * @return the quoted text, safe to print on one line
   */
  public static String of(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        appendChar(sb, c);
      }
    }
    return sb.append('"').toString();
  }

  /**
   * Quotes bytes that are meant to be UTF-8; bytes that are not valid UTF-8 appear as {@code
   * \xNN}.
   *
   * @param raw the bytes
   * @return the quoted text, safe to print on one line
   */
  public static String of(byte[] raw) {
    StringBuilder sb = new StringBuilder(raw.length + 2).append('"');
    int i = 0;
    while (i < raw.length) {
      int len = Utf8.validSequenceLength(raw, i);
      if (len <= 0) {
        sb.append(String.format("\\x%02x", raw[i] & 0xff));
        i++;
      } else if (len == 1) {
        appendChar(sb, (char) raw[i]);
        i++;
      } else if (len == 2) {
        appendChar(sb, new String(raw, i, 2, StandardCharsets.UTF_8).charAt(0)); // C1 controls
        i += 2;
      } else {
        sb.append(new String(raw, i, len, StandardCharsets.UTF_8));
        i += len;
      }
    }
    return sb.append('"').toString();
  }

  private static void appendChar(StringBuilder sb, char c) {
    switch (c) {
      case '\n':
        sb.append("\\n");
        break;
      case '\r':
        sb.append("\\r");
        break;
      case '\t':
        sb.append("\\t");
        break;
      case '"':
        sb.append("\\\"");
        break;
      case '\\':
        sb.append("\\\\");
        break;
      default:
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
          sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        } else {
          sb.append(c);
        }
    }
  }
}
