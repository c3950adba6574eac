package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.util.Optional;
import java.util.Set;

/**
 * Choices that shape a plan but do not come from the manifest.
 *
 * @param transport how host volumes reach the guest
 * @param maxTagBytes the hypervisor's longest mount tag, in UTF-8 bytes (QEMU 9p 31, kvmtool 32,
 *     virtio-fs 36)
 * @param reservedTags tags never given to a volume (the root share's tag, for example)
 * @param unitsDir where unit files go, as an absolute path inside the stage1 rootfs ({@code
 *     /usr/lib/systemd/system})
 * @param msize the 9p {@code msize} in bytes; the virtio transport caps it at 512000
 * @param cache the 9p {@code cache=} mode: {@code none}, {@code loose}, {@code fscache} or
 *     {@code mmap}
 * @param legacyRemount for guests with util-linux older than 2.27, which ignores {@code ro} in a
 *     bind mount's options: read-only binds are mounted {@code bind} and then made read-only by a
 *     oneshot service running {@code mount -o remount,bind,ro WHERE}, which the app requires
 * @param share how host volumes reach the guest: one share per volume, or the pod share
 * @param shareDir the host directory of the pod share, absolute and normalised; present exactly
 *     when {@code share} is {@link ShareStrategy#POD}
 * @param route how the mounts reach the guest's systemd: unit files, or a sealed image's
 *     credential or kernel command line (which also moves shares and empty volumes to {@link
 *     Route#mountRoot()})
 */
public record PlanOptions(
    Transport transport,
    int maxTagBytes,
    Set<String> reservedTags,
    GuestPath unitsDir,
    int msize,
    String cache,
    boolean legacyRemount,
    ShareStrategy share,
    Optional<String> shareDir,
    Route route) {

  /** Default units directory, {@code /usr/lib/systemd/system}. */
  public static final GuestPath DEFAULT_UNITS_DIR = GuestPath.parse("/usr/lib/systemd/system");

  /** Default 9p {@code msize}: the largest the virtio transport accepts, 512000 bytes. */
  public static final int DEFAULT_MSIZE = 512000;

  /** Default 9p cache mode, {@code mmap}: coherent enough for writable shares, mmap works. */
  public static final String DEFAULT_CACHE = "mmap";

  /** The 9p cache modes Linux accepts. */
  public static final Set<String> CACHE_MODES = Set.of("none", "loose", "fscache", "mmap");

  /**
   * Validates the options.
   *
   * @param transport how host volumes reach the guest
   * @param maxTagBytes the hypervisor's longest mount tag, in UTF-8 bytes (QEMU 9p 31, kvmtool 32, virtio-fs 36)
   * @param reservedTags tags never given to a volume (the root share's tag, for example)
   * @param unitsDir where unit files go, as an absolute path inside the stage1 rootfs ({@code /usr/lib/systemd/system})
   * @param msize the 9p {@code msize} in bytes; the virtio transport caps it at 512000
   * @param cache the 9p {@code cache=} mode: {@code none}, {@code loose}, {@code fscache} or {@code mmap}
   * @param legacyRemount for guests with util-linux older than 2.27, which ignores {@code ro} in a bind mount's options: read-only binds are mounted {@code bind} and then made read-only by a oneshot service running {@code mount -o remount,bind,ro WHERE}, which the app requires
   * @param share how host volumes reach the guest
   * @param shareDir the host directory of the pod share; present exactly with {@link ShareStrategy#POD}
   * @param route how the mounts reach the guest's systemd
   * @throws IllegalArgumentException if msize is outside 4096..512000, the cache mode is
   *     unknown, the tag limit is below 12 bytes, or the share directory is given without the pod
   *     share (or missing with it) or is not an absolute path
   */
  public PlanOptions {
    java.util.Objects.requireNonNull(share, "share");
    java.util.Objects.requireNonNull(route, "route");
    if (shareDir.isPresent() != (share == ShareStrategy.POD)) {
      throw new IllegalArgumentException(share == ShareStrategy.POD
          ? "the pod share needs a share directory" : "a share directory needs the pod share");
    }
    if (shareDir.isPresent() && !shareDir.get().startsWith("/")) {
      throw new IllegalArgumentException("share directory \"" + shareDir.get() + "\" is not absolute");
    }
    reservedTags = Set.copyOf(reservedTags);
    if (msize < 4096 || msize > 512000) {
      throw new IllegalArgumentException("msize " + msize + " is outside 4096..512000");
    }
    if (!CACHE_MODES.contains(cache)) {
      throw new IllegalArgumentException(
          "9p cache mode \"" + cache + "\" is not one of none, loose, fscache, mmap");
    }
    if (maxTagBytes < 12) {
      throw new IllegalArgumentException("tag limit " + maxTagBytes + " is below 12 bytes");
    }
  }

  /**
   * Options for QEMU over 9p with every default.
   *
   * @return transport 9p, 31-byte tags, default reserved tags, units dir, msize and cache
   */
  public static PlanOptions defaults() {
    return new PlanOptions(
        Transport.NINE_P, 31, MountTag.DEFAULT_RESERVED, DEFAULT_UNITS_DIR, DEFAULT_MSIZE, DEFAULT_CACHE, false,
        ShareStrategy.PER_VOLUME, Optional.empty(), Route.UNITS);
  }

  /**
   * Returns a copy with another transport and tag limit.
   *
   * @param t the transport
   * @param tagLimit the tag limit in bytes
   * @return the new options
   */
  public PlanOptions withTransport(Transport t, int tagLimit) {
    return new PlanOptions(t, tagLimit, reservedTags, unitsDir, msize, cache, legacyRemount, share, shareDir, route);
  }

  /**
   * Returns a copy with the legacy remount mode switched on or off.
   *
   * @param on whether read-only binds use a remount service
   * @return the new options
   */
  public PlanOptions withLegacyRemount(boolean on) {
    return new PlanOptions(transport, maxTagBytes, reservedTags, unitsDir, msize, cache, on, share, shareDir, route);
  }

  /**
   * Returns a copy that shares every host volume through one pod share.
   *
   * @param dir the host directory kvmount owns, absolute and normalised
   * @return the new options
   * @throws IllegalArgumentException if {@code dir} is not absolute
   */
  public PlanOptions withPodShare(String dir) {
    return new PlanOptions(
        transport, maxTagBytes, reservedTags, unitsDir, msize, cache, legacyRemount, ShareStrategy.POD, Optional.of(dir), route);
  }

  /**
   * Returns a copy with another route to the guest's systemd.
   *
   * @param r the route
   * @return the new options
   */
  public PlanOptions withRoute(Route r) {
    return new PlanOptions(transport, maxTagBytes, reservedTags, unitsDir, msize, cache, legacyRemount, share, shareDir, r);
  }
}
