package io.kvmount.verify;

import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Read-only access to a stage1 rootfs that never follows a symbolic link below the root: every
 * path is checked component by component with {@code lstat} semantics.
 */
final class Tree {
  /** What is at a path. */
  enum Kind {
    MISSING,
    DIRECTORY,
    FILE,
    SYMLINK,
    OTHER,
    /** A component above the path is a symlink or not a directory. */
    BLOCKED
  }

  /**
   * The result of {@link #lstat}.
   *
   * @param kind what is there
   * @param blockedAt for {@link Kind#BLOCKED}: the component that is a symlink or a non-directory
   */
  record Stat(Kind kind, GuestPath blockedAt) {}

  /**
   * Files larger than this are not read: 64 MiB, the bound kvmount puts on a pod manifest. What
   * kvmount writes stays below it: a drop-in has two lines of at most 1 MiB each (the longest
   * line systemd reads), a unit far less; the state file of a 1,000-app pod is 1.5 MB.
   */
  static final int MAX_READ = 1 << 26;

  private final Path root;

  Tree(Path root) {
    this.root = root;
  }

  Path host(GuestPath p) {
    return p.isRoot() ? root : root.resolve(p.relativeString());
  }

  Stat lstat(GuestPath p) throws IOException {
    GuestPath cur = GuestPath.ROOT;
    List<String> cs = p.components();
    for (int i = 0; i < cs.size(); i++) {
      cur = cur.resolve(cs.get(i));
      Kind k = kindOf(host(cur));
      if (i == cs.size() - 1) {
        return new Stat(k, cur);
      }
      if (k == Kind.MISSING) {
        return new Stat(Kind.MISSING, cur);
      }
      if (k != Kind.DIRECTORY) {
        return new Stat(Kind.BLOCKED, cur);
      }
    }
    return new Stat(Kind.DIRECTORY, cur);
  }

  private static Kind kindOf(Path host) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Kind.MISSING;
    }
    if (a.isSymbolicLink()) {
      return Kind.SYMLINK;
    }
    if (a.isDirectory()) {
      return Kind.DIRECTORY;
    }
    return a.isRegularFile() ? Kind.FILE : Kind.OTHER;
  }

  /** Reads a regular file the caller has just {@link #lstat}ed; at most {@link #MAX_READ} bytes. */
  byte[] read(GuestPath p) throws IOException {
    return read(p, MAX_READ);
  }

  /**
   * Reads a regular file the caller has just {@link #lstat}ed, of at most {@code max} bytes.
   *
   * @throws IOException if it is larger (the message names the file, relative to the stage1
   *     rootfs) or cannot be read
   */
  byte[] read(GuestPath p, int max) throws IOException {
    try (SeekableByteChannel ch =
        Files.newByteChannel(host(p), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      if (ch.size() > max) {
        throw new IOException("\"" + p.relativeString() + "\" is " + ch.size() + " bytes, larger than the " + max
            + " bytes kvmount reads");
      }
      ByteBuffer b = ByteBuffer.allocate((int) ch.size() + 1);
      while (b.hasRemaining() && ch.read(b) > 0) {
        // keep reading
      }
      b.flip();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    }
  }

  /** Reads up to {@code n} bytes from the start of a regular file. */
  byte[] head(GuestPath p, int n) throws IOException {
    try (SeekableByteChannel ch =
        Files.newByteChannel(host(p), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.hasRemaining() && ch.read(b) > 0) {
        // keep reading
      }
      b.flip();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    }
  }

  /** Lists a directory the caller has just {@link #lstat}ed, names sorted. */
  List<String> list(GuestPath dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(host(dir))) {
      for (Path e : ds) {
        names.add(e.getFileName().toString());
      }
    }
    names.sort(null);
    return names;
  }

  /** Returns {@code {mode & 07777, uid, gid}} of a path, without following a final symlink. */
  long[] modeAndOwner(GuestPath p) throws IOException {
    Map<String, Object> a = Files.readAttributes(host(p), "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
    return new long[] {
      ((Integer) a.get("mode")) & 07777, ((Integer) a.get("uid")) & 0xFFFF_FFFFL, ((Integer) a.get("gid")) & 0xFFFF_FFFFL
    };
  }
}
