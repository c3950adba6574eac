package io.kvmount.sealed;

/**
 * Something a sealed image must already contain, since nothing may create it at boot.
 *
 * @param path a guest path ({@code /opt/stage2/web/rootfs/data}), or for {@link Kind#SERVICE} the
 *     unit's name ({@code web.service})
 * @param kind what must be there
 * @param origin the input field that needs it, for messages
 */
public record ImageEntry(String path, Kind kind, String origin) {

  /** What must be at an {@link ImageEntry}'s path. */
  public enum Kind {
    /** A directory: a mount point of a directory volume or guest filesystem. */
    DIRECTORY,
    /** A regular file: the mount point of a single-file volume. */
    FILE,
    /** An app's service unit, in one of systemd's system unit directories. */
    SERVICE;

    /**
     * Returns the lower-case word used in messages and JSON.
     *
     * @return {@code directory}, {@code file} or {@code service}
     */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
