package io.kvmount.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import java.io.IOException;

/**
 * Checks a JSON document's bytes before they are parsed: UTF-8 as RFC 3629 defines it (no overlong
 * forms, no surrogates, nothing above U+10FFFF), no byte order mark, and no raw control character
 * other than tab, LF and CR (JSON, RFC 8259, allows them nowhere else). Jackson alone does not
 * reject every invalid sequence. Stateless.
 */
public final class JsonBytes {

  private JsonBytes() {}

  /**
   * Checks a document's bytes; the message of a failure names the byte's line and column (both from
   * 1, columns in bytes) and the field path of the value it lies in.
   *
   * @param json the document
   * @param factory the factory the document will be parsed with (used to find the field path of a
   *     bad byte)
   * @param format the name of the document's format for the byte-order-mark message, such as {@code
   *     "appc"} ("which JSON (RFC 8259) and appc do not allow")
   * @param errors makes the exception
   * @param <E> the reader's exception type
   * @throws E if the document starts with a byte order mark, holds a raw control character other
   *     than tab, LF and CR, or is not well-formed UTF-8 (the first offending byte is named)
   */
  public static <E extends Exception> void check(
      byte[] json, JsonFactory factory, String format, ErrorFactory<E> errors) throws E {
    byte[] b = json;
    int n = b.length;
    if (n >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      throw errors.error(
          "",
          "the document starts with a UTF-8 byte order mark, which JSON (RFC 8259) and "
              + format
              + " do not allow");
    }
    String notJson = notJson(json);
    if (notJson != null) {
      String article = "aeiouAEIOU".indexOf(format.charAt(0)) >= 0 ? "an " : "a ";
      throw errors.error("", notJson + "; kvmount reads JSON only: " + article + format
          + " document is a JSON object ({\"key\": value, ...}); convert the file to JSON");
    }
    int i = 0;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          throw errors.error(
              pathAt(json, factory, i),
              "invalid JSON at "
                  + lineColumn(json, i)
                  + ": raw control character "
                  + String.format("0x%02x", c)
                  + " (JSON allows only tab, LF and CR outside escapes)");
        }
        i++;
        continue;
      }
      // The lead byte gives the length and the range of the second byte (RFC 3629, section 4):
      // that range is what excludes overlong forms, surrogates and values above U+10FFFF.
      int len;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) {
          lo = 0xA0;
        } else if (c == 0xED) {
          hi = 0x9F;
        }
      } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) {
          lo = 0x90;
        } else if (c == 0xF4) {
          hi = 0x8F;
        }
      } else {
        throw badUtf8(json, factory, errors, i, c);
      }
      if (i + len > n) {
        throw errors.error(
            pathAt(json, factory, i),
            "invalid UTF-8 at "
                + lineColumn(json, i)
                + ": incomplete sequence at the end of the document");
      }
      int c1 = b[i + 1] & 0xff;
      if (c1 < lo || c1 > hi) {
        throw badUtf8(json, factory, errors, i + 1, c1);
      }
      for (int k = 2; k < len; k++) {
        int ck = b[i + k] & 0xff;
        if (ck < 0x80 || ck > 0xBF) {
          throw badUtf8(json, factory, errors, i + k, ck);
        }
      }
      i += len;
    }
  }

  /**
   * What a document that is plainly not JSON looks like, from its first non-blank byte: {@code
   * "not JSON: the document looks like YAML (it starts with \"acKind: PodManifest\")"}; null when
   * it starts as JSON may (an opening brace or bracket, a string, a number, {@code true}, {@code
   * false}, {@code null}) or is blank, which the parser then judges. Detects YAML ({@code ---}, {@code
   * %YAML}, {@code key: value}, {@code - item}, {@code #} comments), XML and HTML ({@code <}), and
   * JSON with comments ({@code //}, {@code /*}); anything else that no JSON value starts with is
   * "not JSON" without a guess.
   *
   * @param json the document (without a byte order mark)
   * @return the first part of the message, or null
   */
  static String notJson(byte[] json) {
    int i = 0;
    while (i < json.length && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
      i++;
    }
    if (i == json.length) {
      return null;
    }
    int c = json[i] & 0xff;
    if (c < 0x20 || c >= 0x7f) {
      return null; // a control byte or not ASCII (UTF-16, binary): the byte checks name it
    }
    if (c == '{' || c == '[' || c == '"' || (c >= '0' && c <= '9')) {
      return null;
    }
    String start = startLine(json, i);
    String looks;
    if (c == '-') {
      if (i + 1 < json.length && json[i + 1] >= '0' && json[i + 1] <= '9') {
        return null; // a negative number
      }
      looks = "YAML";
    } else if (c == 't' || c == 'f' || c == 'n') {
      String word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      if (start.startsWith(word) && (start.length() == word.length()
          || " \t,]}".indexOf(start.charAt(word.length())) >= 0)) {
        return null; // a JSON literal
      }
      looks = start.matches("[A-Za-z_][A-Za-z0-9_.-]*\\s*:.*") ? "YAML" : null;
    } else if (c == '%' || c == '#') {
      looks = "YAML";
    } else if (c == '<') {
      looks = start.regionMatches(true, 0, "<?xml", 0, 5) ? "XML" : "XML or HTML";
    } else if (c == '/') {
      looks = "JSON with comments (JSON has none)";
    } else {
      looks = start.matches("[A-Za-z_][A-Za-z0-9_.-]*\\s*:.*") ? "YAML" : null;
    }
    String quoted = Messages.quote(start.length() > 40 ? start.substring(0, 40) + "..." : start);
    return "not JSON: the document " + (looks == null ? "does not start like JSON" : "looks like " + looks)
        + " (it starts with " + quoted + ")";
  }

  /** The text of the line that starts at {@code from}, decoded leniently, without its line break. */
  private static String startLine(byte[] json, int from) {
    int end = from;
    while (end < json.length && json[end] != '\n' && json[end] != '\r' && end - from < 200) {
      end++;
    }
    return new String(json, from, end - from, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static <E extends Exception> E badUtf8(
      byte[] json, JsonFactory factory, ErrorFactory<E> errors, int offset, int value) {
    return errors.error(
        pathAt(json, factory, offset),
        "invalid UTF-8 at "
            + lineColumn(json, offset)
            + ": unexpected byte "
            + String.format("0x%02x", value));
  }

  /** "line L, column C" of a byte offset, both counted from 1, columns in bytes. */
  private static String lineColumn(byte[] json, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (json[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return "line " + line + ", column " + (offset - lineStart + 1);
  }

  /**
   * The field path of the value a byte offset lies in: parses the document up to the offset and
   * reads the parser's context where it stopped. Best effort: {@code ""} if that fails.
   */
  private static String pathAt(byte[] json, JsonFactory factory, int offset) {
    try (JsonParser p = factory.createParser(json, 0, offset)) {
      try {
        while (p.nextToken() != null) {
          // walk to the end of the prefix
        }
      } catch (IOException expected) {
        // the prefix ends inside a value
      }
      JsonStreamContext ctx = p.getParsingContext();
      String path = FieldPath.of(ctx);
      if (ctx.inObject() && ctx.getCurrentName() != null) {
        return FieldPath.child(path, ctx.getCurrentName());
      }
      if (ctx.inArray() && ctx.getCurrentIndex() >= 0 && ctx.getEntryCount() > 0) {
        return path + "[" + ctx.getCurrentIndex() + "]";
      }
      return path;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
