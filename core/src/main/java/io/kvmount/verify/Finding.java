package io.kvmount.verify;

import java.util.Objects;

/**
 * One problem {@link Verifier} found in a stage1 rootfs.
 *
 * <p>{@link #toString()} is the one-line form the command line prints: {@code "<check>: <path>:
 * <message>"}, for example {@code modified: usr/lib/systemd/system/mnt-data.mount: changed since
 * kvmount wrote it}. Immutable and thread-safe.
 *
 * @param check which check failed
 * @param path the file or directory concerned, relative to the stage1 rootfs without a leading
 *     slash ({@code usr/lib/systemd/system/mnt-data.mount}); empty when the finding concerns no
 *     single path (some {@code systemd-analyze} lines)
 * @param message what is wrong, naming the volume, app, unit or setting; one line
 */
public record Finding(Check check, String path, String message) {

  /** The checks {@link Verifier} runs; {@link #id()} is the word printed first on each line. */
  public enum Check {
    /** A unit file kvmount wrote cannot be read or parsed the way systemd would. */
    UNREADABLE("unreadable"),
    /** A mount unit's file name is not systemd's name for its {@code Where=}. */
    UNIT_NAME("unit-name"),
    /** A unit or drop-in {@code Requires=} a unit that is not in the stage1 rootfs. */
    MISSING_UNIT("missing-unit"),
    /**
     * A bind unit's source ({@code What=/mnt/<volume>}) is not mounted by any share unit and is
     * not an empty-volume directory, or the bind unit does not require the share unit.
     */
    BIND_SOURCE("bind-source"),
    /**
     * A share unit's mount tag ({@code What=}) differs from the tag the pod manifest gives the
     * volume, or two share units use one tag.
     */
    TAG("tag"),
    /** A file the pod manifest gives is missing. */
    MISSING_FILE("missing-file"),
    /** A file kvmount wrote is not one the pod manifest gives (stale). */
    UNEXPECTED_FILE("unexpected-file"),
    /** A file differs from what the pod manifest gives. */
    CONTENT("content"),
    /** An empty-volume directory is missing, or its mode or owner differ from the manifest. */
    EMPTY_VOLUME("empty-volume"),
    /** A mount point directory kvmount creates is missing or is not a directory. */
    DIRECTORY("directory"),
    /**
     * The file mount point of a single-file volume (the file its bind unit binds a host file onto)
     * is missing or is not a regular file.
     */
    FILE_MOUNT_POINT("file-mount-point"),
    /** A file changed since kvmount wrote it (its SHA-256 is not the one in the state file). */
    MODIFIED("modified"),
    /** A file listed in kvmount's state file is missing. */
    DELETED("deleted"),
    /** kvmount's state file is missing, malformed or shows an interrupted run. */
    STATE("state"),
    /** A line {@code systemd-analyze verify} printed about the units. */
    SYSTEMD_ANALYZE("systemd-analyze");

    private final String id;

    Check(String id) {
      this.id = id;
    }

    /**
     * Returns the short name printed at the start of a finding's line.
     *
     * @return a lower-case word such as {@code "unit-name"}
     */
    public String id() {
      return id;
    }
  }

  /**
   * Checks for nulls and line breaks (a finding is one line).
   *
   * @param check which check failed
   * @param path the file or directory concerned, relative to the stage1 rootfs without a leading slash ({@code usr/lib/systemd/system/mnt-data.mount}); empty when the finding concerns no single path (some {@code systemd-analyze} lines)
   * @param message what is wrong, naming the volume, app, unit or setting; one line
   */
  public Finding {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    message = message.replace('\n', ' ').replace('\r', ' ');
    path = path.replace("\n", "\\n").replace("\r", "\\r");
  }

  /** Returns {@code "<check>: <path>: <message>"}, or {@code "<check>: <message>"} without a path. */
  @Override
  public String toString() {
    return check.id() + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
