package io.kvmount.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Runs the real {@code systemd-fstab-generator} of the cached Debian 13 guest root (systemd 257,
 * {@code guest-rootfs-trixie/}, built by {@code e2e/setup.sh}) on a given {@code fstab.extra}
 * credential and kernel command line, and returns what it generated. This is how the suite checks
 * that kvmount's credential and {@code systemd.mount-extra=} words mean to systemd what kvmount
 * means (issue 21; facts in {@code e2e/FSTAB-FACTS.md}).
 *
 * <p>Each run is isolated and leaves nothing behind: a fresh temporary directory holds the input
 * and the output; in a private mount namespace ({@code unshare --mount}) the cached root is bound
 * <em>read-only</em> onto a mount point in that directory, the exchange directory is bound over the
 * root's {@code /tmp}, and the generator runs there under {@code chroot} with {@code
 * SYSTEMD_PROC_CMDLINE} (the kernel command line; empty when none is given, so {@code
 * /proc/cmdline} is never read), {@code CREDENTIALS_DIRECTORY} (only when a credential is given),
 * {@code SYSTEMD_FSTAB=/dev/null} (the image's own fstab is not read) and {@code
 * SYSTEMD_LOG_LEVEL=debug}. The mounts vanish with the namespace; the temporary directory is
 * deleted in a {@code finally}. Paths the generator canonicalizes (symlinks in a mount point)
 * resolve inside the Debian 13 root, as they would in the guest. Runs may go on concurrently.
 *
 * <p>Needs root (mount namespaces, chroot), {@code unshare}, {@code chroot}, {@code bash} and
 * {@code base64} on the host. Instances are immutable and thread-safe.
 */
public final class FstabGenerator {
  /** The generator inside the root (Debian 13 keeps it under /usr/lib, merged /usr). */
  static final String GENERATOR = "usr/lib/systemd/system-generators/systemd-fstab-generator";

  // $1 root, $2 temporary directory. Runs the generator in a private mount namespace with the root
  // read-only, then lists the output as "f|l <base64 path> <base64 content|target>" lines into
  // $2/listing, so names with any bytes survive whatever encoding the JVM uses for file names.
  private static final String SCRIPT =
      String.join(
          "\n",
          "set -eu",
          "root=$1; t=$2",
          "unshare --mount --propagation private -- sh -eu -c '",
          "  root=$1; t=$2",
          "  mount --bind \"$root\" \"$t/root\"",
          "  mount -o remount,bind,ro \"$t/root\"",
          "  mount --bind \"$t/x\" \"$t/root/tmp\"",
          "  cmdline=\"\"; [ -f \"$t/x/cmdline\" ] && cmdline=$(cat \"$t/x/cmdline\")",
          "  if [ -d \"$t/x/creds\" ]; then set -- CREDENTIALS_DIRECTORY=/tmp/creds; else set --; fi",
          "  exec env -i SYSTEMD_PROC_CMDLINE=\"$cmdline\" \"$@\" SYSTEMD_FSTAB=/dev/null \\",
          "    SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console PATH=/usr/sbin:/usr/bin \\",
          "    chroot \"$t/root\" /" + GENERATOR + " /tmp/out /tmp/out /tmp/out",
          "' sh \"$root\" \"$t\" || rc=$?",
          "cd \"$t/x/out\"",
          ": > \"$t/listing\"",
          "find . -mindepth 1 -print0 | while IFS= read -r -d '' p; do",
          "  n=$(printf %s \"${p#./}\" | base64 -w0)",
          "  if [ -L \"$p\" ]; then echo \"l $n $(readlink -n \"$p\" | base64 -w0)\" >> \"$t/listing\"",
          "  elif [ -f \"$p\" ]; then echo \"f $n $(base64 -w0 < \"$p\")\" >> \"$t/listing\"; fi",
          "done",
          "exit ${rc:-0}");

  private final Path root;

  /**
   * A runner for the generator in {@code root}.
   *
   * @param root a Debian 13 root filesystem with systemd (the cache's {@code guest-rootfs-trixie/});
   *     only read, never written
   * @throws IllegalArgumentException if the root has no {@code systemd-fstab-generator}
   */
  public FstabGenerator(Path root) {
    this.root = root.toAbsolutePath().normalize();
    if (!Files.isExecutable(this.root.resolve(GENERATOR))) {
      throw new IllegalArgumentException("no systemd-fstab-generator in " + this.root);
    }
  }

  /**
   * The generator of the cached Debian 13 root, found the way the VM tests find their cache
   * ({@code -Dkvmount.e2e}, {@code -Dkvmount.e2e.cache}). Call it from {@code @BeforeAll}: it skips
   * the calling tests with a message when the suite is off or a prerequisite is missing, and fails
   * them instead in mode {@code required}.
   *
   * @return the runner
   */
  public static FstabGenerator fromCache() {
    E2eEnvironment env = E2eEnvironment.fromSystemProperties();
    env.requireFstabGenerator();
    return new FstabGenerator(env.guestRootfsTrixie());
  }

