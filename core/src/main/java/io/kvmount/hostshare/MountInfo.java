package io.kvmount.hostshare;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mount table of this process's mount namespace, as {@code /proc/self/mountinfo} gives it
 * (proc(5)): one {@link Mount} per line, in the kernel's order (a mount stacked on another comes
 * after it). Immutable.
 *
 * @param mounts the mounts, in the file's order
 */
record MountInfo(List<Mount> mounts) {

  /** The file this class reads. */
  static final Path PROC_SELF_MOUNTINFO = Path.of("/proc/self/mountinfo");

  MountInfo {
    mounts = List.copyOf(mounts);
  }

  /**
   * One line of {@code mountinfo}.
   *
   * @param id the mount ID
   * @param parentId the parent's mount ID
   * @param device {@code major:minor} of the file system
   * @param root the path inside the file system that is the root of this mount (a bind mount's
   *     source), octal escapes decoded
   * @param mountPoint where it is mounted, relative to the process's root, escapes decoded
   * @param options the per-mount options ({@code ro} or {@code rw} first, then {@code nosuid},
   *     ...)
   * @param optional the optional fields ({@code shared:N}, {@code master:N}, ...)
   * @param fsType the file system type
   */
  record Mount(
      int id,
      int parentId,
      String device,
      String root,
      String mountPoint,
      List<String> options,
      List<String> optional,
      String fsType) {
    Mount {
      options = List.copyOf(options);
      optional = List.copyOf(optional);
    }

    /** Whether the per-mount options say read-only. */
    boolean readOnly() {
      return options.contains("ro");
    }

    /** Whether the mount is in a peer group (mount events propagate out of it). */
    boolean shared() {
      return optional.stream().anyMatch(o -> o.startsWith("shared:"));
    }

    /** The mount point as a path. */
    Path path() {
      return Path.of(mountPoint);
    }
  }

  /**
   * Reads {@code /proc/self/mountinfo}.
   *
   * @return the table
   * @throws IOException when the file cannot be read or a line is malformed
   */
  static MountInfo read() throws IOException {
    return parse(new String(Files.readAllBytes(PROC_SELF_MOUNTINFO), StandardCharsets.UTF_8));
  }

  /**
   * Parses the text of a {@code mountinfo} file: fields separated by one space, the optional
   * fields ended by a lone {@code -}, and space, tab, newline and backslash in paths written as
   * octal escapes ({@code \040}, {@code \011}, {@code \012}, {@code \134}).
   *
   * @param text the file's content
   * @return the table
   * @throws IOException when a line has too few fields or no {@code -} separator
   */
  static MountInfo parse(String text) throws IOException {
    List<Mount> out = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(" ", -1);
      int dash = -1;
      for (int i = 6; i < f.length; i++) {
        if (f[i].equals("-")) {
          dash = i;
          break;
        }
      }
      if (dash < 0 || dash + 2 >= f.length) {
        throw new IOException("read /proc/self/mountinfo: malformed line \"" + line + "\"");
      }
      try {
        out.add(
            new Mount(
                Integer.parseInt(f[0]),
                Integer.parseInt(f[1]),
                f[2],
                unescape(f[3]),
                unescape(f[4]),
                List.of(f[5].split(",", -1)),
                List.of(f).subList(6, dash),
                unescape(f[dash + 1])));
      } catch (NumberFormatException e) {
        throw new IOException("read /proc/self/mountinfo: malformed line \"" + line + "\"", e);
      }
    }
    return new MountInfo(out);
  }

  /**
   * Decodes the kernel's octal escapes ({@code \ooo}, three octal digits) as bytes and the result
   * as UTF-8; a backslash not followed by three octal digits stays as it is.
   *
   * @param s a field of a mountinfo line
   * @return the decoded text
   */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '\\'
          && i + 3 < in.length
          && octal(in[i + 1])
          && octal(in[i + 2])
          && octal(in[i + 3])) {
        out.write(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
        i += 3;
      } else {
        out.write(in[i]);
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static boolean octal(byte b) {
    return b >= '0' && b <= '7';
  }

  /**
   * The mounts whose mount point is {@code p} itself, bottom of the stack first.
   *
   * @param p an absolute, normalised path
   * @return the stack at {@code p}, empty when nothing is mounted there
   */
  List<Mount> at(Path p) {
    String s = p.toString();
    List<Mount> r = new ArrayList<>();
    for (Mount m : mounts) {
      if (m.mountPoint().equals(s)) {
        r.add(m);
      }
    }
    return r;
  }

  /**
   * The mounts strictly below {@code p} (mount point {@code p/...}).
   *
   * @param p an absolute, normalised path
   * @return those mounts, in table order
   */
  List<Mount> below(Path p) {
    String prefix = p.toString().equals("/") ? "/" : p + "/";
    List<Mount> r = new ArrayList<>();
    for (Mount m : mounts) {
      if (m.mountPoint().startsWith(prefix) && m.mountPoint().length() > prefix.length()) {
        r.add(m);
      }
    }
    return r;
  }

  /**
   * The mounts at {@code p} or below it.
   *
   * @param p an absolute, normalised path
   * @return those mounts, in table order
   */
  List<Mount> atOrBelow(Path p) {
    List<Mount> r = new ArrayList<>(at(p));
    r.addAll(below(p));
    return r;
  }

  /**
   * The mount through which path lookup reaches {@code p}: of the mounts whose mount point is
   * {@code p} or an ancestor of it, the one with the longest mount point, and of a stack there
   * the topmost (last listed).
   *
   * @param p an absolute, normalised real path (no symlinks)
   * @return that mount, empty when the table has none (no {@code /} mount visible)
   */
  Optional<Mount> containing(Path p) {
    Mount best = null;
    for (Mount m : mounts) {
      Path mp = m.path();
      if (p.startsWith(mp)
          && (best == null || mp.getNameCount() >= best.path().getNameCount())) {
        best = m;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * What a bind mount of the real path {@code p} must show in this table: the root of the mount
   * containing {@code p} joined with {@code p}'s path inside that mount, and its device.
   *
   * @param p an absolute, normalised real path
   * @return the expected root and device, empty when no mount contains {@code p}
   */
  Optional<Origin> originOf(Path p) {
    return containing(p)
        .map(
            m -> {
              Path rel = m.path().relativize(p);
              Path root = Path.of(m.root()).resolve(rel).normalize();
              return new Origin(root.toString(), m.device());
            });
  }

  /**
   * Where a mount comes from: the path inside its file system and the file system's device.
   *
   * @param root the path inside the file system ({@code mountinfo} field 4)
   * @param device {@code major:minor}
   */
  record Origin(String root, String device) {
    @Override
    public String toString() {
      return "\"" + root + "\" on device " + device;
    }
  }
}
