package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.io.IOException;

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
