package io.kvmount.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.Locale;

/**
 * The text of kvmount's one-line input messages: values quoted so that nothing in them can break
 * the line or hide in a terminal, and Jackson's parser failures rewritten as {@code "invalid JSON
 * at line L, column C: <what>"} without Jackson's internals. Stateless.
 */
public final class Messages {

  /** Longest value quoted in a message, in characters; longer values are cut with "...". */
  public static final int MAX_QUOTED_CHARS = 120;

  private Messages() {}

  /**
   * Quotes a value for a message: double quotes around it, {@code "} and {@code \} escaped, and
   * every character that could break the line or hide in a terminal escaped ({@code \n}, {@code
   * \r}, {@code \t}, {@code \x01}, {@code \x7f}; C1 controls, the line and paragraph separators,
   * the byte order mark and unpaired surrogates as backslash-u and four hex digits). Values longer
   * than {@link #MAX_QUOTED_CHARS} are shortened.
   *
   * @param value any text
   * @return the quoted text, such as {@code "a\nb"} or {@code "aaa..."... (300 characters)}
   */
  public static String quote(String value) {
    StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_QUOTED_CHARS) + 8);
    sb.append('"');
    int n = Math.min(value.length(), MAX_QUOTED_CHARS);
    appendEscaped(sb, value, n, true);
    sb.append('"');
    if (value.length() > MAX_QUOTED_CHARS) {
      sb.append("... (").append(value.length()).append(" characters)");
    }
    return sb.toString();
  }

  /**
   * Escapes like {@link #quote} but without quotes and without shortening.
   *
   * @param value any text
   * @return the escaped text
   */
  public static String escape(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 8);
    appendEscaped(sb, value, value.length(), true);
    return sb.toString();
  }

  /**
   * Makes text safe for a one-line message without quoting it: control characters, line and
   * paragraph separators and unpaired surrogates are escaped as in {@link #quote}; {@code "} and
   * {@code \} stay as they are (text passed here was usually quoted already).
   *
   * @param text any text
   * @return {@code text} itself when nothing needs escaping, else the escaped text
   */
  public static String oneLine(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20
          || (c >= 0x7f && c <= 0x9f)
          || c == '\u2028'
          || c == '\u2029'
          || c == '\ufeff'
          || Character.isSurrogate(c)) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        appendEscaped(sb, text, text.length(), false);
        return sb.toString();
      }
    }
    return text;
  }

  private static void appendEscaped(StringBuilder sb, String value, int n, boolean quotes) {
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (!quotes && (c == '"' || c == '\\')) {
        sb.append(c);
        continue;
      }
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else if ((c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\ufeff') {
            sb.append(String.format("\\u%04x", (int) c));
          } else if (Character.isHighSurrogate(c)
              && i + 1 < value.length()
              && Character.isLowSurrogate(value.charAt(i + 1))) {
            sb.append(c).append(value.charAt(i + 1));
            i++;
          } else if (Character.isSurrogate(c)) {
            sb.append(String.format("\\u%04X", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
  }

  /**
   * Names the kind of value a token starts, for "expected X, got Y" messages.
   *
   * @param t a token, or null for the end of the input
   * @return {@code "an object"}, {@code "an array"}, {@code "a string"}, {@code "a number"}, {@code
   *     "a boolean"}, {@code "null"}, {@code "nothing"} (for null), or Jackson's text of the token
   */
  public static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() == null ? t.name() : t.asString();
    }
  }

  /**
   * Formats a parser location.
   *
   * @param loc a location from Jackson, or null
   * @return {@code "line L, column C"} (both counted from 1, as Jackson counts them), or {@code
   *     "unknown position"} when the location is missing
   */
  public static String position(JsonLocation loc) {
    if (loc == null || loc.getLineNr() < 1) {
      return "unknown position";
    }
    return "line " + loc.getLineNr() + ", column " + Math.max(loc.getColumnNr(), 1);
  }

  /**
   * Says in one line why Jackson could not read a document: a cut ({@code "truncated document:
   * unexpected end of input (line L, column C)"}), one of Jackson's own limits ({@code "document
   * exceeds a parser limit (...): <what>"}), or a syntax error ({@code "invalid JSON at line L,
   * column C: <what>"}).
   *
   * @param e Jackson's failure
   * @param json the whole document being read
   * @param insideTopLevel whether the parser was inside the top-level value when it failed (a
   *     failure after it is trailing content, never a cut)
   * @return the reason, without field path
   */
  public static String jacksonFailure(
      JsonProcessingException e, byte[] json, boolean insideTopLevel) {
    String where = position(e.getLocation());
    if (e instanceof JsonEOFException || cutShort(e, json, insideTopLevel)) {
      return "truncated document: unexpected end of input (" + where + ")";
    }
    String what = cleanJacksonMessage(e.getOriginalMessage());
    if (e instanceof StreamConstraintsException) {
      return "document exceeds a parser limit (" + where + "): " + what;
    }
    return "invalid JSON at " + where + ": " + what;
  }

  /**
   * Whether a parse failure is really the document ending too early: Jackson reports some cuts
   * (inside {@code true}, after {@code 1.}, between object entries) as syntax errors rather than
   * {@link JsonEOFException}. True when the message says end-of-input, or when everything from the
   * failure to the end of the document is one unfinished literal or number inside the top-level
   * value.
   */
  private static boolean cutShort(JsonProcessingException e, byte[] json, boolean insideTopLevel) {
    String m = e.getOriginalMessage();
    if (m != null && m.toLowerCase(Locale.ROOT).contains("end-of-input")) {
      return true;
    }
    if (!insideTopLevel) {
      return false; // after the top-level value: trailing content, not a cut
    }
    long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
    if (offset < 0 || offset >= json.length) {
      return false;
    }
    for (long i = offset; i < json.length; i++) {
      byte b = json[(int) i];
      boolean literalOrNumber =
          (b >= 'a' && b <= 'z')
              || (b >= '0' && b <= '9')
              || b == '.'
              || b == '-'
              || b == '+'
              || b == 'E';
      if (!literalOrNumber) {
        return false;
      }
    }
    return true;
  }

  /**
   * Shortens one of Jackson's messages to what a user needs: its first line, without Jackson's
   * "[Source: ...]" location (the caller gives the position), without its hints on parser features,
   * at most 200 characters, starting in lower case, safe for one line.
   *
   * @param message Jackson's original message, or null
   * @return the cleaned message; {@code "syntax error"} when nothing is left
   */
  public static String cleanJacksonMessage(String message) {
    if (message == null || message.isBlank()) {
      return "syntax error";
    }
    String m = message;
    int nl = m.indexOf('\n');
    if (nl >= 0) {
      m = m.substring(0, nl);
    }
    // Jackson points at the start of the enclosing value with "(... [Source: ...; line: L,
    // column: C])"; drop that part, the error's own position is given separately.
    int sourceAt = m.indexOf("[Source:");
    if (sourceAt >= 0) {
      int open = m.lastIndexOf(" (", sourceAt);
      int close = m.indexOf("])", sourceAt);
      if (open >= 0 && close >= 0) {
        m = m.substring(0, open) + m.substring(close + 2);
      } else {
        m = m.substring(0, sourceAt);
      }
    }
    for (String cut :
        new String[] {
          ": enable `",
          "; enable `",
          " (not recognized as one since",
          ", from `StreamReadConstraints"
        }) {
      int at = m.indexOf(cut);
      if (at > 0) {
        m = m.substring(0, at);
      }
    }
    m = m.trim();
    if (m.isEmpty()) {
      return "syntax error";
    }
    if (m.length() > 200) {
      m = m.substring(0, 200) + "...";
    }
    m = Character.toLowerCase(m.charAt(0)) + m.substring(1);
    return oneLine(m);
  }

  /**
   * Finds the first character that must not appear in a name, path or source: an ASCII control
   * character (0x00-0x1f, 0x7f) or an unpaired UTF-16 surrogate (which has no UTF-8 encoding).
   *
   * @param value the text
   * @return a phrase such as {@code "a control character (\n)"}, or {@code null} if there is none
   */
  public static String badCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "a control character (" + escape(String.valueOf(c)) + ")";
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "an unpaired surrogate ("
            + escape(String.valueOf(c))
            + "), which is not Unicode text";
      }
    }
    return null;
  }
}
