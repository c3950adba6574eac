package io.kvmount.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A snapshot of a directory tree without following symlinks: for every entry (path relative to
 * the root, {@code /}-separated) its type, mode bits, owner, and for files the size and SHA-256,
 * for symlinks the target. Optionally the modification time (nanoseconds), so that a file created
 * and deleted again shows as a changed parent directory.
 */
final class TreeSnapshot {
  private TreeSnapshot() {}

  /** With modification times. */
  static SortedMap<String, String> of(Path root) throws IOException {
    return of(root, true);
  }

  static SortedMap<String, String> of(Path root, boolean withTimes) throws IOException {
    SortedMap<String, String> r = new TreeMap<>();
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.toList();
    }
    for (Path p : all) {
      String rel = root.relativize(p).toString();
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      StringBuilder sb = new StringBuilder();
      String type;
      if (Files.isSymbolicLink(p)) {
        type = "link";
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        type = "dir";
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        type = "file";
      } else {
        type = "other";
      }
      sb.append(type).append(' ').append(Integer.toOctalString(mode & 07777)).append(' ')
          .append(a.get("uid")).append(':').append(a.get("gid"));
      switch (type) {
        case "link" -> sb.append(" -> ").append(Files.readSymbolicLink(p));
        case "file" -> sb.append(' ').append(a.get("size")).append(' ').append(sha256(p));
        default -> { }
      }
      if (withTimes && !type.equals("link")) {
        FileTime t = (FileTime) a.get("lastModifiedTime");
        sb.append(" t=").append(t.toInstant());
      }
      r.put(rel.isEmpty() ? "." : rel, sb.toString());
    }
    return r;
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
