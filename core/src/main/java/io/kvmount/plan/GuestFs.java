package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * A read-only view of the stage1 rootfs that the planner uses to resolve mount targets through
 * symlinks an app image already contains. Paths are relative to the stage1 rootfs. An
 * implementation must never follow a symlink itself (it reports links, the planner resolves
 * them) and must never write. It must allow concurrent calls: the planner resolves the mount
 * targets of a large pod on several threads.
 */
public interface GuestFs {

  /** What lies at a path. */
  enum Kind {
    /** Nothing (or a parent is not a directory). */
    MISSING,
    /** A directory. */
    DIRECTORY,
    /** A regular file. */
    FILE,
    /** A symbolic link (not followed). */
    SYMLINK,
    /** A device, socket or pipe. */
    OTHER
  }

  /**
   * Tells what is at {@code path} without following a symlink at its last component. The
   * components before the last are already resolved by the caller and are directories.
   *
   * @param path a path relative to the stage1 rootfs
   * @return the kind of file there
   * @throws IOException if it cannot be read
   */
  Kind kind(GuestPath path) throws IOException;

  /**
   * Reads a symlink's target text, unchanged.
   *
   * @param path a path for which {@link #kind} returned {@link Kind#SYMLINK}
   * @return the link text, absolute or relative
   * @throws IOException if it cannot be read
   */
  String readLink(GuestPath path) throws IOException;

  /**
   * What {@code lstat} tells about one file: what the planner needs to copy an image directory
   * into a volume ({@link ImageCopy}).
   *
   * @param kind what it is (a symlink is not followed)
   * @param mode the permission bits, {@code 07777} at most (set-user-ID, set-group-ID, sticky and
   *     {@code rwx} for owner, group and others)
   * @param uid the owner's user id
   * @param gid the owner's group id
   * @param size the size in bytes (a regular file's length; a symlink's text length)
   * @param device the id of the device that holds it ({@code st_dev})
   * @param inode its inode number ({@code st_ino}); with {@code device}, the file's identity
   * @param links its number of hard links ({@code st_nlink})
   * @param modified its modification time
   */
  record Stat(Kind kind, int mode, long uid, long gid, long size, long device, long inode, long links,
      FileTime modified) {}

  /**
   * Tells what is at {@code path} and its attributes, without following a symlink at its last
   * component; the components before the last are already resolved by the caller.
   *
   * @param path a path relative to the stage1 rootfs
   * @return its kind and attributes; for {@link Kind#MISSING}, zeros and the epoch
   * @throws IOException if it cannot be read, or this view cannot read attributes (the default
   *     reads only {@link #kind}, and gives a missing file's zeros)
   */
  default Stat stat(GuestPath path) throws IOException {
    if (kind(path) == Kind.MISSING) {
      return new Stat(Kind.MISSING, 0, 0, 0, 0, 0, 0, 0, FileTime.fromMillis(0));
    }
    throw new IOException("stat \"" + path + "\": this view of the stage1 rootfs cannot read attributes");
  }

  /**
   * The names in a directory, sorted ({@link String#compareTo}), without {@code .} and {@code ..}.
   *
   * @param dir a path for which {@link #kind} returns {@link Kind#DIRECTORY}
   * @return the entries' names
   * @throws IOException if it is not a directory, cannot be read, or this view cannot list
   */
  default List<String> list(GuestPath dir) throws IOException {
    throw new IOException("list \"" + dir + "\": this view of the stage1 rootfs cannot list directories");
  }

  /** A view in which nothing exists: planning without a stage1 rootfs. */
  GuestFs EMPTY =
      new GuestFs() {
        @Override
        public Kind kind(GuestPath path) {
          return path.isRoot() ? Kind.DIRECTORY : Kind.MISSING;
        }

        @Override
        public String readLink(GuestPath path) throws IOException {
          throw new IOException("no symlink at " + path);
        }
      };
}
