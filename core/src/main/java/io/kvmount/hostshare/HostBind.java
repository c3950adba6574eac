package io.kvmount.hostshare;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One host volume bound into the pod share's directory, at {@code <share dir>/<name>}. Immutable
 * and thread-safe.
 *
 * @param name the entry's name in the share directory, chosen by the caller: 1 to 64 bytes of
 *     ASCII {@code [a-z0-9._-]}, not {@code .} or {@code ..}; unique within a {@link ShareSpec}
 * @param volume the volume's name in the pod manifest (for messages)
 * @param source the host source as the user gave it (absolute; may contain symlinks, which {@link
 *     PodShare#analyse} resolves once)
 * @param file true for a single-file volume (the source must not be a directory), false for a
 *     directory volume (the source must be one)
 * @param readOnly whether the bind is read-only on the host (and so for the guest)
 * @param recursive appc's {@code recursive} (default true): whether the mounts below the source
 *     are bound too ({@code --rbind}) or only the source's own file system ({@code --bind})
 * @throws IllegalArgumentException when the name breaks the rules above (a caller's bug)
 */
public record HostBind(
    String name, String volume, Path source, boolean file, boolean readOnly, boolean recursive) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,64}");

  /** Checks the name; see the type's documentation. */
  public HostBind {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(volume, "volume");
    Objects.requireNonNull(source, "source");
    if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("invalid host bind name \"" + name + "\"");
    }
  }

  /**
   * The access and recursion in words, as the report prints them: {@code read-only, recursive}
   * for a directory; only the access ({@code read-only}) for a single file, which has no
   * submounts.
   */
  String mode() {
    String access = readOnly ? "read-only" : "read-write";
    if (file) {
      return access;
    }
    return access + (recursive ? ", recursive" : ", not recursive");
  }
}
