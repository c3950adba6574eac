package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.util.List;

/**
 * The four facts of one mount kvmount plans, as plain values: what the guest mounts, where, with
 * which filesystem type and options. A mount unit's {@code What=}, {@code Where=}, {@code Type=}
 * and {@code Options=} are rendered from it, and so are the fields of an fstab line for a sealed
 * image, so both routes carry the same mount. Immutable and thread-safe.
 *
 * @param what the source: a mount tag (share), a guest path (bind), or a filesystem's source name
 *     ({@code tmpfs})
 * @param where the mount point in the guest, canonical (no symlink in it when planned)
 * @param type the filesystem type: {@code 9p}, {@code virtiofs}, {@code none} (bind) or a guest
 *     filesystem's type
 * @param options mount options in the order written, without separators; empty for none
 */
public record MountSpec(String what, GuestPath where, String type, List<String> options) {

  /**
   * Copies the options.
   *
   * @param what the source
   * @param where the mount point in the guest
   * @param type the filesystem type
   * @param options mount options in order
   */
  public MountSpec {
    options = List.copyOf(options);
  }

  /**
   * Returns the options as {@code Options=} writes them: joined with commas.
   *
   * @return the comma-joined options; empty for none
   */
  public String optionText() {
    return String.join(",", options);
  }
}
