package io.kvmount.apply;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel uses when this process creates a file: its file-system uid and gid and its
 * umask, read once from {@code /proc/self/status} (fields {@code Uid:}, {@code Gid:}, fourth
 * value, and {@code Umask:}, octal; Linux 4.7 or later, see proc(5)).
 *
 * <p>Lets the writer create a directory with its final mode in one {@code mkdir(2)} when that
 * cannot differ from what it asks for: the directory's owner is this process's and the mode has no
 * bit the umask clears. The writer still checks the result with one {@code lstat} and corrects it
 * (a parent's set-group-ID bit or default ACL can still change gid or mode), so these values are a
 * fast path, never trusted for correctness.
 *
 * @param uid file-system uid, or -1 if unknown
 * @param gid file-system gid, or -1 if unknown
 * @param umask the umask bits (octal, e.g. {@code 022}), or -1 if unknown
 */
record ProcessCreds(long uid, long gid, int umask) {

  /** Nothing known: every directory takes the careful path. */
  static final ProcessCreds UNKNOWN = new ProcessCreds(-1, -1, -1);

  private static volatile ProcessCreds current;

  /**
   * This process's credentials, read on first use.
   *
   * @return the credentials, or {@link #UNKNOWN} if {@code /proc/self/status} cannot be read or
   *     lacks a field
   */
  static ProcessCreds current() {
    ProcessCreds c = current;
    if (c == null) {
      c = read(Path.of("/proc/self/status"));
      current = c;
    }
    return c;
  }

  /**
   * Parses a {@code /proc/<pid>/status} file.
   *
   * @param status the file
   * @return the credentials, or {@link #UNKNOWN} when unreadable or incomplete
   */
  static ProcessCreds read(Path status) {
    String text;
    try {
      text = new String(Files.readAllBytes(status), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
    return parse(text);
  }

  /**
   * Parses the text of a {@code /proc/<pid>/status} file.
   *
   * @param text the file's text
   * @return the credentials, or {@link #UNKNOWN} when a field is missing or malformed
   */
  static ProcessCreds parse(String text) {
    long uid = -1;
    long gid = -1;
    int umask = -1;
    try {
      for (String line : text.split("\n")) {
        if (line.startsWith("Uid:")) {
          uid = fsId(line);
        } else if (line.startsWith("Gid:")) {
          gid = fsId(line);
        } else if (line.startsWith("Umask:")) {
          umask = Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
          if (umask < 0 || umask > 0777) {
            return UNKNOWN;
          }
        }
      }
    } catch (NumberFormatException e) {
      return UNKNOWN;
    }
    if (uid < 0 || gid < 0 || umask < 0) {
      return UNKNOWN;
    }
    return new ProcessCreds(uid, gid, umask);
  }

  /** The fourth value (file-system id) of a {@code Uid:} or {@code Gid:} line. */
  private static long fsId(String line) {
    String[] f = line.substring(4).trim().split("\\s+");
    if (f.length != 4) {
      throw new NumberFormatException("expected 4 ids: " + line);
    }
    long id = Long.parseLong(f[3]);
    if (id < 0 || id > 0xFFFF_FFFFL) {
      throw new NumberFormatException("id out of range: " + line);
    }
    return id;
  }

  /**
   * Whether {@code mkdir(2)} with {@code mode} makes a directory with exactly this mode and owner,
   * as far as this process's credentials tell.
   *
   * @param mode wanted permission bits (octal, up to {@code 07777})
   * @param uid wanted owner
   * @param gid wanted group
   * @return true if uid and gid are this process's and mode has no bit above {@code 0777} nor
   *     one the umask clears
   */
  boolean mkdirGives(int mode, long uid, long gid) {
    return umask >= 0 && this.uid == uid && this.gid == gid && (mode & ~0777) == 0 && (mode & umask) == 0;
  }
}
