package io.kvmount.hostshare;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers that make and undo real mounts inside a test's own temporary directory. */
final class Mounts {

  private Mounts() {}

  /** Skips the calling test unless it runs as root (host mounts need it; CI runs as root). */
  static void assumeRoot() {
    assumeTrue(
        HostMounts.euid() == 0,
        "host bind mounts need root: run the tests as root (CI does) to exercise the pod share");
  }

  /** Runs a command, failing with its output when it fails. */
  static String run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", argv) + ": " + out);
    }
    return out;
  }

  /** Mounts a small tmpfs at {@code at}. */
  static void tmpfs(Path at) throws IOException, InterruptedException {
    run("mount", "-t", "tmpfs", "-o", "size=1m", "kvmount-test", at.toString());
  }

  /** The mounts at or below {@code p} in this process's table. */
  static List<MountInfo.Mount> under(Path p) throws IOException {
    return MountInfo.read().atOrBelow(p);
  }

  /**
   * Unmounts everything at or below {@code base} (the deepest first, lazily when busy) and deletes
   * the tree; for @AfterEach, so a failed test leaves nothing mounted.
   */
  static void cleanUp(Path base) throws Exception {
    for (int round = 0; round < 100; round++) {
      List<MountInfo.Mount> left = under(base);
      if (left.isEmpty()) {
        break;
      }
      MountInfo.Mount deepest =
          left.stream().max(Comparator.comparingInt(m -> m.path().getNameCount())).orElseThrow();
      Process p =
          new ProcessBuilder("umount", "-l", deepest.mountPoint()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
    }
    if (!under(base).isEmpty()) {
      throw new AssertionError("mounts left under " + base + ": " + under(base));
    }
    if (Files.exists(base)) {
      List<Path> all = new ArrayList<>();
      try (Stream<Path> s = Files.walk(base)) {
        s.forEach(all::add);
      }
      for (int i = all.size() - 1; i >= 0; i--) {
        Files.deleteIfExists(all.get(i));
      }
    }
  }
}
