package io.kvmount.json;

import com.fasterxml.jackson.core.JsonToken;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Walks the keys of one JSON object for a reader that knows which keys it wants. {@link #next}
 * stops at each known key with a non-null value (the cursor's current token is then the value,
 * {@link #key} the key's canonical spelling, {@link #path} its field path); it skips unknown keys
 * (checking their values' depth, string lengths and repeated keys) and nulls, and rejects repeated
 * keys, also two spellings of one known key.
 *
 * <p>Keys match like Go's encoding/json, which appc's schema code uses: an exact match first, else
 * a case-insensitive one with Go's simple case folding. Matching what Go matches means a key
 * spelled in another case is never silently ignored here while a Go runtime obeys it. JSON {@code
 * null} means "not set", as in Go's decoder. Not thread-safe; made by {@link JsonCursor#fields}.
 *
 * @param <E> the reader's exception type
 */
public final class ObjectFields<E extends Exception> {
  private final JsonCursor<E> cursor;
  private final FieldPath objectPath;
  private final String[] known;

  /** Keys seen so far, for the duplicate check: an array scan, as objects have a few keys. */
  private final String[] rawKeys = new String[8];

  private int rawKeyCount;

  /** Past the array's few keys (a hostile object may have a million), a hash set. */
  private Set<String> manyKeys;

  /** For each known key, its spelling in the document once seen. */
  private final String[] seen;

  private String key;
  private FieldPath path;

  ObjectFields(JsonCursor<E> cursor, FieldPath objectPath, String[] known) {
    this.cursor = cursor;
    this.objectPath = objectPath;
    this.known = known;
    this.seen = new String[known.length];
  }

  /**
   * Moves to the next known key with a non-null value.
   *
   * @return false at the end of the object (its end is then the cursor's current token)
   * @throws E if a key repeats (exactly, or as another spelling of a known key), a skipped value
   *     breaks a limit, or the document ends or breaks
   */
  public boolean next() throws E {
    while (true) {
      JsonToken t = cursor.advance();
      if (t == JsonToken.END_OBJECT) {
        return false;
      }
      if (t != JsonToken.FIELD_NAME) {
        throw new IllegalStateException("unexpected token " + t);
      }
      String raw = cursor.name();
      if (!addRawKey(raw)) {
        throw cursor.error(objectPath.key(raw), "duplicate key " + Messages.quote(raw));
      }
      int k = canonical(raw);
      JsonToken value = cursor.advance();
      if (k < 0) {
        cursor.skip(value);
        continue;
      }
      key = known[k];
      path = objectPath.key(key);
      if (seen[k] != null) {
        throw cursor.error(
            path,
            "duplicate key "
                + Messages.quote(raw)
                + " (also "
                + Messages.quote(seen[k])
                + "; keys match case-insensitively, as in "
                + cursor.format()
                + ")");
      }
      seen[k] = raw;
      if (value == JsonToken.VALUE_NULL) {
        continue; // null means "not set", as in Go's encoding/json
      }
      return true;
    }
  }

  /**
   * Returns the key {@link #next} stopped at.
   *
   * @return the key's canonical spelling, one of the known keys (the same string instance)
   */
  public String key() {
    return key;
  }

  /**
   * Returns the field path of the value {@link #next} stopped at.
   *
   * @return the object's path and the key's canonical spelling
   */
  public FieldPath path() {
    return path;
  }

  private boolean addRawKey(String raw) {
    if (manyKeys != null) {
      return manyKeys.add(raw);
    }
    for (int i = 0; i < rawKeyCount; i++) {
      if (rawKeys[i].equals(raw)) {
        return false;
      }
    }
    if (rawKeyCount == rawKeys.length) {
      manyKeys = new HashSet<>(Arrays.asList(rawKeys));
      return manyKeys.add(raw);
    }
    rawKeys[rawKeyCount++] = raw;
    return true;
  }

  /**
   * Matches a key like Go's encoding/json: an exact match first, else a case-insensitive one with
   * Go's simple case folding for our (ASCII) key names, where U+212A KELVIN SIGN folds to {@code k}
   * and U+017F LATIN SMALL LETTER LONG S to {@code s}.
   */
  private int canonical(String raw) {
    for (int i = 0; i < known.length; i++) {
      if (known[i].equals(raw)) {
        return i;
      }
    }
    String folded = fold(raw);
    if (folded == null) {
      return -1;
    }
    for (int i = 0; i < known.length; i++) {
      if (known[i].equalsIgnoreCase(folded)) {
        return i;
      }
    }
    return -1;
  }

  /** ASCII text with Go's two non-ASCII folds applied, or null if other non-ASCII remains. */
  static String fold(String key) {
    StringBuilder sb = null;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x80) {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      char to;
      if (c == '\u212a') {
        to = 'k';
      } else if (c == '\u017f') {
        to = 's';
      } else {
        return null;
      }
      if (sb == null) {
        sb = new StringBuilder(key.length()).append(key, 0, i);
      }
      sb.append(to);
    }
    return sb == null ? key : sb.toString();
  }
}
