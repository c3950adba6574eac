package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.util.List;
import java.util.Objects;

/**
 * The pod share ({@code --share pod}): one host directory that kvmount owns, into which it
 * bind-mounts every host volume of the pod at a name it chooses, given to the guest as one share
 * mounted once. Each app's bind units then bind {@code <guest mount point>/<name>} onto their
 * targets. Immutable and thread-safe.
 *
 * @param shareDir the host directory kvmount owns, absolute and normalised, as the user gave it
 * @param share the one share: its tag, source ({@code shareDir}) and share unit
 * @param guestPath where the guest mounts the share ({@link #GUEST_PATH})
 * @param entries one per host volume, in manifest order
 */
public record PodShare(String shareDir, Share share, GuestPath guestPath, List<Entry> entries) {

  /** Where the guest mounts the pod share: {@code /mnt/kvmount_pod} (never a volume's {@code /mnt/<volume>}: {@code _} is not allowed in a volume name). */
  public static final GuestPath GUEST_PATH = GuestPath.parse("/mnt/kvmount_pod");

  /**
   * Returns where the guest mounts the pod share on a route: {@code kvmount_pod} in the route's
   * {@link Route#mountRoot()} ({@link #GUEST_PATH} for unit files).
   *
   * @param route the route
   * @return the pod share's mount point
   */
  public static GuestPath guestPath(Route route) {
    return route == Route.UNITS ? GUEST_PATH : route.mountRoot().resolve(GUEST_PATH.fileName());
  }

  /** The pod share's mount tag. */
  public static final String TAG = "kvmount-pod";

  /** Longest entry name in the share directory, in bytes; longer volume names are shortened with a hash. */
  public static final int MAX_ENTRY_BYTES = 64;

  /**
   * One host volume in the share directory.
   *
   * @param volume the volume name
   * @param name the entry's name in the share directory ({@code [a-z0-9-]}, at most {@link
   *     #MAX_ENTRY_BYTES} bytes, unique in the pod): the volume name, or its shortened form
   * @param source the host source as the manifest gives it
   * @param file true for a single-file volume (the source is a regular file)
   * @param readOnly true if the host bind is made read-only (the volume is read-only, or every
   *     mount of it is)
   * @param recursive true to share the mounts below the source too (appc {@code recursive},
   *     default true)
   * @param label how host-side messages name the volume: the volume name for appc; for an OCI
   *     bundle, whose volume names kvmount makes up, the name and the input field ({@code data
   *     (/b/config.json: mounts[2])})
   * @param origin where the input gives the source, for messages about it: the file and field
   *     ({@code pod.json: volumes[1].source}), or {@code volume "<label>"} without one
   */
  public record Entry(
      String volume,
      String name,
      String source,
      boolean file,
      boolean readOnly,
      boolean recursive,
      String label,
      String origin) {

    /**
     * An entry whose source messages name it by its label ({@code volume "data"}).
     *
     * @param volume the volume name
     * @param name the entry's name in the share directory
     * @param source the host source
     * @param file true for a single-file volume
     * @param readOnly true if the host bind is read-only
     * @param recursive true to share the mounts below the source too
     * @param label how messages name the entry
     */
    public Entry(
        String volume, String name, String source, boolean file, boolean readOnly, boolean recursive, String label) {
      this(volume, name, source, file, readOnly, recursive, label, "volume \"" + label + "\"");
    }

    /**
     * Equal entries: all components but {@link #origin()}, which only names the source in
     * messages.
     *
     * @param o another object
     * @return whether {@code o} is an equal entry
     */
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Entry)) {
        return false;
      }
      Entry e = (Entry) o;
      return volume.equals(e.volume) && name.equals(e.name) && source.equals(e.source) && file == e.file
          && readOnly == e.readOnly && recursive == e.recursive && label.equals(e.label);
    }

    /**
     * A hash consistent with {@link #equals}.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
      return Objects.hash(volume, name, source, file, readOnly, recursive, label);
    }

    /**
     * An entry whose messages name it by its volume name.
     *
     * @param volume the volume name
     * @param name the entry's name in the share directory
     * @param source the host source
     * @param file true for a single-file volume
     * @param readOnly true if the host bind is read-only
     * @param recursive true to share the mounts below the source too
     */
    public Entry(String volume, String name, String source, boolean file, boolean readOnly, boolean recursive) {
      this(volume, name, source, file, readOnly, recursive, volume);
    }
  }

  /**
   * Copies the entries.
   *
   * @param shareDir the host directory kvmount owns
   * @param share the one share
   * @param guestPath where the guest mounts the share
   * @param entries one per host volume, in manifest order
   */
  public PodShare {
    Objects.requireNonNull(shareDir, "shareDir");
    Objects.requireNonNull(share, "share");
    Objects.requireNonNull(guestPath, "guestPath");
    entries = List.copyOf(entries);
  }
}
