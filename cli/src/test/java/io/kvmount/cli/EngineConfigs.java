package io.kvmount.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * OCI runtime {@code config.json} files written by real container engines (runc, crun, podman),
 * made once per JVM by {@code src/test/engines/make-configs.sh} into a temp directory, for tests
 * that read what engines really hand over (issue 20; what each engine adds is listed in
 * {@code src/test/resources/engine-configs/README.md}).
 *
 * <p>The script's output layout (see its header): {@code runc/}, {@code crun/} and {@code
 * podman-<case>/} each hold {@code config.json} (as the engine wrote it), {@code command.txt},
 * {@code placeholders.tsv} (literal, tab, placeholder: the temp paths, container id, layer id and
 * creation time in that file) and {@code config.placeholders.json} (the file with them replaced);
 * {@code versions.txt} holds the engine versions; {@code w/} the host files the configs bind.
 *
 * <p>When an engine is missing (or the JVM is not root; podman and the script's private mount
 * namespace need it), {@link #get()} skips the calling test through a JUnit assumption and prints
 * the reason on stderr; with {@code -Dkvmount.engines=required} (CI) it fails instead. Any other
 * failure of the script fails the test whatever the property says.
 */
public final class EngineConfigs {
  /** System property: {@code required} turns a missing engine into a test failure. */
  public static final String PROPERTY = "kvmount.engines";

  /** The podman cases the script writes, {@code podman-<case>/}, in the order it writes them. */
  public static final List<String> PODMAN_CASES =
      List.of("volume", "volume-ro", "mount-file", "tmpfs", "read-only", "all", "host-net");

  /** Exit status of the script when a program it needs is missing or it is not run as root. */
  private static final int EXIT_MISSING = 4;

  private static final Object LOCK = new Object();
  private static EngineConfigs made;
  private static String unavailable;
  /** Why the script failed (not for a missing engine), or null. */
  private static String failed;

  private final Path dir;
  private final long millis;

  private EngineConfigs(Path dir, long millis) {
    this.dir = dir;
    this.millis = millis;
  }

  /**
   * Runs the script on first call (later calls return the same result) and returns its output.
   *
   * @return the produced configs
   * @throws org.opentest4j.TestAbortedException if an engine is missing and {@value #PROPERTY} is
   *     not {@code required}
   * @throws AssertionError if an engine is missing and {@value #PROPERTY} is {@code required}
   * @throws IllegalStateException if the script fails for another reason (the message holds its
   *     output), cannot be started, or takes more than five minutes
   */
  public static EngineConfigs get() {
    synchronized (LOCK) {
      if (made == null && unavailable == null && failed == null) {
        make();
      }
      if (failed != null) {
        throw new IllegalStateException(failed);
      }
      if (unavailable != null) {
        if ("required".equals(System.getProperty(PROPERTY))) {
          throw new AssertionError("engine configs are required (-D" + PROPERTY + "=required) but " + unavailable);
        }
        System.err.println("EngineConfigs: skipped: " + unavailable);
        assumeTrue(false, unavailable);
      }
      return made;
    }
  }

  private static void make() {
    try {
      Path script = script();
      // Short: podman's runroot (OUTDIR/w/p/rr) may not exceed 50 characters.
      Path out = Files.createTempDirectory("kvm-eng");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(out)));
      Path log = Files.createTempFile("kvmount-engines-", ".log");
      long start = System.nanoTime();
      Process p = new ProcessBuilder("bash", script.toString(), out.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        failed = "make-configs.sh took more than 5 minutes; output in " + log;
        return;
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      String text = Files.readString(log, StandardCharsets.UTF_8).strip();
      Files.delete(log);
      if (p.exitValue() == EXIT_MISSING) {
        unavailable = text.lines().filter(l -> l.startsWith("make-configs: missing:")).findFirst().orElse(text)
            .replaceFirst("^make-configs: missing: ", "this machine lacks ");
      } else if (p.exitValue() != 0) {
        failed = "make-configs.sh exited " + p.exitValue() + ": " + text;
      } else {
        made = new EngineConfigs(out, millis);
        System.err.println("EngineConfigs: made in " + millis + " ms: " + made.dir);
      }
    } catch (IOException e) {
      failed = "running make-configs.sh: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed = "interrupted while running make-configs.sh";
    }
  }

  /** The script: next to the tests when run from the cli module, else under {@code kvmount.repo}. */
  private static Path script() {
    Path local = Path.of("src/test/engines/make-configs.sh");
    if (Files.isRegularFile(local)) {
      return local.toAbsolutePath();
    }
    String repo = System.getProperty("kvmount.repo", ".");
    return Path.of(repo, "cli/src/test/engines/make-configs.sh").toAbsolutePath();
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort at JVM exit
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // best effort at JVM exit
    }
  }

  /**
   * The script's output directory.
   *
   * @return an absolute directory, deleted when the JVM exits
   */
  public Path dir() {
    return dir;
  }

  /**
   * How long the script took.
   *
   * @return wall-clock milliseconds
   */
  public long millis() {
    return millis;
  }

  /**
   * {@code runc spec}'s config.
   *
   * @return the {@code config.json} path
   */
  public Path runc() {
    return dir.resolve("runc/config.json");
  }

  /**
   * {@code crun spec}'s config.
   *
   * @return the {@code config.json} path
   */
  public Path crun() {
    return dir.resolve("crun/config.json");
  }

  /**
   * The config podman wrote for one case.
   *
   * @param name one of {@link #PODMAN_CASES}
   * @return the {@code config.json} path
   * @throws IllegalArgumentException if {@code name} is not a case
   */
  public Path podman(String name) {
    if (!PODMAN_CASES.contains(name)) {
      throw new IllegalArgumentException("no podman case " + name + "; cases are " + PODMAN_CASES);
    }
    return dir.resolve("podman-" + name + "/config.json");
  }

  /**
   * The engine versions, as {@code runc --version}, {@code crun --version} and {@code podman
   * --version} print them, each after a {@code $ command} line.
   *
   * @return the {@code versions.txt} path
   */
  public Path versions() {
    return dir.resolve("versions.txt");
  }

  /**
   * The temp paths, ids and times that a config holds, to replace them for a golden comparison.
   *
   * @param config a {@code config.json} returned by this class
   * @return literal to placeholder (such as {@code @HOSTDIR@}), longest literal first: replace in
   *     this order
   * @throws UncheckedIOException if {@code placeholders.tsv} next to it cannot be read
   */
  public Map<String, String> placeholders(Path config) {
    Map<String, String> map = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(config.resolveSibling("placeholders.tsv"), StandardCharsets.UTF_8)) {
        int tab = line.indexOf('\t');
        map.put(line.substring(0, tab), line.substring(tab + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return map;
  }

  /**
   * All configs the script wrote: runc, crun, then the podman cases in {@link #PODMAN_CASES} order.
   *
   * @return {@code config.json} paths
   */
  public List<Path> all() {
    List<Path> all = new ArrayList<>(List.of(runc(), crun()));
    PODMAN_CASES.forEach(c -> all.add(podman(c)));
    return all;
  }
}
