package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import io.kvmount.systemd.Quote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path inside a root (an app rootfs) through the symlinks that already exist there,
 * component by component, without ever leaving the root: an absolute link target starts again at
 * the root, and {@code ..} stops at the root. The same model as filepath-securejoin's {@code
 * SecureJoin}, written for kvmount's {@link GuestFs}.
 *
 * <p>Components that do not exist yet are appended as they are (they will be created as
 * directories). Every component is looked up, also below one that does not exist: in a view with
 * mounts planned before ({@link BundlePlanner}'s), a mount point made there shows its own tree,
 * symlinks included. The result is the canonical path systemd needs in {@code Where=}: it contains
 * no symlink that existed when resolving.
 *
 * <p>Limits: like every path-based check this races with concurrent changes to the tree; callers
 * must own the stage1 rootfs while planning and applying.
 */
public final class ConfinedResolver {

  /** Most symlinks followed for one path, as Linux {@code MAXSYMLINKS}. */
  public static final int MAX_LINKS = 40;

  /**
   * The outcome of a resolution.
   *
   * @param path the canonical path, relative to the stage1 rootfs, under the root
   * @param kind what exists at that path now ({@link GuestFs.Kind#MISSING} if it will be created)
   */
  public record Result(GuestPath path, GuestFs.Kind kind) {}

  private ConfinedResolver() {}

  /**
   * Resolves {@code path} under {@code root}.
   *
   * @param fs the stage1 rootfs view
   * @param root the confining directory, relative to the stage1 rootfs ({@code
   *     /opt/stage2/web/rootfs}); its own components must not be symlinks
   * @param path the path inside the root (its components, read relative to the root)
   * @return the canonical path under {@code root} and what is there
   * @throws PlanException (message without field: callers prefix it) if a component of the root
   *     is a symlink or not a directory, a component inside is a file or device with more path
   *     after it, links loop (more than {@link #MAX_LINKS}), or a symlink target leads to a name
   *     longer than 255 bytes or a path longer than 4095 bytes
   * @throws IOException if the tree cannot be read
   */
  public static Result resolve(GuestFs fs, GuestPath root, GuestPath path) throws PlanException, IOException {
    return resolve(fs, root, path.components(), path.toString(), path);
  }

  /**
   * Resolves a path as the manifest wrote it under {@code root}: relative or absolute, both read
   * from the root, with {@code .}, empty and {@code ..} components. Walked component by component,
   * so a {@code ..} applies to what the path led to so far, symlinks followed ({@code /link/..}
   * with {@code link -> /a/b} is {@code /a}), and stops at the root ({@code /dir1/../../../foo}
   * is {@code /foo}), as filepath-securejoin's {@code SecureJoin} does.
   *
   * @param fs the stage1 rootfs view
   * @param root the confining directory, as for {@link #resolve(GuestFs, GuestPath, GuestPath)}
   * @param written the path text, non-empty, without NUL (the manifest reader checks it)
   * @return the canonical path under {@code root} and what is there
   * @throws PlanException as {@link #resolve(GuestFs, GuestPath, GuestPath)}
   * @throws IOException if the tree cannot be read
   */
  public static Result resolve(GuestFs fs, GuestPath root, String written) throws PlanException, IOException {
    return resolve(fs, root, java.util.Arrays.asList(written.split("/")), Quote.of(written), lexical(written));
  }

  /**
   * The path {@code text} names read from {@code /} without looking at symlinks: empty and
   * {@code .} components dropped, each {@code ..} removing the component before it and stopping
   * at the root ({@code dir1/../../x} is {@code /x}). Equal to the resolved path wherever the
   * components before each {@code ..} are no symlinks.
   *
   * @param text a path, relative or absolute, whose components are valid once {@code .} and
   *     {@code ..} are removed (no NUL)
   * @return the lexically cleaned absolute path
   * @throws IllegalArgumentException if a component contains NUL
   */
  public static GuestPath lexical(String text) {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (String c : text.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      out.add(c);
    }
    return new GuestPath(out);
  }

  /**
   * Resolves {@code components} under {@code root}; {@code shown} names the path in messages,
   * {@code whenMissing} is the result below a root that does not exist yet.
   */
  private static Result resolve(GuestFs fs, GuestPath root, List<String> components, String shown,
      GuestPath whenMissing) throws PlanException, IOException {
    GuestPath cur = GuestPath.ROOT;
    for (String c : root.components()) {
      cur = cur.resolve(c);
      GuestFs.Kind k = fs.kind(cur);
      if (k == GuestFs.Kind.MISSING) {
        return new Result(root.resolveInside(whenMissing), GuestFs.Kind.MISSING);
      }
      if (k != GuestFs.Kind.DIRECTORY) {
        throw new PlanException(cur + " in the stage1 rootfs is a " + describe(k) + ", not a directory");
      }
    }
    // The resolved path so far, root prefix included: never climbs above the root.
    GuestPath done = root;
    Deque<String> todo = new ArrayDeque<>(components);
    int links = 0;
    GuestFs.Kind last = GuestFs.Kind.DIRECTORY;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (done.depth() > root.depth()) {
          done = done.parent();
        }
        last = GuestFs.Kind.DIRECTORY;
        continue;
      }
      // Names and paths Linux cannot hold come from symlink targets (the manifest's own paths
      // are checked when read); refuse them here rather than fail on lstat (ENAMETOOLONG) or
      // plan a directory that cannot be created.
      int nameBytes = c.getBytes(StandardCharsets.UTF_8).length;
      if (nameBytes > GuestPath.MAX_COMPONENT_BYTES) {
        throw new PlanException(
            "resolving " + shown + " in " + root + " through symlinks meets a name of " + nameBytes
                + " bytes; file names are at most " + GuestPath.MAX_COMPONENT_BYTES + " bytes");
      }
      GuestPath candidate = done.resolve(c);
      String text = candidate.toString();
      if (text.length() * 3 > GuestPath.MAX_PATH_BYTES
          && text.getBytes(StandardCharsets.UTF_8).length > GuestPath.MAX_PATH_BYTES) {
        throw new PlanException(
            "resolving " + shown + " in " + root + " through symlinks gives a path of more than "
                + GuestPath.MAX_PATH_BYTES + " bytes");
      }
      GuestFs.Kind k = fs.kind(candidate);
      if (k == GuestFs.Kind.SYMLINK) {
        if (++links > MAX_LINKS) {
          throw new PlanException(
              "too many levels of symbolic links resolving " + shown + " in " + root);
        }
        String target = fs.readLink(candidate);
        if (target.indexOf('\0') >= 0) {
          throw new PlanException("symlink " + candidate + " has a NUL byte in its target");
        }
        if (target.indexOf('\uFFFD') >= 0) {
          // What Java shows for bytes that are not UTF-8: the name it stands for is not this text.
          throw new PlanException("symlink " + candidate + " has a target that is not UTF-8 text; systemd units name"
              + " paths in UTF-8: rename it");
        }
        if (target.startsWith("/")) {
          done = root;
        }
        String[] parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
          todo.addFirst(parts[i]);
        }
        continue;
      }
      if ((k == GuestFs.Kind.FILE || k == GuestFs.Kind.OTHER) && hasMore(todo)) {
        throw new PlanException(
            candidate + " is a " + describe(k) + " in the app rootfs, but " + shown + " goes through it");
      }
      done = candidate;
      last = k;
    }
    return new Result(done, last);
  }

  private static boolean hasMore(Deque<String> todo) {
    for (String s : todo) {
      if (!s.isEmpty() && !s.equals(".")) {
        return true;
      }
    }
    return false;
  }

  static String describe(GuestFs.Kind k) {
    switch (k) {
      case FILE:
        return "file";
      case SYMLINK:
        return "symlink";
      case OTHER:
        return "device, socket or pipe";
      case DIRECTORY:
        return "directory";
      default:
        return "missing path";
    }
  }
}
