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
