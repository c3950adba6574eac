package io.kvmount.hostshare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A file's identity on the host: its device and inode number ({@code st_dev}, {@code st_ino} of
 * stat(2)), the same whatever path reaches it, through bind mounts or symlinks. The pod share
 * compares these instead of path prefixes where another path to the same directory would slip
 * past a prefix test. Immutable.
 *
 * @param dev the device number ({@code unix:dev})
 * @param ino the inode number ({@code unix:ino})
 */
record FileId(long dev, long ino) {

  /**
   * The identity of what {@code p} names (following symlinks).
   *
   * @param p the path
   * @return its identity, empty when it does not exist or cannot be stat'ed
   */
  static Optional<FileId> of(Path p) {
    try {
      return Optional.of(
          new FileId(
              ((Number) Files.getAttribute(p, "unix:dev")).longValue(),
              ((Number) Files.getAttribute(p, "unix:ino")).longValue()));
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /**
   * A path with its identity.
   *
   * @param path the path
   * @param id what it names
   */
  record Placed(Path path, FileId id) {}

  /**
   * The existing directories on the way to {@code p}, itself first (when it exists), then each
   * parent up to {@code /}; those that cannot be stat'ed are left out.
   *
   * @param p an absolute path
   * @return the chain, innermost first
   */
  static List<Placed> chain(Path p) {
    List<Placed> l = new ArrayList<>();
    for (Path q = p; q != null; q = q.getParent()) {
      Path at = q;
      of(at).ifPresent(id -> l.add(new Placed(at, id)));
    }
    return l;
  }
}
