package io.kvmount.path;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A relative path: a list of components read from some base directory that the user of the path
 * names (a unit file's path below the units directory, {@code web.service.d/10-kvmount-volumes.conf};
 * the part of a {@link GuestPath} below one of its ancestors). No component is empty, {@code "."},
 * {@code ".."}, or contains {@code '/'} or NUL, so a relative path never leaves its base. The empty
 * path ({@link #EMPTY}, no components) is the base itself and prints as {@code ""}.
 *
 * <p>Unlike {@link GuestPath} it has no root: it prints without a leading slash ({@code a/b}), and
 * only {@link GuestPath#resolve(RelativePath)} turns it into a place in the guest.
 *
 * <p>Stored as its parent plus its last component, like {@link GuestPath}: {@link #parent()},
 * {@link #resolve(String)}, {@link #hashCode()} and {@link #depth()} take constant time; a
 * one-component path prints as its component with no copy, longer ones build their text once.
 * {@link #hashCode()} equals {@code components().hashCode()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RelativePath implements Comparable<RelativePath> {

  /** The empty path: no components, the base directory itself. */
  public static final RelativePath EMPTY = new RelativePath();

  /** The parent; null for {@link #EMPTY} only. */
  private final RelativePath parent;

  /** The last component; null for {@link #EMPTY} only. */
  private final String name;

  /** Number of components: 0 for {@link #EMPTY}. */
  private final int depth;

  /** Same as {@code components().hashCode()}. */
  private final int hash;

  /** Lazily made text and component list (benign races: immutable, equal whoever makes them). */
  private String text;

  private List<String> components;

  private RelativePath() {
    this.parent = null;
    this.name = null;
    this.depth = 0;
    this.hash = 1;
    this.text = "";
  }

  private RelativePath(RelativePath parent, String name) {
    this.parent = parent;
    this.name = name;
    this.depth = parent.depth + 1;
    this.hash = 31 * parent.hash + name.hashCode();
  }

  /**
   * Makes a path from its components, validating each.
   *
   * @param components the components, outermost first; an empty list gives {@link #EMPTY}
   * @return the path
   * @throws IllegalArgumentException if a component is empty, {@code .}, {@code ..}, or contains
   *     {@code /} or NUL
   * @throws NullPointerException if the list or a component is null
   */
  public static RelativePath of(List<String> components) {
    RelativePath p = EMPTY;
    for (int i = 0, n = components.size(); i < n; i++) {
      p = p.resolve(components.get(i));
    }
    return p;
  }

  /**
   * Makes a one-component path, such as a unit file's name below the units directory.
   *
   * @param component a single name, not {@code .}/{@code ..}, without {@code /} or NUL
   * @return the path
   * @throws IllegalArgumentException if the component is invalid
   */
  public static RelativePath of(String component) {
    return EMPTY.resolve(component);
  }

  /**
   * Parses {@code a/b/c}. Strict, unlike {@link GuestPath#parse(String)}: nothing is normalised
   * away, so every {@code /} must separate two valid components.
   *
   * @param path the path text; {@code ""} gives {@link #EMPTY}
   * @return the path
   * @throws IllegalArgumentException if the path starts with {@code /} (it is absolute), or has an
   *     empty ({@code a//b}, {@code a/}), {@code .} or {@code ..} component, or a NUL byte
   */
  public static RelativePath parse(String path) {
    if (path.isEmpty()) {
      return EMPTY;
    }
    if (path.charAt(0) == '/') {
      throw new IllegalArgumentException("relative path \"" + path + "\" is absolute");
    }
    RelativePath p = EMPTY;
    int start = 0;
    int len = path.length();
    while (start <= len) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = len;
      }
      p = p.resolve(path.substring(start, end));
      start = end + 1;
    }
    return p;
  }

  /**
   * Appends one component.
   *
   * @param component a single name, not {@code .}/{@code ..}, without {@code /} or NUL
   * @return a new path
   * @throws IllegalArgumentException if the component is invalid
   */
  public RelativePath resolve(String component) {
    String problem = GuestPath.componentProblem(component);
    if (problem != null) {
      throw new IllegalArgumentException("invalid relative path component \"" + component + "\": " + problem);
    }
    return new RelativePath(this, component);
  }

  /** Appends a component already known to be valid (taken from another path); no check. */
  RelativePath resolveValid(String component) {
    return new RelativePath(this, component);
  }

  /**
   * Appends another relative path's components ({@code a} resolved with {@code b/c} is {@code
   * a/b/c}).
   *
   * @param other the path to append
   * @return a new path, or this one when {@code other} is empty
   */
  public RelativePath resolve(RelativePath other) {
    if (other.depth == 0) {
      return this;
    }
    if (depth == 0) {
      return other;
    }
    RelativePath p = this;
    for (String c : other.components()) {
      p = new RelativePath(p, c); // components of a RelativePath are valid already
    }
    return p;
  }

  /**
   * Returns the number of components: 0 for {@link #EMPTY}, 2 for {@code a/b}.
   *
   * @return the number of components
   */
  public int depth() {
    return depth;
  }

  /**
   * Returns whether this is {@link #EMPTY}.
   *
   * @return whether the path has no components
   */
  public boolean isEmpty() {
    return depth == 0;
  }

  /**
   * Returns the path without its last component; {@link #EMPTY}'s parent is itself.
   *
   * @return the parent path
   */
  public RelativePath parent() {
    return depth == 0 ? this : parent;
  }

  /**
   * Returns the last component, or {@code ""} for {@link #EMPTY}.
   *
   * @return the last component, or {@code ""} for {@link #EMPTY}
   */
  public String fileName() {
    return depth == 0 ? "" : name;
  }

  /**
   * Returns the components, outermost first, as an unmodifiable list.
   *
   * @return the components ({@code []} for {@link #EMPTY})
   */
  public List<String> components() {
    List<String> c = components;
    if (c == null) {
      String[] a = new String[depth];
      RelativePath p = this;
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

  /** Returns the components joined by {@code /}, no leading or trailing slash; {@code ""} when empty. */
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      if (parent.depth == 0) {
        t = name; // one component: its own text, no copy
      } else {
        String up = parent.toString();
        t = new StringBuilder(up.length() + 1 + name.length()).append(up).append('/').append(name).toString();
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
    if (!(o instanceof RelativePath)) {
      return false;
    }
    RelativePath a = this;
    RelativePath b = (RelativePath) o;
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
  public int compareTo(RelativePath o) {
    if (this == o) {
      return 0;
    }
    List<String> a = components();
    List<String> b = o.components();
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }
}
