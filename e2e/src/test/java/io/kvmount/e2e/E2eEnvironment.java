package io.kvmount.e2e;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the end-to-end suite needs from the machine, and whether it runs at all.
 *
 * <p>The system property {@code kvmount.e2e} decides: {@code false} (default) skips every test with
 * a message; {@code true} (set by {@code -Pe2e}) runs the suite, but skips with a message when a
 * prerequisite is missing; {@code required} runs it and fails when a prerequisite is missing (what
 * CI uses, so a broken setup cannot pass as "skipped").
 *
 * <p>Prerequisites: running as root, {@code qemu-system-x86_64} and {@code timeout} on the
 * {@code PATH}, and the cache that {@code e2e/setup.sh} builds (default {@code
 * /var/tmp/kvmount-e2e}, property {@code kvmount.e2e.cache}) with {@code guest-rootfs/},
 * {@code vmlinuz}, {@code initrd.img} and {@code READY}. The tests that only run systemd 257's
 * fstab generator ({@link FstabGenerator}) need root and {@code guest-rootfs-trixie/} instead
 * ({@link #requireFstabGenerator()}).
 */
final class E2eEnvironment {
  /** How the suite was asked to run. */
  enum Mode {
    OFF,
    ON,
    REQUIRED
  }

  private static final String HOW_TO =
      "run `sudo bash e2e/setup.sh` then `mvn verify -Pe2e` (CI: -Dkvmount.e2e=required)";

  private final Mode mode;
  private final Path cache;
  private final Path repo;

  private E2eEnvironment(Mode mode, Path cache, Path repo) {
    this.mode = mode;
    this.cache = cache;
    this.repo = repo;
  }

  /** Reads the system properties; never fails. */
  static E2eEnvironment fromSystemProperties() {
    String raw = System.getProperty("kvmount.e2e", "false").trim().toLowerCase(Locale.ROOT);
    Mode mode =
        switch (raw) {
          case "required" -> Mode.REQUIRED;
          case "true", "on", "yes", "1" -> Mode.ON;
          default -> Mode.OFF;
        };
    Path cache = Path.of(System.getProperty("kvmount.e2e.cache", "/var/tmp/kvmount-e2e"));
    return new E2eEnvironment(mode, cache, findRepo());
  }

  /**
   * Skips (mode off, or mode on with a missing prerequisite) or fails (mode required with a
   * missing prerequisite) the calling test or test class; returns normally when the suite can run.
   * The reason is also printed on stderr, so that a skipped suite says why in the build log.
   */
  void requireReady() {
    require("VM suite", missingPrerequisites());
  }

  /**
   * Skips {@code what} when the suite is off, then skips or fails (mode required) when anything is
   * {@code missing}; the reason goes to stderr too.
   */
  private void require(String what, List<String> missing) {
    if (mode == Mode.OFF) {
      String msg = "kvmount e2e: " + what + " skipped (not enabled); " + HOW_TO;
      System.err.println(msg);
      assumeTrue(false, msg);
    }
    if (missing.isEmpty()) {
      return;
    }
    String msg = "kvmount e2e: missing prerequisites: " + String.join("; ", missing) + " (" + HOW_TO + ")";
    System.err.println(msg);
    if (mode == Mode.REQUIRED) {
      fail(msg);
    }
    assumeTrue(false, msg);
  }

  /**
   * Like {@link #requireReady()}, and also needs the virtiofsd wrapper that {@code e2e/setup.sh}
   * caches ({@link #virtiofsd()}); for the virtio-fs test classes.
   */
  void requireVirtiofs() {
    requireReady();
    if (Files.isExecutable(virtiofsd())) {
      return;
    }
    String msg = "kvmount e2e: missing prerequisite: " + virtiofsd() + " not found (built by e2e/setup.sh; " + HOW_TO + ")";
    System.err.println(msg);
    if (mode == Mode.REQUIRED) {
      fail(msg);
    }
    assumeTrue(false, msg);
  }

  /**
   * Like {@link #requireReady()}, and also needs the Debian 13 guest ({@link
   * #guestRootfsTrixie()} with {@code lib/systemd/systemd}) that {@code e2e/setup.sh} caches; for
   * the sealed-image boots, whose guest must have systemd 254 or newer.
   */
  void requireTrixieGuest() {
    requireReady();
    Path systemd = guestRootfsTrixie().resolve("lib/systemd/systemd");
    if (Files.exists(systemd)) {
      return;
    }
    String msg = "kvmount e2e: missing prerequisite: " + systemd + " not found (built by e2e/setup.sh; " + HOW_TO + ")";
    System.err.println(msg);
    if (mode == Mode.REQUIRED) {
      fail(msg);
    }
    assumeTrue(false, msg);
  }

  /**
   * Like {@link #requireReady()} for the tests that run {@link FstabGenerator} and boot nothing:
   * skips (mode off, or mode on with a missing prerequisite) or fails (mode required) unless this
   * runs as root with {@code unshare}, {@code chroot}, {@code bash} and {@code base64} on the
   * {@code PATH} and the cache holds the Debian 13 root's generator ({@link #guestRootfsTrixie()}).
   * QEMU and the kernel are not needed.
   */
  void requireFstabGenerator() {
    require("systemd 257 generator tests", missingFstabGeneratorPrerequisites());
  }

  /**
   * Why the {@link FstabGenerator} tests do not run here, or null when they should run (mode on
   * with everything in place, or mode required).
   */
  String reasonToSkipFstabGenerator() {
    if (mode == Mode.OFF) {
      return "kvmount e2e: systemd 257 generator tests skipped (not enabled); " + HOW_TO;
    }
    List<String> missing = missingFstabGeneratorPrerequisites();
    if (mode == Mode.ON && !missing.isEmpty()) {
      return "kvmount e2e: systemd 257 generator tests skipped, missing prerequisites: " + String.join("; ", missing) + " (" + HOW_TO + ")";
    }
    return null;
  }

  private List<String> missingFstabGeneratorPrerequisites() {
    List<String> missing = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))) {
      missing.add("must run as root (mount namespace and chroot for systemd-fstab-generator)");
    }
    for (String tool : List.of("unshare", "chroot", "bash", "base64")) {
      if (onPath(tool) == null) {
        missing.add("`" + tool + "` not on PATH");
      }
    }
    Path generator = guestRootfsTrixie().resolve(FstabGenerator.GENERATOR);
    if (!Files.isExecutable(generator)) {
      missing.add(generator + " not found (built by e2e/setup.sh)");
    }
    return missing;
  }

  /**
   * Why the suite does not run here, or null when it should run (mode on with everything in
   * place, or mode required, where {@link #requireReady()} then fails on a missing prerequisite).
   */
  String reasonToSkip() {
    if (mode == Mode.OFF) {
      return "kvmount e2e: VM suite skipped (not enabled); " + HOW_TO;
    }
    List<String> missing = missingPrerequisites();
    if (mode == Mode.ON && !missing.isEmpty()) {
      return "kvmount e2e: VM suite skipped, missing prerequisites: " + String.join("; ", missing) + " (" + HOW_TO + ")";
    }
    return null;
  }

  private List<String> missingPrerequisites() {
    List<String> missing = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))) {
      missing.add("must run as root (guest files owned by many uids; QEMU security_model=none)");
    }
    for (String tool : List.of("qemu-system-x86_64", "timeout", "cp")) {
      if (onPath(tool) == null) {
        missing.add("`" + tool + "` not on PATH");
      }
    }
    for (Path p : List.of(guestRootfs().resolve("lib/systemd/systemd"), kernel(), initrd(), cache.resolve("READY"))) {
      if (!Files.exists(p)) {
        missing.add(p + " not found (built by e2e/setup.sh)");
      }
    }
    if (repo == null) {
      missing.add("repository root (with the ./kvmount launcher) not found; set -Dkvmount.repo");
    }
    return missing;
  }

  private static Path onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * The repository root (where the {@code kvmount} launcher is).
   *
   * @return the root
   * @throws IllegalStateException if it cannot be found
   */
  static Path repoRoot() {
    Path r = findRepo();
    if (r == null) {
      throw new IllegalStateException("cannot find the repository root (set -Dkvmount.repo)");
    }
    return r;
  }

  private static Path findRepo() {
    String prop = System.getProperty("kvmount.repo");
    if (prop != null && !prop.isBlank() && Files.isExecutable(Path.of(prop, "kvmount"))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isExecutable(d.resolve("kvmount")) && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    return null;
  }

  /** The cached guest root filesystem (a Debian with systemd), copied per boot as stage1 rootfs. */
  Path guestRootfs() {
    return cache.resolve("guest-rootfs");
  }

  /**
   * The cached Debian 13 (trixie) root with systemd 257, for {@link FstabGenerator} (only read,
   * never written) and for Debian 13 guests (copied per boot).
   */
  Path guestRootfsTrixie() {
    return cache.resolve("guest-rootfs-trixie");
  }

  /** The guest kernel. */
  Path kernel() {
    return cache.resolve("vmlinuz");
  }

  /** The busybox initramfs that mounts the 9p root share and switches to systemd. */
  Path initrd() {
    return cache.resolve("initrd.img");
  }

  /**
   * The virtiofsd wrapper: runs Debian 13's virtiofsd (1.13, from {@code virtiofsd-root/} in the
   * cache) with that root's own loader and libraries, since it needs glibc 2.39.
   */
  Path virtiofsd() {
    return cache.resolve("virtiofsd");
  }

  /** The repository root: holds the {@code kvmount} launcher. */
  Path repo() {
    return repo;
  }

  /** Where a test class keeps its boot's files: {@code <module>/target/e2e-work/<name>}, emptied. */
  static Path workDir(String name) throws IOException {
    Path dir = Path.of("target", "e2e-work", name).toAbsolutePath();
    Shell.deleteTree(dir);
    Files.createDirectories(dir);
    return dir;
  }

  /**
   * The QEMU machine type the many-volumes boot uses, from {@code -Dkvmount.e2e.qemuMachine}
   * ({@code pc}, what QEMU uses without {@code -M}, unless set): {@code q35} boots it with {@code
   * -M q35} and {@code generate --qemu-machine q35}.
   */
  static String qemuMachine() {
    return System.getProperty("kvmount.e2e.qemuMachine", "pc");
  }

  /** Whether to keep the (large) stage1 rootfs copies after the tests, for debugging. */
  static boolean keep() {
    return Boolean.getBoolean("kvmount.e2e.keep");
  }
}
