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

  /**
   * Whether a host source is a regular file, following symlinks as a bind mount does; the
   * planner's view of the host ({@code io.kvmount.plan.SourceKinds}).
   *
   * @param source the source as the manifest gives it (absolute)
   * @return true for a regular file; false for a directory, anything else, or nothing
   */
  public static boolean isFile(String source) {
    return Files.isRegularFile(Path.of(source));
  }

  /**
   * Checks a plan's host sources: with one share per volume, every share's source is a directory;
   * with the pod share, every volume's source exists and is still what it was planned as (a
   * single file or a directory). Then the host mount points, as {@link #check(List, List)}.
   *
   * @param plan the plan
   * @throws InvalidInputException naming the first volume whose source is missing or of the wrong
   *     kind, or the missing host mount point
   */
  public static void check(Plan plan) throws InvalidInputException {
    if (plan.podShare().isEmpty()) {
      check(plan.shares(), plan.hostMountPoints());
      return;
    }
    for (io.kvmount.plan.PodShare.Entry e : plan.podShare().get().entries()) {
      Path p = Path.of(e.source());
      if (!Files.exists(p)) {
        throw new InvalidInputException(missing(e.origin(), e.source()));
      }
      if (e.file() ? !Files.isRegularFile(p) : !Files.isDirectory(p)) {
        throw new InvalidInputException(place(e.origin(), e.source()) + " is not a "
            + (e.file() ? "regular file" : "directory") + " (it changed while planning)");
      }
    }
    check(List.of(), plan.hostMountPoints());
  }

  private static void checkSources(List<Share> shares) throws InvalidInputException {
    for (Share s : shares) {
      Path p = Path.of(s.source());
      if (!Files.exists(p)) {
        throw new InvalidInputException(missing(s.origin(), s.source()));
      }
      if (!Files.isDirectory(p)) {
        throw new InvalidInputException(place(s.origin(), s.source()) + " is not a directory");
      }
    }
  }

  /**
   * Where a host source is given and what it is, as the input readers name a field: {@code
   * pod.json: volumes[1].source: "/srv/data"}; {@code volume "data": host source "/srv/data"} for a
   * plan built in code, whose origin is the volume alone.
   *
   * @param origin the share's or entry's origin
   * @param source the host source
   */
  private static String place(String origin, String source) {
    if (origin.startsWith("volume \"")) {
      return origin + ": host source \"" + source + "\"";
    }
    return origin + ": \"" + source + "\"";
  }

  /** The message for a host source that does not exist. */
  private static String missing(String origin, String source) {
    return place(origin, source) + " does not exist"
        + (origin.startsWith("volume \"") ? "" : "; create it, or fix the path");
  }

  /**
   * Refuses a host source that is the stage1 rootfs, lies inside it or holds it, compared by real
   * path: the guest's own root (its units, kvmount's state) would be shared into an app, writable
   * where the mount is.
   *
   * @param plan the plan (its shares, or its pod share's entries)
   * @param stage1Root the stage1 rootfs; nothing is checked when it does not exist
   * @throws InvalidInputException naming the volume and both paths
   * @throws java.io.IOException if a real path cannot be read
   */
  public static void checkOutsideStage1(Plan plan, Path stage1Root) throws InvalidInputException, java.io.IOException {
    if (stage1Root == null || !Files.isDirectory(stage1Root)) {
      return;
    }
    Path stage1 = stage1Root.toRealPath();
    List<String[]> sources = new java.util.ArrayList<>();
    if (plan.podShare().isPresent()) {
      for (io.kvmount.plan.PodShare.Entry e : plan.podShare().get().entries()) {
        sources.add(new String[] {e.origin(), e.source()});
      }
    } else {
      for (Share sh : plan.shares()) {
        sources.add(new String[] {sh.origin(), sh.source()});
      }
    }
    for (String[] v : sources) {
      Path p = Path.of(v[1]);
      if (!Files.exists(p)) {
        continue; // reported by the source checks
      }
      Path real = p.toRealPath();
      if (real.startsWith(stage1) || stage1.startsWith(real)) {
        throw new InvalidInputException(place(v[0], v[1]) + " "
            + (real.equals(stage1) ? "is" : real.startsWith(stage1) ? "lies inside" : "holds")
            + " the stage1 rootfs \"" + stage1Root + "\": the guest's own root would be shared into the app;"
            + " share a directory outside it");
      }
    }
  }
}
