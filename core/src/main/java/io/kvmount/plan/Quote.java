package io.kvmount.plan;

/** Makes any text safe to show inside a one-line message. */
final class Quote {
  private Quote() {}

  /**
   * Escapes backslash, double quote and control characters ({@code \n}, {@code \x01}).
   *
   * @param s any text
   * @return the text with control characters written as escapes
   */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
