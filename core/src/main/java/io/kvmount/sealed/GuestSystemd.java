package io.kvmount.sealed;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the systemd version of a guest image from the name of its shared library, {@code
 * libsystemd-shared-<version>.so} (Debian: {@code usr/lib/x86_64-linux-gnu/systemd/}; Fedora:
 * {@code usr/lib64/systemd/}, with a release suffix). The sealed routes need systemd 254 or
 * newer: older versions ignore {@code fstab.extra} and {@code systemd.mount-extra=} without a
 * word. Reads only, and never follows a symlink: only real directories ({@code usr/lib},
 * {@code usr/lib64}, a split {@code lib} and {@code lib64}, and their {@code *-linux-gnu*}
 * directories) and regular files count.
 */
public final class GuestSystemd {

  /** The first systemd that reads {@code fstab.extra} and {@code systemd.mount-extra=}. */
  public static final int MIN_VERSION = 254;

  private static final Pattern LIB = Pattern.compile("libsystemd-shared-(\\d{3})(?:[.~-][^/]*)?\\.so");

  private GuestSystemd() {}

  /**
   * Returns the image's systemd version.
   *
   * @param stage1Root the stage1 rootfs
   * @return the major version (for example 257), or empty when no library was found
   * @throws IOException if a directory cannot be read
   */
  public static OptionalInt version(Path stage1Root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    // usr/ (merged /usr) and, where it is a real directory, the old split /lib.
    for (String base : List.of("usr/lib", "usr/lib64", "lib", "lib64")) {
      Path lib = stage1Root.resolve(base);
      if (!realDirectories(stage1Root, lib)) {
        continue;
      }
      dirs.add(lib.resolve("systemd"));
      try (DirectoryStream<Path> s = Files.newDirectoryStream(lib, "*-linux-gnu*")) {
        for (Path p : s) {
          dirs.add(p.resolve("systemd"));
        }
      }
    }
    int best = -1;
    for (Path d : dirs) {
      if (!realDirectories(stage1Root, d)) {
        continue;
      }
      try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "libsystemd-shared-*")) {
        for (Path p : s) {
          Matcher m = LIB.matcher(p.getFileName().toString());
          // The library itself: a symlink could name any version, or lead out of the image.
          if (m.matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            best = Math.max(best, Integer.parseInt(m.group(1)));
          }
        }
      }
    }
    return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
  }

  /** Whether every component from {@code base} down to {@code dir} is a directory, not a symlink. */
  private static boolean realDirectories(Path base, Path dir) {
    Path p = base;
    for (Path c : base.relativize(dir)) {
      p = p.resolve(c);
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
    }
    return true;
  }
}
