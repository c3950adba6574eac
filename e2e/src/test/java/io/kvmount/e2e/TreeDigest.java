package io.kvmount.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a directory tree holds, entry by entry, to prove that a run changed none of it: for every
 * path below the root (the root itself as {@code .}) its type, permission bits, uid, gid and
 * modification time, plus the SHA-256 of a regular file's content or a symbolic link's target
 * (links are never followed).
 */
final class TreeDigest {
  private TreeDigest() {}

  /**
   * The entries of the tree at {@code root}: relative path (sorted) to {@code "<type> <mode octal>
   * <uid> <gid> <mtime> <sha256 or link target>"}.
   *
   * @throws IOException if an entry cannot be read
   */
  static Map<String, String> of(Path root) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    List<Path> paths;
    try (Stream<Path> s = Files.walk(root)) {
      paths = s.toList();
    }
    for (Path p : paths) {
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
      String what;
      String type;
      if (Files.isSymbolicLink(p)) {
        type = "l";
        what = Files.readSymbolicLink(p).toString();
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        type = "d";
        what = "";
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        type = "f";
        what = sha256(p);
      } else {
        type = "o";
        what = "";
      }
      String rel = root.relativize(p).toString();
      entries.put(
          rel.isEmpty() ? "." : rel,
          type + " " + Integer.toOctalString((Integer) a.get("mode") & 07777) + " " + a.get("uid") + " " + a.get("gid") + " "
              + a.get("lastModifiedTime") + " " + what);
    }
    return entries;
  }

  /**
   * The differences between two digests of {@link #of}: one line per path added ({@code +}),
   * removed ({@code -}) or changed ({@code ~ path: before -> after}); empty when equal.
   */
  static List<String> differences(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    for (var e : before.entrySet()) {
      String now = after.get(e.getKey());
      if (now == null) {
        out.add("- " + e.getKey());
      } else if (!now.equals(e.getValue())) {
        out.add("~ " + e.getKey() + ": " + e.getValue() + " -> " + now);
      }
    }
    after.keySet().stream().filter(k -> !before.containsKey(k)).forEach(k -> out.add("+ " + k));
    return out;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
