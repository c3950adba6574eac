package io.kvmount.manifest;

import io.kvmount.path.FileMode;
import java.util.Objects;
import java.util.Optional;

/**
 * A pod volume (appc {@code types.Volume}, from {@code volumes[]} or a mount's {@code appVolume}):
 * either a host directory shared into the pod ({@link Host}) or a new empty directory the pod
 * creates ({@link Empty}).
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Volume permits Volume.Host, Volume.Empty {

  /** The kind text of a {@link Host} volume. */
  String HOST = "host";

  /** The kind text of an {@link Empty} volume. */
  String EMPTY = "empty";

  /**
   * Returns the volume's name, unique within the pod.
   *
   * @return the name
   */
  AcName name();

  /**
   * Returns the volume's own read-only flag. Empty when the manifest does not set it: then the
   * mount point's {@code readOnly} decides; an explicit {@code false} overrides a read-only mount
   * point (appc v0.5.0+, rkt {@code IsMountReadOnly}).
   *
   * @return the flag, or empty if unset
   */
  Optional<Boolean> readOnly();

  /**
   * Returns the appc kind.
   *
   * @return {@code "host"} or {@code "empty"}
   */
  String kind();

  /**
   * A host directory shared into the pod ({@code "kind": "host"}).
   *
   * @param name the volume's name
   * @param source absolute path of the directory on the host, as written (appc checks only the
   *     leading {@code /}, so {@code ..} components are kept); no control characters
   * @param readOnly the volume's read-only flag, empty if unset
   * @param recursive appc v0.8.6 {@code recursive}: whether mounts below the source are shared too;
   *     empty if unset (the executor's default, recursive)
   */
  record Host(AcName name, String source, Optional<Boolean> readOnly, Optional<Boolean> recursive)
      implements Volume {

    /**
     * Checks the components.
     *
     * @param name the volume's name
     * @param source absolute path of the directory on the host, as written (appc checks only the leading {@code /}, so {@code ..} components are kept); no control characters
     * @param readOnly the volume's read-only flag, empty if unset
     * @param recursive appc v0.8.6 {@code recursive}: whether mounts below the source are shared too; empty if unset (the executor's default, recursive)
     * @throws IllegalArgumentException if {@code source} is empty, relative, longer than 4095 bytes
     *     or contains a control character
     * @throws NullPointerException if a component is null
     */
    public Host {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(readOnly, "readOnly");
      Objects.requireNonNull(recursive, "recursive");
      String problem = Text.hostPathProblem(source);
      if (problem != null) {
        throw new IllegalArgumentException("host volume source " + problem);
      }
    }

    /** Returns {@code "host"}. */
    @Override
    public String kind() {
      return HOST;
    }
  }

  /**
   * A new empty directory created for the pod ({@code "kind": "empty"}), with the owner and mode of
   * appc v0.7.2+ ({@code "mode": "0755"}, {@code "uid": 0}, {@code "gid": 0} by default).
   *
   * @param name the volume's name
   * @param readOnly the volume's read-only flag, empty if unset
   * @param mode the directory's permission bits (appc octal text, default {@code 0755})
   * @param uid owner user id, {@code 0} to {@code 4294967294} (default 0)
   * @param gid owner group id, {@code 0} to {@code 4294967294} (default 0)
   */
  record Empty(AcName name, Optional<Boolean> readOnly, FileMode mode, long uid, long gid)
      implements Volume {

    /** Largest uid or gid: {@code 2^32 - 2}, since {@code 2^32 - 1} is {@code (uid_t) -1}. */
    public static final long MAX_ID = 4294967294L;

    /**
     * Checks the components.
     *
     * @param name the volume's name
     * @param readOnly the volume's read-only flag, empty if unset
     * @param mode the directory's permission bits (appc octal text, default {@code 0755})
     * @param uid owner user id, {@code 0} to {@code 4294967294} (default 0)
     * @param gid owner group id, {@code 0} to {@code 4294967294} (default 0)
     * @throws IllegalArgumentException if {@code uid} or {@code gid} is outside {@code
     *     0..4294967294}
     * @throws NullPointerException if a component is null
     */
    public Empty {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(readOnly, "readOnly");
      Objects.requireNonNull(mode, "mode");
      if (uid < 0 || uid > MAX_ID) {
        throw new IllegalArgumentException("uid " + uid + " is outside 0.." + MAX_ID);
      }
      if (gid < 0 || gid > MAX_ID) {
        throw new IllegalArgumentException("gid " + gid + " is outside 0.." + MAX_ID);
      }
    }

    /**
     * Creates an empty volume with appc's defaults: mode {@code 0755}, uid 0, gid 0.
     *
     * @param name the volume's name
     * @param readOnly the volume's read-only flag, empty if unset
     * @return the volume
     */
    public static Empty withDefaults(AcName name, Optional<Boolean> readOnly) {
      return new Empty(name, readOnly, FileMode.DEFAULT_DIRECTORY, 0, 0);
    }

    /** Returns {@code "empty"}. */
    @Override
    public String kind() {
      return EMPTY;
    }
  }
}
