package io.kvmount.apply;

import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.DirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Objects;

/**
 * A read-only {@link GuestFs} over a stage1 rootfs directory on the host, for the planner.
 *
 * <p>It never follows a symbolic link: every component of a path is looked at with {@code lstat}
 * semantics ({@link LinkOption#NOFOLLOW_LINKS}), starting from the stage1 rootfs. A symlink at the
 * last component is reported as {@link GuestFs.Kind#SYMLINK}; a symlink before the last component
 * breaks the {@link GuestFs#kind} contract (the caller must resolve links first) and is reported as
 * an {@link IOException} naming it, rather than followed. It never writes.
 *
 * <p>The stage1 rootfs directory itself is trusted: a symlink given as {@code stage1Root} is
 * followed, as the root of filepath-securejoin is.
 *
 * <p>It is a snapshot for one planning run: each path is looked at once and its kind remembered
 * (a 1,000-app pod asks about the same few directories 10,000 times). Make a new instance to see
 * later changes.
 *
 * <p>Limitation: the checks are path-based and race with concurrent changes to the stage1 rootfs by
 * another process (time of check to time of use). The caller must own the stage1 rootfs while
 * planning and applying.
 *
 * <p>Thread-safe.
 */
public final class NioGuestFs implements GuestFs {

  private final Path root;

  /** lstat results by path, for paths whose parents are all real directories. */
  private final Map<GuestPath, Kind> seen = new ConcurrentHashMap<>();

  /**
   * Creates a view of a stage1 rootfs.
   *
   * @param stage1Root the stage1 rootfs directory on the host (absolute or relative to the working
   *     directory); it is not checked here, {@link #kind} reports {@link GuestFs.Kind#MISSING} for
   *     everything below a root that does not exist
   */
  public NioGuestFs(Path stage1Root) {
    this.root = Objects.requireNonNull(stage1Root, "stage1Root");
  }

  /**
   * Tells what is at {@code path} without following any symlink.
   *
   * @param path a guest path, read as relative to the stage1 rootfs
   * @return the kind of file; {@link GuestFs.Kind#MISSING} if it or a parent does not exist, or a
   *     parent is a regular file or device
   * @throws IOException if a component before the last is a symlink (the caller should have
   *     resolved it), or the file system cannot be read
   */
  @Override
  public Kind kind(GuestPath path) throws IOException {
    if (path.isRoot()) {
      // The root itself is trusted and may be reached through a symlink.
      if (Files.isDirectory(root)) {
        return Kind.DIRECTORY;
      }
      return Files.exists(root, LinkOption.NOFOLLOW_LINKS) ? Kind.OTHER : Kind.MISSING;
    }
    return walkParents(path) == null ? Kind.MISSING : lstatBelowDirectories(path);
  }

  /**
   * {@code lstat} of a path whose parents have all been seen to be real directories, remembered:
   * the planner looks at the same few directories once per mount.
   */
  private Kind lstatBelowDirectories(GuestPath p) throws IOException {
    Kind k = seen.get(p);
    if (k == null) {
      k = lstat(root.resolve(p.relativeString()));
      seen.put(p, k);
    }
    return k;
  }

  private IOException symlinkParent(GuestPath path, GuestPath link) {
    return new IOException(
        "look up \""
            + path
            + "\" in stage1 rootfs \""
            + root
            + "\": \""
            + link
            + "\" is a symlink; it must be resolved before looking below it");
  }

  /**
   * Reads a symlink's target text, unchanged, without following it.
   *
   * @param path a guest path for which {@link #kind} returns {@link GuestFs.Kind#SYMLINK}
   * @return the link text, absolute or relative, exactly as stored
   * @throws IOException if there is no symlink at {@code path}, a component before it is a symlink,
   *     or it cannot be read
   */
  @Override
  public String readLink(GuestPath path) throws IOException {
    Path host = walkParents(path);
    if (host == null || path.isRoot() || lstat(host) != Kind.SYMLINK) {
      throw new IOException(
          "read symlink \"" + path + "\" in stage1 rootfs \"" + root + "\": not a symlink");
    }
    return Files.readSymbolicLink(host).toString();
  }

