package io.kvmount.hostshare;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs util-linux {@code mount} and {@code umount} as processes, with an argument vector (never a
 * shell) and {@code LC_ALL=C} (so their messages are the same everywhere), and turns a failure into
 * an {@link IOException} with their output. A refusal for lack of privilege becomes the message
 * that host mounts need root and points to {@code --share per-volume}.
 */
final class HostMounts {

  private HostMounts() {}

  static final String MOUNT = program("mount");
  static final String UMOUNT = program("umount");

  private static String program(String name) {
    for (String dir : List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/")) {
      if (Files.isExecutable(Path.of(dir + name))) {
        return dir + name;
      }
    }
    return name;
  }

  /** The effective user ID from {@code /proc/self/status}, or -1 when it cannot be read. */
  static long euid() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (l.startsWith("Uid:")) {
          return Long.parseLong(l.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Fails unless this process runs as root.
   *
   * @throws IOException naming the need for root and {@code --share per-volume}
   */
  static void requireRoot() throws IOException {
    long euid = euid();
    if (euid != 0) {
      throw needsRoot("kvmount runs as user ID " + euid);
    }
  }

  private static IOException needsRoot(String why) {
    return new IOException(
        "the pod share needs root: host bind mounts need root ("
            + why
            + "); run kvmount as root, or use --share per-volume");
  }

  /**
   * Runs {@code mount} with these arguments.
   *
   * @param args the arguments after the program name
   * @throws IOException when it fails, with its output
   */
  static void mount(List<String> args) throws IOException {
    run(MOUNT, args);
  }

  /**
   * Runs {@code umount} with these arguments.
   *
   * @param args the arguments after the program name
   * @throws IOException when it fails, with its output
   */
  static void umount(List<String> args) throws IOException {
    run(UMOUNT, args);
  }

  private static void run(String program, List<String> args) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(program);
    argv.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    p.getOutputStream().close();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().replace('\n', ' ');
    }
    int rc;
    try {
      rc = p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + String.join(" ", argv), e);
    }
    if (rc != 0) {
      String lower = out.toLowerCase(Locale.ROOT);
      if (lower.contains("must be superuser")
          || lower.contains("operation not permitted")
          || lower.contains("permission denied")) {
        throw needsRoot(out);
      }
      throw new IOException(
          Path.of(program).getFileName() + " " + String.join(" ", args) + " failed (exit " + rc
              + "): " + (out.isEmpty() ? "no message" : out));
    }
  }
}
