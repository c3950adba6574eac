package io.kvmount.plan;

import io.kvmount.systemd.UnitName;

/**
 * A host directory shared into the guest under a mount tag: one per {@code host} volume.
 * Immutable and thread-safe.
 *
 * @param volume the appc volume name
 * @param tag the mount tag; the hypervisor argument and the share unit's {@code What=} both use
 *     exactly this value. ASCII, unique in the pod, within the backend's byte limit
 * @param source the absolute host directory, as the manifest gives it
 * @param readOnly true if every mount of the volume is read-only (then the device itself is
 *     read-only too)
 * @param unit the share unit that mounts the tag at {@code /mnt/<volume>} ({@code mnt-data.mount})
 * @param origin where the input gives the source, for messages: the file and field ({@code
 *     pod.json: volumes[1].source}, {@code /b/config.json: mounts[0].source}), or {@code volume
 *     "data"} when the input has no file or field for it
 */
public record Share(String volume, String tag, String source, boolean readOnly, UnitName unit, String origin) {

  /**
   * A share whose messages name it by its volume ({@code volume "data"}).
   *
   * @param volume the appc volume name
   * @param tag the mount tag
   * @param source the absolute host directory
   * @param readOnly true if every mount of the volume is read-only
   * @param unit the share unit
   */
  public Share(String volume, String tag, String source, boolean readOnly, UnitName unit) {
    this(volume, tag, source, readOnly, unit, "volume \"" + volume + "\"");
  }

  /**
   * Equal shares: the same volume, tag, source, access and unit. {@link #origin()} only names the
   * source in messages, so it is not compared.
   *
   * @param o another object
   * @return whether {@code o} is an equal share
   */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Share)) {
      return false;
    }
    Share s = (Share) o;
    return volume.equals(s.volume) && tag.equals(s.tag) && source.equals(s.source) && readOnly == s.readOnly
        && unit.equals(s.unit);
  }

  /**
   * A hash consistent with {@link #equals}.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return java.util.Objects.hash(volume, tag, source, readOnly, unit);
  }
}
