package io.kvmount.path;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An absolute, normalised path inside the guest (or inside an app rootfs, as the app sees it): a
 * list of components read from {@code /}, none of which is empty, {@code "."}, {@code ".."}, or
 * contains {@code '/'} or NUL. The root is the empty list and prints as {@code "/"}. The stage1
 * rootfs is the guest's root, so a path in the stage1 rootfs is a guest path too ({@code
 * /mnt/data}, {@code /usr/lib/systemd/system}). Paths read from some other base (a file below the
 * units directory) are {@link RelativePath}s.
 *
 * <p>Normalisation is the one systemd applies before naming a mount unit (same as systemd {@code
 * path_simplify()}): repeated {@code /} collapse, {@code .} components and a trailing {@code /}
 * are dropped. A {@code ..} component is refused, never resolved lexically, so a guest path can
 * never climb above its root.
 *
 * <p>A path is stored as its parent plus its last component, so {@link #parent()}, {@link
 * #resolve(String)}, {@link #hashCode()} and {@link #depth()} take constant time and paths derived
 * from one another share their common prefix. Two paths are equal when their components are
 * equal, however they were made; {@link #hashCode()} equals {@code components().hashCode()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class GuestPath implements Comparable<GuestPath> {

  /** The root directory, {@code /}. */
  public static final GuestPath ROOT = new GuestPath();

  /** Longest component in bytes (Linux {@code NAME_MAX}). */
  public static final int MAX_COMPONENT_BYTES = 255;

  /** Longest path in bytes, without the terminating NUL (Linux {@code PATH_MAX} - 1). */
  public static final int MAX_PATH_BYTES = 4095;

  /** The parent; null for the root only. */
  private final GuestPath parent;

  /** The last component; null for the root only. */
  private final String name;

  /** Number of components: 0 for the root. */
  private final int depth;

  /** Same as {@code components().hashCode()} ({@code List}'s hash recurrence). */
  private final int hash;

  /** Lazily made views (benign races: both are immutable and equal whoever makes them). */
  private List<String> components;

  private String text;

  /** {@link #relativeString()}, computed once (benign race: every thread computes the same). */
  private String relText;

  private GuestPath() {
    this.parent = null;
    this.name = null;
    this.depth = 0;
    this.hash = 1;
  }

  private GuestPath(GuestPath parent, String name) {
    this.parent = parent;
    this.name = name;
    this.depth = parent.depth + 1;
    this.hash = 31 * parent.hash + name.hashCode();
  }

  /**
   * Makes a path from its components, validating each.
   *
   * @param components the path's components, outermost first
   * @throws IllegalArgumentException if a component is empty, {@code .}, {@code ..}, or contains
   *     {@code /} or NUL
   * @throws NullPointerException if the list or a component is null
   */
  public GuestPath(List<String> components) {
    GuestPath p = ROOT;
    int n = components.size();
    if (n > 0) {
      for (int i = 0; i < n - 1; i++) {
        p = p.resolve(components.get(i));
      }
      String last = checked(components.get(n - 1));
      this.parent = p;
      this.name = last;
      this.depth = p.depth + 1;
      this.hash = 31 * p.hash + last.hashCode();
    } else {
      this.parent = null;
      this.name = null;
      this.depth = 0;
      this.hash = 1;
    }
  }

  private static String checked(String c) {
    String problem = componentProblem(c);
    if (problem != null) {
      throw new IllegalArgumentException("invalid guest path component \"" + c + "\": " + problem);
    }
    return c;
  }

  /**
   * Parses an absolute path, normalising it as systemd does.
   *
   * @param path an absolute path such as {@code "/var//lib/./db/"}
   * @return the normalised path ({@code /var/lib/db})
   * @throws IllegalArgumentException with a one-line reason if the path is empty, relative,
   *     contains a {@code ..} component or a NUL byte, or is longer than {@link #MAX_PATH_BYTES}
   *     bytes or has a component longer than {@link #MAX_COMPONENT_BYTES} bytes (UTF-8); use
   *     {@link #problem(String)} to check first
   */
  public static GuestPath parse(String path) {
    String problem = problem(path);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    GuestPath p = ROOT;
    int len = path.length();
    int start = 1;
    while (start <= len) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = len;
      }
      if (end > start && !(end == start + 1 && path.charAt(start) == '.')) {
        p = new GuestPath(p, path.substring(start, end)); // checked by problem() above
      }
      start = end + 1;
    }
    return p;
  }

  /**
   * Tells why {@link #parse(String)} would refuse a path, without throwing.
   *
   * @param path the path text
   * @return a one-line reason, or {@code null} when the path is acceptable
   */
  public static String problem(String path) {
    int len = path.length();
    if (len == 0) {
      return "path is empty";
    }
    if (path.charAt(0) != '/') {
      return "path is not absolute";
    }
    if (path.indexOf('\0') >= 0) {
      return "path contains a NUL byte";
    }
    long total = 0;
    int start = 1;
    while (start <= len) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = len;
      }
      if (end == start + 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
        return "path contains a \"..\" component";
      }
      int bytes = utf8Length(path, start, end);
      if (bytes > MAX_COMPONENT_BYTES) {
        return "path component is longer than " + MAX_COMPONENT_BYTES + " bytes";
      }
      total += bytes + (end < len ? 1 : 0);
      start = end + 1;
    }
    if (total + 1 > MAX_PATH_BYTES) {
      return "path is longer than " + MAX_PATH_BYTES + " bytes";
    }
    return null;
  }

  /** UTF-8 length of {@code s[from, to)}, a lone surrogate counting as one byte like Java's encoder ('?'). */
  private static int utf8Length(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Why {@code c} is not a valid component, or null; shared with {@link RelativePath}. */
  static String componentProblem(String c) {
    if (c.isEmpty()) {
      return "empty";
    }
    if (c.equals(".") || c.equals("..")) {
      return "dot component";
    }
    if (c.indexOf('/') >= 0) {
      return "contains '/'";
    }
    if (c.indexOf('\0') >= 0) {
      return "contains NUL";
    }
    return null;
  }

  /**
   * Returns the components, outermost first, as an unmodifiable list.
   *
   * @return the components ({@code []} for the root)
   */
  public List<String> components() {
    List<String> c = components;
    if (c == null) {
      String[] a = new String[depth];
      GuestPath p = this;
      for (int i = depth - 1; i >= 0; i--) {
        a[i] = p.name;
        p = p.parent;
      }
      c = new Components(a);
      components = c;
    }
    return c;
  }

  /** An unmodifiable list over an array this class never changes. */
  private static final class Components extends AbstractList<String> implements RandomAccess {
    private final String[] a;

    Components(String[] a) {
      this.a = a;
    }

    @Override
    public String get(int index) {
      return a[index];
    }

    @Override
    public int size() {
      return a.length;
    }
  }

  /**
   * Returns the number of components: 0 for {@code /}, 2 for {@code /var/lib}.
   *
   * @return the number of components
   */
  public int depth() {
    return depth;
  }

  /**
   * Returns the ancestor with the given number of components ({@code /var/lib/db}.ancestor(1) is
   * {@code /var}); this path itself for its own depth.
   *
   * @param n number of components to keep, 0 to {@link #depth()}
   * @return the ancestor
   * @throws IllegalArgumentException if {@code n} is outside 0..depth()
   */
  public GuestPath ancestor(int n) {
    if (n < 0 || n > depth) {
      throw new IllegalArgumentException("no ancestor of depth " + n + " for " + this);
    }
    GuestPath p = this;
    for (int i = depth; i > n; i--) {
      p = p.parent;
    }
    return p;
  }

  /**
   * Returns whether this is {@code /}.
   *
   * @return whether this is {@code /}
   */
  public boolean isRoot() {
    return depth == 0;
  }

  /**
   * Appends one component.
   *
   * @param component a single name, not {@code .}/{@code ..}, without {@code /} or NUL
   * @return a new path
   * @throws IllegalArgumentException if the component is invalid
   */
  public GuestPath resolve(String component) {
    return new GuestPath(this, checked(component));
  }

  /**
   * Appends a relative path's components: {@code /opt/stage2/app/rootfs} resolved with {@code
   * var/db} is {@code /opt/stage2/app/rootfs/var/db}.
   *
   * @param relative the path to append
   * @return a new path, or this one when {@code relative} is empty
   */
  public GuestPath resolve(RelativePath relative) {
    int n = relative.depth();
    if (n == 0) {
      return this;
    }
    GuestPath p = this;
    List<String> c = relative.components();
    for (int i = 0; i < n; i++) {
      p = new GuestPath(p, c.get(i)); // components of a RelativePath are valid already
    }
    return p;
  }

  /**
   * Returns where a path as seen from inside this directory lies: an app that sees {@code
   * /opt/stage2/app/rootfs} as its {@code /} names {@code /opt/stage2/app/rootfs/var/db} as
   * {@code /var/db}, so {@code /opt/stage2/app/rootfs}.resolveInside({@code /var/db}) is that path.
   *
   * @param inside an absolute path, read with this directory as its root
   * @return a new path, or this one when {@code inside} is the root
   */
  public GuestPath resolveInside(GuestPath inside) {
    if (inside.depth == 0) {
      return this;
    }
    if (depth == 0) {
      return inside;
    }
    GuestPath p = this;
    for (String c : inside.components()) {
      p = new GuestPath(p, c); // components of a GuestPath are valid already
    }
    return p;
  }

  /**
   * Returns whether {@code other} is this path or lies below it, component-wise ({@code /data}
   * does not contain {@code /database}).
   *
   * @param other the candidate descendant
   * @return true if {@code other} starts with all of this path's components
   */
  public boolean contains(GuestPath other) {
    return other.depth >= depth && other.ancestor(depth).equals(this);
  }

  /**
   * Returns the part of {@code descendant} below this path.
   *
   * @param descendant a path this one {@link #contains}
   * @return the remaining components ({@link RelativePath#EMPTY} when equal)
   * @throws IllegalArgumentException if {@code descendant} is not below this path
   */
  public RelativePath relativize(GuestPath descendant) {
    if (!contains(descendant)) {
      throw new IllegalArgumentException(descendant + " is not below " + this);
    }
    List<String> c = descendant.components();
    RelativePath p = RelativePath.EMPTY;
    for (int i = depth; i < c.size(); i++) {
      p = p.resolveValid(c.get(i)); // components of a GuestPath are valid already
    }
    return p;
  }

  /**
   * Returns the parent directory; the root's parent is the root.
   *
   * @return the parent directory; the root's parent is the root
   */
  public GuestPath parent() {
    return depth == 0 ? this : parent;
  }

  /**
   * Returns the last component, or {@code ""} for the root.
   *
   * @return the last component, or {@code ""} for the root
   */
  public String fileName() {
    return depth == 0 ? "" : name;
  }

  /**
   * Returns the path's text without its leading slash ({@code ""} for the root): how it is named
   * below a directory that stands for {@code /}, such as the stage1 rootfs on the host. Computed
   * once per path (every file and directory kvmount writes or checks is named this way).
   *
   * @return the path relative to {@code /}, without a leading slash ({@code ""} for the root)
   */
  public String relativeString() {
    String r = relText;
    if (r == null) {
      r = depth == 0 ? "" : toString().substring(1);
      relText = r;
    }
    return r;
  }

  /** Returns the absolute path text, {@code "/"} for the root. */
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      if (depth == 0) {
        t = "/";
      } else {
        String up = parent.toString();
        StringBuilder sb = new StringBuilder(up.length() + 1 + name.length());
        if (parent.depth > 0) {
          sb.append(up);
        }
        t = sb.append('/').append(name).toString();
      }
      text = t;
    }
    return t;
  }

  /** Equal when the components are equal. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GuestPath)) {
      return false;
    }
    GuestPath a = this;
    GuestPath b = (GuestPath) o;
    if (a.depth != b.depth || a.hash != b.hash) {
      return false;
    }
    while (a != b && a.depth > 0) {
      if (!a.name.equals(b.name)) {
        return false;
      }
      a = a.parent;
      b = b.parent;
    }
    return true;
  }

  /** Same as {@code components().hashCode()}. */
  @Override
  public int hashCode() {
    return hash;
  }

  /** Orders paths component by component, so a parent sorts before its children. */
  @Override
  public int compareTo(GuestPath o) {
    if (this == o) {
      return 0;
    }
    String[] a = array();
    String[] b = o.array();
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      if (a[i] != b[i]) { // paths made from one another share their prefix's strings
        int c = a[i].compareTo(b[i]);
        if (c != 0) {
          return c;
        }
      }
    }
    return Integer.compare(a.length, b.length);
  }

  /** The components as the array behind {@link #components()}. */
  private String[] array() {
    return ((Components) components()).a;
  }
}
