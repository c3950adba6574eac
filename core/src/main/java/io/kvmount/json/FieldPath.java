package io.kvmount.json;

import com.fasterxml.jackson.core.JsonStreamContext;

/**
 * A field path in a JSON document, such as {@code apps[2].mounts[0].path}: keys joined with {@code
 * .}, array indexes in brackets, and keys that are not plain words quoted in brackets ({@code
 * labels["a b"]}). The top level is {@code ""}.
 *
 * <p>Built lazily: a reader makes one per field and array element, and almost none is ever printed,
 * so the text is made only when {@link #toString} is first called. Instances are immutable in what
 * they describe; the cached text makes them unsafe to share between threads.
 */
public final class FieldPath {

  /** The top level of the document: the empty path. */
  public static final FieldPath ROOT = new FieldPath(null, null, -1);

  private final FieldPath parent;
  private final String key;
  private final int index;
  private String text;

  private FieldPath(FieldPath parent, String key, int index) {
    this.parent = parent;
    this.key = key;
    this.index = index;
    if (parent == null) {
      text = "";
    }
  }

  /**
   * Returns the path of a key of the object at this path.
   *
   * @param k the key as the document spells it (or its canonical spelling)
   * @return {@code this.k}
   */
  public FieldPath key(String k) {
    return new FieldPath(this, k, -1);
  }

  /**
   * Returns the path of an element of the array at this path.
   *
   * @param i the element's index, from 0
   * @return {@code this[i]}
   */
  public FieldPath index(int i) {
    return new FieldPath(this, null, i);
  }

  /**
   * Returns the path's text.
   *
   * @return such as {@code "apps[2].mounts[0].path"}; {@code ""} for {@link #ROOT}
   */
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      t = key != null ? child(parent.toString(), key) : element(parent.toString(), index);
      text = t;
    }
    return t;
  }

  /**
   * Joins an object's path and one of its keys: {@code objectPath.key}, or {@code objectPath["odd
   * key"]} (quoted as by {@link Messages#quote}) for keys that are not plain words of at most 64
   * characters from {@code a-z A-Z 0-9 _ -}.
   *
   * @param objectPath the object's path, {@code ""} for the top level
   * @param key the key
   * @return the key's path
   */
  public static String child(String objectPath, String key) {
    // A StringBuilder sized up front. Not to avoid invokedynamic: the build compiles `+` to a
    // StringBuilder too (-XDstringConcat=inline in pom.xml).
    StringBuilder sb = new StringBuilder(objectPath.length() + key.length() + 4).append(objectPath);
    if (isSimpleKey(key)) {
      if (!objectPath.isEmpty()) {
        sb.append('.');
      }
      sb.append(key);
    } else {
      sb.append('[').append(Messages.quote(key)).append(']');
    }
    return sb.toString();
  }

  /**
   * Joins an array's path and an index.
   *
   * @param arrayPath the array's path
   * @param i the element's index, from 0
   * @return {@code arrayPath[i]}
   */
  public static String element(String arrayPath, int i) {
    return new StringBuilder(arrayPath.length() + 8)
        .append(arrayPath)
        .append('[')
        .append(i)
        .append(']')
        .toString();
  }

  /**
   * Returns the path of the container (object or array) a Jackson parser context stands for.
   *
   * @param ctx a parser context, or null
   * @return the path, {@code ""} for the top level or a null context
   */
  public static String of(JsonStreamContext ctx) {
    if (ctx == null || ctx.inRoot()) {
      return "";
    }
    JsonStreamContext parent = ctx.getParent();
    String parentPath = of(parent);
    if (parent == null || parent.inRoot()) {
      return parentPath;
    }
    if (parent.inArray()) {
      return parentPath + "[" + parent.getCurrentIndex() + "]";
    }
    String name = parent.getCurrentName();
    return name == null ? parentPath : child(parentPath, name);
  }

  private static boolean isSimpleKey(String key) {
    if (key.isEmpty() || key.length() > 64) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
