package io.kvmount.path;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An absolute, normalised path inside the guest (or inside an app rootfs): a list of components,
 * none of which is empty, {@code "."}, {@code ".."}, or contains {@code '/'} or NUL. The root is
 * the empty list and prints as {@code "/"}.
 *
 * <p>Normalisation is the one systemd applies before naming a mount unit (same as systemd {@code
 * path_simplify()}): repeated {@code /} collapse, {@code .} components and a trailing {@code /}
 * are dropped. A {@code ..} component is refused, never resolved lexically, so a guest path can
 * never climb above its root.
 *
 * <p>Immutable and thread-safe.
 *
 * @param components the path's components, outermost first
 */
public record GuestPath(List<String> components) implements Comparable<GuestPath> {

  /** The root directory, {@code /}. */
  public static final GuestPath ROOT = new GuestPath(List.of());

  /** Longest component in bytes (Linux {@code NAME_MAX}). */
  public static final int MAX_COMPONENT_BYTES = 255;

  /** Longest path in bytes, without the terminating NUL (Linux {@code PATH_MAX} - 1). */
  public static final int MAX_PATH_BYTES = 4095;

  /**
   * Validates and copies the components.
   *
   * @param components the path's components, outermost first
   * @throws IllegalArgumentException if a component is empty, {@code .}, {@code ..}, or contains
   *     {@code /} or NUL
   */
  public GuestPath {
    components = List.copyOf(components);
    for (String c : components) {
      String problem = componentProblem(c);
      if (problem != null) {
        throw new IllegalArgumentException("invalid guest path component \"" + c + "\": " + problem);
      }
    }
  }

  /**
   * Parses an absolute path, normalising it as systemd does.
   *
   * @param path an absolute path such as {@code "/var//lib/./db/"}
   * @return the normalised path ({@code /var/lib/db})
   * @throws IllegalArgumentException with a one-line reason if the path is empty, relative,
   *     contains a {@code ..} component or a NUL byte; use {@link #problem(String)} to check first
   */
  public static GuestPath parse(String path) {
    String problem = problem(path);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    List<String> out = new ArrayList<>();
    for (String c : path.split("/", -1)) {
      if (!c.isEmpty() && !c.equals(".")) {
        out.add(c);
      }
    }
    return new GuestPath(out);
  }

  /**
   * Tells why {@link #parse(String)} would refuse a path, without throwing.
   *
   * @param path the path text
   * @return a one-line reason, or {@code null} when the path is acceptable
   */
  public static String problem(String path) {
    if (path.isEmpty()) {
      return "path is empty";
    }
    if (path.charAt(0) != '/') {
      return "path is not absolute";
    }
    if (path.indexOf('\0') >= 0) {
      return "path contains a NUL byte";
    }
    for (String c : path.split("/", -1)) {
      if (c.equals("..")) {
        return "path contains a \"..\" component";
      }
      if (c.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
        return "path component is longer than " + MAX_COMPONENT_BYTES + " bytes";
      }
    }
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      return "path is longer than " + MAX_PATH_BYTES + " bytes";
    }
    return null;
  }

  private static String componentProblem(String c) {
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
   * Returns whether this is {@code /}.
   *
   * @return whether this is {@code /}
   */
  public boolean isRoot() {
    return components.isEmpty();
  }

  /**
   * Appends one component.
   *
   * @param component a single name, not {@code .}/{@code ..}, without {@code /} or NUL
   * @return a new path
   * @throws IllegalArgumentException if the component is invalid
   */
  public GuestPath resolve(String component) {
    List<String> out = new ArrayList<>(components.size() + 1);
    out.addAll(components);
    out.add(component);
    return new GuestPath(out);
  }

  /**
   * Appends another path's components: {@code /opt/stage2/app/rootfs} resolved with {@code
   * /var/db} is {@code /opt/stage2/app/rootfs/var/db}.
   *
   * @param relative the path to append, read as relative to this one
   * @return a new path
   */
  public GuestPath resolve(GuestPath relative) {
    List<String> out = new ArrayList<>(components.size() + relative.components.size());
    out.addAll(components);
    out.addAll(relative.components);
    return new GuestPath(out);
  }

  /**
   * Returns whether {@code other} is this path or lies below it, component-wise ({@code /data}
   * does not contain {@code /database}).
   *
   * @param other the candidate descendant
   * @return true if {@code other} starts with all of this path's components
   */
  public boolean contains(GuestPath other) {
    return other.components.size() >= components.size()
        && other.components.subList(0, components.size()).equals(components);
  }

  /**
   * Returns the part of {@code descendant} below this path.
   *
   * @param descendant a path this one {@link #contains}
   * @return the remaining components as a path ({@code /} when equal)
   * @throws IllegalArgumentException if {@code descendant} is not below this path
   */
  public GuestPath relativize(GuestPath descendant) {
    if (!contains(descendant)) {
      throw new IllegalArgumentException(descendant + " is not below " + this);
    }
    return new GuestPath(descendant.components.subList(components.size(), descendant.components.size()));
  }

  /**
   * Returns the parent directory; the root's parent is the root.
   *
   * @return the parent directory; the root's parent is the root
   */
  public GuestPath parent() {
    return components.isEmpty() ? this : new GuestPath(components.subList(0, components.size() - 1));
  }

  /**
   * Returns the last component, or {@code ""} for the root.
   *
   * @return the last component, or {@code ""} for the root
   */
  public String fileName() {
    return components.isEmpty() ? "" : components.get(components.size() - 1);
  }

  /**
   * Returns the path relative to {@code /}, without a leading slash ({@code ""} for the root).
   *
   * @return the path relative to {@code /}, without a leading slash ({@code ""} for the root)
   */
  public String relativeString() {
    return String.join("/", components);
  }

  /** Returns the absolute path text, {@code "/"} for the root. */
  @Override
  public String toString() {
    return "/" + String.join("/", components);
  }

  /** Orders paths component by component, so a parent sorts before its children. */
  @Override
  public int compareTo(GuestPath o) {
    int n = Math.min(components.size(), o.components.size());
    for (int i = 0; i < n; i++) {
      String x = components.get(i);
      String y = o.components.get(i);
      if (x == y) {
        continue; // paths made by resolve/parent share their prefix's strings: skip comparing them
      }
      int c = x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(components.size(), o.components.size());
  }
}