  /** The root filesystem whose generator runs. */
  public Path root() {
    return root;
  }

  /**
   * What one generator run produced.
   *
   * @param files every file and symbolic link the generator wrote, by path relative to its output
   *     directory ({@code /} separated, e.g. {@code app.service.requires/mnt-a.mount}), sorted; a
   *     file maps to its content (UTF-8), a symbolic link to {@code "-> "} and its target.
   *     Directories are not listed
   * @param stderr the generator's log (debug level), UTF-8
   * @param exitCode the generator's exit status (0 also when it ignored bad lines)
   */
  public record Output(SortedMap<String, String> files, String stderr, int exitCode) {
    /** Copies {@code files}. */
    public Output {
      files = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(files));
      Objects.requireNonNull(stderr, "stderr");
    }

    /**
     * The content of one generated file.
     *
     * @param path relative path, e.g. {@code mnt-a.mount}
     * @return the content
     * @throws AssertionError if the generator did not write it (lists what it wrote)
     */
    public String file(String path) {
      String c = files.get(path);
      if (c == null) {
        throw new AssertionError("generator wrote no " + path + "; it wrote " + files.keySet() + "\nstderr:\n" + stderr);
      }
      return c;
    }

    /**
     * The generated unit files ({@code *.mount}, {@code *.swap}, … at the top level), without the
     * symbolic links and drop-ins.
     *
     * @return unit file name to content, sorted
     */
    public SortedMap<String, String> units() {
      SortedMap<String, String> u = new TreeMap<>();
      files.forEach(
          (k, v) -> {
            if (!k.contains("/") && !v.startsWith("-> ")) {
              u.put(k, v);
            }
          });
      return u;
    }
  }

  /**
   * Runs the generator once.
   *
   * @param fstabExtra the bytes of the {@code fstab.extra} credential, or null for no credential
   *     (then {@code CREDENTIALS_DIRECTORY} is unset)
   * @param kernelCommandLine the kernel command line the generator sees, or null for an empty one
   * @return what it generated and logged
   * @throws IOException if the temporary directory cannot be made or deleted, the helper script
   *     fails (other than the generator's own exit status) or takes more than a minute
   */
  public Output run(byte[] fstabExtra, String kernelCommandLine) throws IOException {
    Path t = Files.createTempDirectory("kvmount-fstab-gen-");
    try {
      Files.createDirectories(t.resolve("root"));
      Files.createDirectories(t.resolve("x/out"));
      if (fstabExtra != null) {
        Files.createDirectories(t.resolve("x/creds"));
        Files.write(t.resolve("x/creds/fstab.extra"), fstabExtra);
      }
      if (kernelCommandLine != null) {
        Files.write(t.resolve("x/cmdline"), kernelCommandLine.getBytes(StandardCharsets.UTF_8));
      }
      Shell.Result r = Shell.run(t, Duration.ofMinutes(1), List.of("bash", "-c", SCRIPT, "bash", root.toString(), t.toString()));
      Path listing = t.resolve("listing");
      if (!Files.isRegularFile(listing)) {
        throw new IOException("systemd-fstab-generator run failed (exit " + r.exitCode() + "): " + r.stderr());
      }
      SortedMap<String, String> files = new TreeMap<>();
      Base64.Decoder b64 = Base64.getDecoder();
      for (String line : Files.readAllLines(listing, StandardCharsets.US_ASCII)) {
        String[] f = line.split(" ", -1);
        if (f.length != 3) {
          throw new IOException("bad listing line: " + line);
        }
        String name = new String(b64.decode(f[1]), StandardCharsets.UTF_8);
        String value = new String(b64.decode(f[2]), StandardCharsets.UTF_8);
        files.put(name, f[0].equals("l") ? "-> " + value : value);
      }
      return new Output(files, r.stderr(), r.exitCode());
    } finally {
      Shell.deleteTree(t);
    }
  }

  /**
   * Runs the generator on an {@code fstab.extra} credential given as text.
   *
   * @param fstabExtra the credential's lines (UTF-8)
   * @return what it generated and logged
   * @throws IOException as {@link #run(byte[], String)}
   */
  public Output runCredential(String fstabExtra) throws IOException {
    return run(fstabExtra.getBytes(StandardCharsets.UTF_8), null);
  }

  /**
   * Runs the generator with only a kernel command line.
   *
   * @param kernelCommandLine e.g. {@code systemd.mount-extra=vol:/mnt/a:9p:trans=virtio}
   * @return what it generated and logged
   * @throws IOException as {@link #run(byte[], String)}
   */
  public Output runCommandLine(String kernelCommandLine) throws IOException {
    return run(null, kernelCommandLine);
  }
}
