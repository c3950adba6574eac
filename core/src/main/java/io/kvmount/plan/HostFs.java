package io.kvmount.plan;

import java.io.IOException;

/**
 * The planner's read-only view of host paths an OCI bundle names: its bind sources and its root
 * filesystem. Implementations never write and allow concurrent calls.
 */
public interface HostFs {

  /** What a bind source is, after following symlinks as a bind mount does. */
  enum SourceKind {
    /** Nothing there (or a dangling symlink). */
    MISSING,
    /** A directory. */
    DIRECTORY,
    /** A regular file. */
    FILE,
    /** A device, socket or pipe. */
    OTHER
  }

  /**
   * Tells what a host path is, following symlinks.
   *
   * @param hostPath an absolute host path
   * @return what is there
   * @throws IOException if it cannot be read
   */
  SourceKind kind(String hostPath) throws IOException;

  /**
   * A view of a host directory in which paths are relative to it ({@code /etc/hosts} is {@code
   * <hostDir>/etc/hosts}); a missing directory views as empty.
   *
   * @param hostDir an absolute host directory
   * @return the view; it never follows a symlink itself
   */
  GuestFs directory(String hostDir);
}
