package io.kvmount.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hostile stage1 rootfs trees for the hostile corpus, built in a temp directory: symlinks out of
 * the app rootfs (absolute, {@code ../} chains, dangling), loops, files where directories are
 * expected, and symlinked kvmount directories ({@code /opt}, the units directory, {@code /mnt},
 * a drop-in directory, {@code .kvmount}). "Outside" targets are real directories next to the
 * stage1 rootfs ({@code outside/}, {@code outside-abs/}), so that following a link would write
 * there and be seen by the snapshot.
 */
final class StageFixtures {
  private StageFixtures() {}

  /**
   * Builds a fixture.
   *
   * @param name the fixture name from {@code cases.tsv}; {@code -} for none
   * @param stage1 the (empty) stage1 rootfs
   * @param tmp the directory holding it, where outside targets are created
   * @throws IOException if building fails
   */
  static void build(String name, Path stage1, Path tmp) throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path outsideAbs = Files.createDirectories(tmp.resolve("outside-abs"));
    Path rootfs = stage1.resolve("opt/stage2/web/rootfs");
    Path units = stage1.resolve("usr/lib/systemd/system");
    switch (name) {
      case "-" -> { }
      case "etc-link" -> link(rootfs.resolve("escape"), Path.of("/etc"));
      case "up-chain" -> link(rootfs.resolve("up"), Path.of("../../../../../outside")); // on the host: tmp/outside
      case "abs-outside" -> link(rootfs.resolve("abs"), outsideAbs);
      case "target-link-stage1" -> link(rootfs.resolve("x"), outsideAbs);
      case "dangling" -> link(rootfs.resolve("d"), Path.of("/nonexistent/dir"));
      case "loop2" -> {
        link(rootfs.resolve("a"), Path.of("b"));
        link(rootfs.resolve("b"), Path.of("a"));
      }
      case "alias" -> {
        Files.createDirectories(rootfs.resolve("b"));
        link(rootfs.resolve("a"), Path.of("/b"));
        link(rootfs.resolve("c"), Path.of("b"));
      }
      case "root-link" -> {
        link(rootfs.resolve("r"), Path.of("/"));
        link(rootfs.resolve("up"), Path.of("../../../.."));
      }
      case "long-target" -> link(rootfs.resolve("lc"), Path.of("/" + "n".repeat(300)));
      case "long-expansion" -> {
        // Each link adds 200 bytes: 30 of them resolve to a path of about 6000 bytes.
        for (int i = 0; i < 30; i++) {
          link(rootfs.resolve("le" + (i == 0 ? "" : i)), Path.of("le" + (i + 1) + "/" + "q".repeat(200)));
        }
      }
      case "medium-expansion" -> link(rootfs.resolve("me"), Path.of("m".repeat(250) + "/" + "m".repeat(250)));
      case "self-loop" -> link(rootfs.resolve("loop"), Path.of("loop"));
      case "long-chain" -> {
        for (int i = 0; i < 50; i++) {
          link(rootfs.resolve("l" + i), Path.of("l" + (i + 1)));
        }
        Files.createDirectories(rootfs.resolve("l50"));
      }
      case "file-hosts" -> write(rootfs.resolve("etc/hosts"));
      case "file-parent" -> write(rootfs.resolve("var"));
      case "fifo" -> {
        Files.createDirectories(rootfs);
        run("mkfifo", rootfs.resolve("fifo").toString());
      }
      case "opt-link" -> link(stage1.resolve("opt"), outside);
      case "stage2-link" -> link(stage1.resolve("opt/stage2"), outside);
      case "app-link" -> link(stage1.resolve("opt/stage2/web"), outside);
      case "rootfs-link" -> link(rootfs, Path.of("/etc"));
      case "units-link" -> link(units, outside);
      case "units-file" -> write(units);
      case "usr-link" -> link(stage1.resolve("usr"), outside);
      case "mnt-link" -> link(stage1.resolve("mnt"), outside);
      case "mnt-data-link" -> link(stage1.resolve("mnt/data"), outside);
      case "dropin-link" -> link(units.resolve("web.service.d"), outside);
      case "unit-foreign" -> {
        Files.createDirectories(units);
        Files.writeString(units.resolve("mnt-data.mount"), "[Mount]\nWhat=mine\nWhere=/mnt/data\n");
      }
      case "meta-file" -> write(stage1.resolve(".kvmount"));
      case "meta-link" -> link(stage1.resolve(".kvmount"), outside);
      default -> throw new IllegalArgumentException("unknown fixture " + name);
    }
  }

  private static void link(Path at, Path target) throws IOException {
    Files.createDirectories(at.getParent());
    Files.createSymbolicLink(at, target);
  }

  private static void write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "a file, not a directory\n");
  }

  private static void run(String... cmd) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
