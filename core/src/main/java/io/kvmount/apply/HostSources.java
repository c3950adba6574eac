package io.kvmount.apply;

import io.kvmount.error.InvalidInputException;
import io.kvmount.plan.Plan;
import io.kvmount.plan.Share;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks host volume sources on the host before anything is written. Reads, never writes. */
public final class HostSources {
  private HostSources() {}

  /**
   * Checks that every share's source exists and is a directory (following symlinks, as the
   * hypervisor will).
   *
   * @param shares the shares
   * @throws InvalidInputException naming the first volume whose source is missing or not a
   *     directory
   */
  public static void check(List<Share> shares) throws InvalidInputException {
    check(shares, List.of());
  }

  /**
   * Checks the shares' sources, then that every directory a nested read-only mount needs exists
   * inside its host volume.
   *
   * @param shares the shares
   * @param hostMountPoints directories that must exist on the host
   * @throws InvalidInputException naming the volume or the manifest field, and what to create
   */
  public static void check(List<Share> shares, List<Plan.HostMountPoint> hostMountPoints)
      throws InvalidInputException {
    checkSources(shares);
    for (Plan.HostMountPoint m : hostMountPoints) {
      if (!Files.isDirectory(Path.of(m.path()))) {
        throw new InvalidInputException(
            m.origin() + ": " + m.reason() + "; create the directory \"" + m.path() + "\" on the host");
      }
    }
  }

  private static void checkSources(List<Share> shares) throws InvalidInputException {
    for (Share s : shares) {
      Path p = Path.of(s.source());
      if (!Files.exists(p)) {
        throw new InvalidInputException(
            "volume \"" + s.volume() + "\": host source \"" + s.source() + "\" does not exist");
      }
      if (!Files.isDirectory(p)) {
        throw new InvalidInputException(
            "volume \"" + s.volume() + "\": host source \"" + s.source() + "\" is not a directory");
      }
    }
  }
}