  /**
   * Tells what is at {@code path} and its attributes, without following any symlink.
   *
   * @param path a guest path, read as relative to the stage1 rootfs
   * @return its kind and attributes; {@link GuestFs.Kind#MISSING} (zeros) if it or a parent does
   *     not exist, or a parent is not a directory
   * @throws IOException if a component before the last is a symlink, or it cannot be read
   */
  @Override
  public Stat stat(GuestPath path) throws IOException {
    Path host = path.isRoot() ? root : walkParents(path);
    if (host == null) {
      return missing();
    }
    Map<String, Object> a;
    try {
      a = Files.readAttributes(host, "unix:mode,uid,gid,size,dev,ino,nlink,lastModifiedTime",
          LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return missing();
    }
    int mode = (Integer) a.get("mode");
    Kind kind = switch (mode & 0170000) {
      case 0040000 -> Kind.DIRECTORY;
      case 0100000 -> Kind.FILE;
      case 0120000 -> Kind.SYMLINK;
      default -> Kind.OTHER;
    };
    return new Stat(kind, mode & 07777, ((Integer) a.get("uid")) & 0xFFFF_FFFFL,
        ((Integer) a.get("gid")) & 0xFFFF_FFFFL, (Long) a.get("size"), (Long) a.get("dev"), (Long) a.get("ino"),
        ((Integer) a.get("nlink")).longValue(), (FileTime) a.get("lastModifiedTime"));
  }

  private static Stat missing() {
    return new Stat(Kind.MISSING, 0, 0, 0, 0, 0, 0, 0, FileTime.fromMillis(0));
  }

  /**
   * The names in a directory, sorted, read without following a symlink on the way.
   *
   * @param dir a guest path for which {@link #kind} returns {@link GuestFs.Kind#DIRECTORY}
   * @return the entries' names
   * @throws IOException if it is not a real directory, a component is a symlink, or it cannot be
   *     read
   */
  @Override
  public List<String> list(GuestPath dir) throws IOException {
    if (kind(dir) != Kind.DIRECTORY) {
      throw new IOException("list \"" + dir + "\" in stage1 rootfs \"" + root + "\": not a directory");
    }
    Path host = dir.isRoot() ? root : root.resolve(dir.relativeString());
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(host)) {
      for (Path e : ds) {
        names.add(e.getFileName().toString());
      }
    }
    Collections.sort(names);
    return names;
  }

  /**
   * Checks every component before the last; returns the host path of {@code path}, or {@code null}
   * if a parent is missing or not a directory.
   */
  private Path walkParents(GuestPath path) throws IOException {
    // The ancestors, top first, found in one walk up (ancestor(i) walks up each time: cubic in
    // the depth over a deep image tree).
    GuestPath[] up = new GuestPath[Math.max(path.depth() - 1, 0)];
    GuestPath p = path;
    for (int i = up.length - 1; i >= 0; i--) {
      p = p.parent();
      up[i] = p;
    }
    for (GuestPath a : up) {
      Kind k = lstatBelowDirectories(a);
      if (k == Kind.SYMLINK) {
        throw symlinkParent(path, a);
      }
      if (k != Kind.DIRECTORY) {
        return null;
      }
    }
    return root.resolve(path.relativeString());
  }

  /**
   * Tells what a host path is, without following a symlink at its last component.
   *
   * @param host a host path
   * @return its kind; {@link GuestFs.Kind#MISSING} when it does not exist or a parent is not a
   *     directory
   * @throws IOException if the file system cannot be read (permission denied, I/O error)
   */
  static Kind lstat(Path host) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Kind.MISSING;
    } catch (FileSystemException e) {
      // ENOTDIR surfaces as a plain FileSystemException with this reason on Linux.
      if ("Not a directory".equals(e.getReason())) {
        return Kind.MISSING;
      }
      throw e;
    }
    if (a.isSymbolicLink()) {
      return Kind.SYMLINK;
    }
    if (a.isDirectory()) {
      return Kind.DIRECTORY;
    }
    if (a.isRegularFile()) {
      return Kind.FILE;
    }
    return Kind.OTHER;
  }
}
