package io.kvmount.plan;

import java.io.IOException;

/**
 * Tells the planner which host volume sources are single files. The planner's only view of the
 * host: a single-file volume is mounted on a file, a directory volume on a directory.
 */
@FunctionalInterface
public interface SourceKinds {

  /** Every source planned as a directory: for planning without the host at hand. */
  SourceKinds ALL_DIRECTORIES = source -> false;

  /**
   * Whether a host volume's source is a regular file, following symlinks (as the bind mount
   * does). A missing source is not a file: it is planned as a directory, and the host check
   * reports it.
   *
   * @param source the source as the manifest gives it (absolute)
   * @return true for a regular file
   * @throws IOException if the host cannot be read
   */
  boolean isFile(String source) throws IOException;
}
