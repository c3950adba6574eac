package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import io.kvmount.systemd.Quote;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an image directory that a volume starts as a copy of ({@link PlannedCopy}): every entry
 * below it, parents first, with its mode, owner, size and time, symlinks as their text (never
 * followed), and second names of a regular file as hard links to the first. Reads the stage1
 * rootfs through {@link GuestFs} only; writes nothing.
 *
 * <p>What it refuses (a {@link PlanException} naming the app, the mount point and the file, and
 * what to do): a device, socket or pipe (kvmount copies directories, regular files and symlinks
 * only), a name that does not read back (not valid in the file name encoding of this JVM, so
 * missing under its decoded name, or listed twice under it beside the file of that name), and a
 * tree of more than {@link #MAX_ENTRIES} entries.
 */
final class ImageCopy {

  /** Most entries one copy may hold: 100,000 (a Docker volume path is a data directory, not a system). */
  static final int MAX_ENTRIES = 100_000;

  /** What a name that does not read back gives: refused as {@link GuestFs.Kind#MISSING}. */
  private static final GuestFs.Stat MISSING =
      new GuestFs.Stat(GuestFs.Kind.MISSING, 0, 0, 0, 0, 0, 0, 0, java.nio.file.attribute.FileTime.fromMillis(0));

  private ImageCopy() {}

  /**
   * Reads the tree below {@code from}.
   *
   * @param fs the stage1 rootfs
   * @param from a directory in the stage1 rootfs, reached through no symlink
   * @param what who asks, for messages ({@code image manifest of app "db": app.mountPoints[0]})
   * @param inApp {@code from} as the app sees it ({@code /var/lib/db}), for messages
   * @param mountPoint the mount point's name, which a pod volume would need to replace the copy
   * @return the entries, parents before their entries, names sorted
   * @throws PlanException for a device, socket or pipe, an unreadable name, or too many entries
   * @throws IOException if the stage1 rootfs cannot be read
   */
  static List<PlannedCopy.Entry> entries(GuestFs fs, GuestPath from, GuestPath to, String what, String inApp,
      String mountPoint) throws PlanException, IOException {
    return entries(fs, from, to, what, inApp, mountPoint, MAX_ENTRIES);
  }

  /**
   * {@link #entries(GuestFs, GuestPath, GuestPath, String, String, String)} with a limit of {@code
   * maxEntries}.
   */
  static List<PlannedCopy.Entry> entries(GuestFs fs, GuestPath from, GuestPath to, String what, String inApp,
      String mountPoint, int maxEntries) throws PlanException, IOException {
    String declare = "declare a volume \"" + mountPoint + "\" in the pod";
    // Bytes left for a path below both directories (Linux's PATH_MAX, 4096 with the NUL).
    int room = 4095 - Math.max(utf8(from.toString()), utf8(to.toString())) - 1;
    List<PlannedCopy.Entry> out = new ArrayList<>();
    // First name of each regular file, by (device, inode).
    Map<String, RelativePath> firstName = new HashMap<>();
    // Each directory to read, with its path in the stage1 rootfs: an entry's path is made from
    // its directory's, so that all share their parents (a deep tree stays linear to look up).
    Deque<Dir> dirs = new ArrayDeque<>();
    dirs.push(new Dir(RelativePath.EMPTY, from, 0));
    while (!dirs.isEmpty()) {
      Dir d = dirs.pop();
      RelativePath dir = d.rel();
      GuestPath hostDir = d.at();
      int bytes = d.bytes();
      List<Dir> subdirs = new ArrayList<>();
      String previous = null;
      for (String name : fs.list(hostDir)) {
        RelativePath rel = dir.resolve(name);
        int relBytes = (bytes == 0 ? 0 : bytes + 1) + utf8(name);
        if (relBytes > room) {
          String shown = rel.toString();
          throw new PlanException(what + ": the image's " + Quote.of(inApp + "/" + shown.substring(0,
              Math.min(60, shown.length())) + "...") + " lies too deep: its path in the image or in the volume would be"
              + " longer than Linux's 4095 bytes; " + declare + " (a host volume with the data, or an empty one)");
        }
        GuestPath at = hostDir.resolve(name);
        String where = what + ": the image's " + Quote.of(inApp + "/" + rel);
        // Listed twice (sorted, so side by side): a name that is not valid in the file name
        // encoding decodes to the same string as another, and would read that other file.
        GuestFs.Stat s = name.equals(previous) ? MISSING : fs.stat(at);
        previous = name;
        if (out.size() >= maxEntries) {
          throw new PlanException(what + ": the image holds more than " + maxEntries + " files below "
              + Quote.of(inApp) + ", too many to copy into a volume; " + declare + " (a host volume with the data,"
              + " or an empty one)");
        }
        switch (s.kind()) {
          case DIRECTORY -> {
            out.add(new PlannedCopy.Entry(rel, PlannedCopy.Type.DIRECTORY, s.mode(), s.uid(), s.gid(), 0, "",
                s.modified()));
            subdirs.add(new Dir(rel, at, relBytes));
          }
          case FILE -> {
            // A file with one link is found once; with several, the second name finds the first.
            RelativePath first = firstName.putIfAbsent(s.device() + ":" + s.inode(), rel);
            if (first != null) {
              out.add(new PlannedCopy.Entry(rel, PlannedCopy.Type.HARD_LINK, s.mode(), s.uid(), s.gid(), 0,
                  first.toString(), s.modified()));
            } else {
              out.add(new PlannedCopy.Entry(rel, PlannedCopy.Type.FILE, s.mode(), s.uid(), s.gid(), s.size(), "",
                  s.modified()));
            }
          }
          case SYMLINK -> out.add(new PlannedCopy.Entry(rel, PlannedCopy.Type.SYMLINK, 0777, s.uid(), s.gid(), 0,
              fs.readLink(at), s.modified())); // never empty: Linux makes no symlink without a target
          case OTHER -> throw new PlanException(where + " is a device, socket or pipe; kvmount copies directories,"
              + " regular files and symlinks into a volume; remove it from the image, or " + declare);
          case MISSING -> throw new PlanException(where + " cannot be read back by its listed name (is it valid"
              + " " + System.getProperty("sun.jnu.encoding", "UTF-8") + "?); rename it in the image, or " + declare);
          default -> throw new AssertionError(s.kind());
        }
      }
      // Depth first, names in order: push the last subdirectory first.
      for (int i = subdirs.size() - 1; i >= 0; i--) {
        dirs.push(subdirs.get(i));
      }
    }
    return out;
  }

  /**
   * A directory to read: its path below the copied one, its path in the stage1 rootfs, and the
   * UTF-8 length of the first.
   */
  private record Dir(RelativePath rel, GuestPath at, int bytes) {}

  /** The UTF-8 length of {@code s}. */
  private static int utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}
