package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;

/**
 * An empty volume that starts as a copy of what an app's image holds where it is mounted:
 * Docker's volume rule, which rkt applies to images converted from Docker images (their manifest
 * has the {@code appc.io/docker/repository} annotation). The volume directory is made only once:
 * a run that finds it already there leaves its content alone (the app's data by then), and only
 * re-applies its mode and owner. Immutable and thread-safe.
 *
 * @param volume the volume's name ({@code <app>-<mount point>})
 * @param app the app whose image is copied
 * @param origin the manifest field of the mount point ({@code image manifest of app "db":
 *     app.mountPoints[0]})
 * @param from the image directory in the stage1 rootfs ({@code /opt/stage2/<app>/rootfs/<path>},
 *     the mount's resolved target), which holds no symlink on its way
 * @param to the volume directory in the stage1 rootfs ({@code /mnt/<volume>}); its mode and owner
 *     are those of {@code from}, given by the plan's {@link PlannedDirectory} for it
 * @param entries everything below {@code from}, parents before their entries, names sorted
 * @param modified the modification time of {@code from}, given to {@code to} once it is copied
 */
public record PlannedCopy(
    String volume, String app, String origin, GuestPath from, GuestPath to, List<Entry> entries, FileTime modified) {

  /** What one entry of the copy is. */
  public enum Type {
    /** A directory, made with the entry's mode and owner once its own entries are in it. */
    DIRECTORY,
    /** A regular file, its bytes copied. */
    FILE,
    /** A symlink, made with the same text; never followed. */
    SYMLINK,
    /** A second name of a regular file copied earlier ({@link Entry#target()}): a hard link to it. */
    HARD_LINK
  }

  /**
   * One file below the copied directory.
   *
   * @param path its path below {@link #from()} (and below {@link #to()} once copied)
   * @param type what it is
   * @param mode its permission bits ({@code 07777} at most); ignored for a symlink
   * @param uid its owner's user id
   * @param gid its owner's group id
   * @param size its size in bytes (a file's length; 0 for others)
   * @param target a symlink's text, exactly as stored; for a hard link, the path (below {@link
   *     #from()}) of the entry it is a second name of; empty otherwise
   * @param modified its modification time
   */
  public record Entry(
      RelativePath path, Type type, int mode, long uid, long gid, long size, String target, FileTime modified) {

    /**
     * Checks the components.
     *
     * @param path its path below the copied directory
     * @param type what it is
     * @param mode its permission bits
     * @param uid its owner's user id
     * @param gid its owner's group id
     * @param size its size in bytes
     * @param target a symlink's text or a hard link's first name; empty otherwise
     * @param modified its modification time
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code path} is empty, {@code mode} has bits outside
     *     {@code 07777}, or {@code target} is empty exactly when the type needs one
     */
    public Entry {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(modified, "modified");
      if (path.isEmpty()) {
        throw new IllegalArgumentException("empty entry path");
      }
      if ((mode & ~07777) != 0) {
        throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits outside 07777");
      }
      if (target.isEmpty() == (type == Type.SYMLINK || type == Type.HARD_LINK)) {
        throw new IllegalArgumentException(type + " with target \"" + target + "\"");
      }
    }
  }

  /**
   * Copies the list.
   *
   * @param volume the volume's name
   * @param app the app whose image is copied
   * @param origin the manifest field of the mount point
   * @param from the image directory in the stage1 rootfs
   * @param to the volume directory in the stage1 rootfs
   * @param entries everything below {@code from}, parents first
   * @param modified the modification time of {@code from}
   * @throws NullPointerException if a component or element is null
   */
  public PlannedCopy {
    Objects.requireNonNull(volume, "volume");
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(modified, "modified");
    entries = List.copyOf(entries);
  }

  /**
   * The bytes the copy reads and writes: the sum of its regular files' sizes (hard links count
   * once).
   *
   * @return bytes, 0 or more
   */
  public long bytes() {
    long n = 0;
    for (Entry e : entries) {
      if (e.type() == Type.FILE) {
        n += e.size();
      }
    }
    return n;
  }
}
