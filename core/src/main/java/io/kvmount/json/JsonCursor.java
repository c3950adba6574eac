package io.kvmount.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * A cursor over the tokens of one JSON document whose top-level value is an object, for readers
 * that build their records field by field: it checks the bytes ({@link JsonBytes}) and the limits
 * ({@link JsonLimits}) before Jackson's streaming parser sees them, walks objects with {@link
 * ObjectFields} (known keys, matched like Go's encoding/json; unknown keys skipped but checked),
 * reads scalars of the expected type, and turns every failure into one line with a field path,
 * thrown as the reader's own exception type (made by an {@link ErrorFactory}).
 *
 * <p>Use: {@link #open}, then read the top-level object with {@link #fields}, then {@link #close}.
 * Not thread-safe; create one per document.
 *
 * @param <E> the reader's exception type
 */
public final class JsonCursor<E extends Exception> {

  private final byte[] json;
  private final JsonLimits limits;
  private final String format;
  private final ErrorFactory<E> errors;

  /**
   * {@code limits.maxStringLength()}, read once: it is compared for every key and string, much of
   * that in the interpreter at start-up, where a field costs less than a call.
   */
  private final int maxStringLength;

  private JsonParser parser;

  /**
   * Creates a cursor; nothing is read until {@link #open}.
   *
   * @param json the document
   * @param limits the format's limits and parser factory
   * @param format the format's name for messages that name it, such as {@code "appc"}
   * @param errors makes the reader's exception for each problem
   */
  public JsonCursor(byte[] json, JsonLimits limits, String format, ErrorFactory<E> errors) {
    this.json = json;
    this.limits = limits;
    this.format = format;
    this.errors = errors;
    this.maxStringLength = limits.maxStringLength();
  }

  // ---------------------------------------------------------------------------------------------
  // Document start and end

  /**
   * Checks the document's size and bytes, starts the parser and moves to the top-level object.
   *
   * @throws E if the document is too large, not UTF-8 JSON text ({@link JsonBytes}), empty, or its
   *     top-level value is not an object
   */
  public void open() throws E {
    if (json.length > limits.maxDocumentBytes()) {
      throw errors.error(
          "",
          "document of "
              + json.length
              + " bytes is larger than the limit of "
              + limits.maxDocumentBytes()
              + " bytes");
    }
    JsonBytes.check(json, limits.factory(), format, errors);
    try {
      parser = limits.factory().createParser(json);
    } catch (IOException e) {
      throw errors.error("", "cannot read: " + Messages.oneLine(String.valueOf(e.getMessage())));
    }
    JsonToken t = advance();
    if (t == null) {
      throw errors.error("", "empty document (expected a JSON object)");
    }
    if (t != JsonToken.START_OBJECT) {
      throw errors.error(
          "",
          "expected a JSON object at the top level, got "
              + Messages.describe(t)
              + " ("
              + Messages.position(parser.currentTokenLocation())
              + ")");
    }
  }

  /**
   * Checks that nothing follows the top-level object and closes the parser. Call after the
   * top-level object's {@link ObjectFields#next} returned false.
   *
   * @throws E if data follows the top-level object
   */
  public void close() throws E {
    JsonToken t = advance();
    if (t != null) {
      throw errors.error(
          "",
          "unexpected data ("
              + Messages.describe(t)
              + ") after the top-level object ("
              + Messages.position(parser.currentTokenLocation())
              + ")");
    }
    try {
      parser.close();
    } catch (IOException e) {
      throw errors.error("", "cannot read: " + Messages.oneLine(String.valueOf(e.getMessage())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Containers

  /**
   * Starts walking the keys of the object whose start is the current token.
   *
   * @param objectPath the object's field path
   * @param known the keys the reader wants, in their canonical spelling
   * @return the walk; see {@link ObjectFields#next}
   */
  public ObjectFields<E> fields(FieldPath objectPath, String[] known) {
    return new ObjectFields<>(this, objectPath, known);
  }

  /**
   * Advances to the next element of the array whose start is (or whose last element was) the
   * current token; the element's first token becomes the current token.
   *
   * @return false at the end of the array
   * @throws E if the document ends or breaks there
   */
  public boolean nextElement() throws E {
    JsonToken t = advance();
    if (t == null) {
      throw truncated();
    }
    return t != JsonToken.END_ARRAY;
  }

  /**
   * Checks that the current token starts an object.
   *
   * @param path the value's field path
   * @throws E if it does not ("expected an object, got ...")
   */
  public void object(FieldPath path) throws E {
    if (current() != JsonToken.START_OBJECT) {
      throw typeError(path, "an object");
    }
  }

  /**
   * Checks that the current token starts an array.
   *
   * @param path the value's field path
   * @throws E if it does not ("expected an array, got ...")
   */
  public void array(FieldPath path) throws E {
    if (current() != JsonToken.START_ARRAY) {
      throw typeError(path, "an array");
    }
  }

  /**
   * Refuses an array element past a reader's limit on the array's length.
   *
   * @param index the element's index, from 0
   * @param max the most elements allowed
   * @param path the element's field path
   * @param what the elements' name for the message, such as {@code "apps"}
   * @throws E if {@code index >= max} ("too many apps (at most 10000)")
   */
  public void limit(int index, int max, FieldPath path, String what) throws E {
    if (index >= max) {
      throw errors.error(path.toString(), "too many " + what + " (at most " + max + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars

  /**
   * Returns the current token.
   *
   * @return the token, or null at the end of the document
   */
  public JsonToken current() {
    return parser.currentToken();
  }

  /**
   * Reads the current token as a string.
   *
   * @param path the value's field path
   * @return the string
   * @throws E if the token is not a string, or the string is longer than the limit
   */
  public String string(FieldPath path) throws E {
    if (current() != JsonToken.VALUE_STRING) {
      throw typeError(path, "a string");
    }
    return text(path);
  }

  /**
   * Reads the current token as a boolean.
   *
   * @param path the value's field path
   * @return the value
   * @throws E if the token is not {@code true} or {@code false}
   */
  public boolean bool(FieldPath path) throws E {
    JsonToken t = current();
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw typeError(path, "a boolean");
  }

  /**
   * Returns the text of the current number token for a message (only digits, sign, point and
   * exponent), shortened to at most 28 characters when it is longer than 40.
   *
   * @param path the value's field path
   * @return the text
   * @throws E if the text cannot be read
   */
  public String numberText(FieldPath path) throws E {
    String t = text(path);
    return t.length() > 40 ? t.substring(0, 20) + "..." + t.substring(t.length() - 5) : t;
  }

  /**
   * Makes the "expected X, got Y" exception for the current token.
   *
   * @param path the value's field path
   * @param expected what the reader wanted, such as {@code "a string"}
   * @return the exception, to throw
   */
  public E typeError(FieldPath path, String expected) {
    return errors.error(
        path.toString(), "expected " + expected + ", got " + Messages.describe(current()));
  }

  /** The text of the current token, after checking its length. */
  private String text(FieldPath path) throws E {
    try {
      checkLength(parser.getTextLength(), path);
      return parser.getText();
    } catch (JsonProcessingException e) {
      throw jsonError(e, path.toString());
    } catch (IOException e) {
      throw errors.error(
          path.toString(), "cannot read: " + Messages.oneLine(String.valueOf(e.getMessage())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Token level, for ObjectFields

  /** Moves to the next token; null at the end of the document. */
  JsonToken advance() throws E {
    try {
      JsonToken t = parser.nextToken();
      if (t == null && parser.getParsingContext().getNestingDepth() > 0) {
        throw truncated();
      }
      return t;
    } catch (JsonProcessingException e) {
      throw jsonError(e, null);
    } catch (IOException e) {
      throw errors.error(
          FieldPath.of(parser.getParsingContext()),
          "cannot read: " + Messages.oneLine(String.valueOf(e.getMessage())));
    }
  }

  /** The current key (the current token is a field name), after checking its length. */
  String name() throws E {
    try {
      int length = parser.getTextLength();
      if (length > maxStringLength) { // the path only when it is needed
        checkLength(length, FieldPath.of(parser.getParsingContext()));
      }
      return parser.currentName();
    } catch (JsonProcessingException e) {
      throw jsonError(e, null);
    } catch (IOException e) {
      throw errors.error(
          FieldPath.of(parser.getParsingContext()),
          "cannot read: " + Messages.oneLine(String.valueOf(e.getMessage())));
    }
  }

  /** The format's name, for messages. */
  String format() {
    return format;
  }

  /** Makes the reader's exception for a problem at a field path. */
  E error(FieldPath path, String reason) {
    return errors.error(path.toString(), reason);
  }

  /** Skips one value of any shape, checking depth, string lengths and repeated keys. */
  void skip(JsonToken t) throws E {
    if (t == JsonToken.START_OBJECT) {
      checkDepth();
      Set<String> keys = new HashSet<>();
      for (JsonToken k = advance(); k != JsonToken.END_OBJECT; k = advance()) {
        String raw = name();
        if (!keys.add(raw)) {
          throw errors.error(
              FieldPath.child(FieldPath.of(parser.getParsingContext()), raw),
              "duplicate key " + Messages.quote(raw));
        }
        skip(advance());
      }
    } else if (t == JsonToken.START_ARRAY) {
      checkDepth();
      for (JsonToken e = advance(); e != JsonToken.END_ARRAY; e = advance()) {
        skip(e);
      }
    } else if (t == JsonToken.VALUE_STRING) {
      int length = textLength();
      if (length > maxStringLength) {
        checkLength(length, scalarPath());
      }
    } else if (t == null) {
      throw truncated();
    }
  }

  private void checkDepth() throws E {
    int depth = parser.getParsingContext().getNestingDepth();
    if (depth > limits.maxDepth()) {
      throw errors.error(
          FieldPath.of(parser.getParsingContext().getParent()),
          "nesting deeper than "
              + limits.maxDepth()
              + " levels ("
              + Messages.position(parser.currentLocation())
              + ")");
    }
  }

  /** The field path of the current scalar token (a value inside an object or array). */
  private String scalarPath() {
    JsonStreamContext ctx = parser.getParsingContext();
    if (ctx.inObject() && ctx.getCurrentName() != null) {
      return FieldPath.child(FieldPath.of(ctx), ctx.getCurrentName());
    }
    if (ctx.inArray()) {
      return FieldPath.of(ctx) + "[" + ctx.getCurrentIndex() + "]";
    }
    return FieldPath.of(ctx);
  }

  private void checkLength(int length, FieldPath path) throws E {
    if (length > maxStringLength) {
      checkLength(length, path.toString());
    }
  }

  private void checkLength(int length, String path) throws E {
    if (length > maxStringLength) {
      throw errors.error(
          path,
          "string of "
              + length
              + " characters is longer than the limit of "
              + maxStringLength
              + " ("
              + Messages.position(parser.currentLocation())
              + ")");
    }
  }

  private int textLength() throws E {
    try {
      return parser.getTextLength();
    } catch (JsonProcessingException e) {
      throw jsonError(e, scalarPath());
    } catch (IOException e) {
      throw errors.error(
          FieldPath.of(parser.getParsingContext()),
          "cannot read: " + Messages.oneLine(String.valueOf(e.getMessage())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Failures

  private E truncated() {
    return errors.error(
        FieldPath.of(parser.getParsingContext()),
        "truncated document: unexpected end of input ("
            + Messages.position(parser.currentLocation())
            + ")");
  }

  /**
   * Maps a Jackson failure to one line: what, where (line and column), no Jackson internals.
   *
   * @param knownPath the field path of the token being decoded, or null to derive it from the
   *     parser's context
   */
  private E jsonError(JsonProcessingException e, String knownPath) {
    String path = knownPath;
    if (path == null) {
      path = FieldPath.of(parser == null ? null : parser.getParsingContext());
      if (parser != null
          && parser.currentToken() == JsonToken.FIELD_NAME
          && parser.getParsingContext().getCurrentName() != null) {
        // the failure is in this key's value
        path = FieldPath.child(path, parser.getParsingContext().getCurrentName());
      }
    }
    boolean insideTopLevel = parser != null && !parser.getParsingContext().inRoot();
    return errors.error(path, Messages.jacksonFailure(e, json, insideTopLevel));
  }
}
