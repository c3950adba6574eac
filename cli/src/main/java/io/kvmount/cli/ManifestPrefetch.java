package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.concurrent.Background;
import io.kvmount.concurrent.Parallel;
import io.kvmount.digest.Sha256;
import io.kvmount.error.InvalidInputException;
import io.kvmount.manifest.PodManifest;
import java.nio.file.Path;

/**
 * Start-up: reads and parses the pod manifest named by {@code --pod-manifest} on another thread
 * while picocli builds its model and parses the command line (both take about 0.1 s in a fresh
 * JVM). The result, or the error, is handed over only when {@code generate} asks for the same
 * file, at the point where it would read it itself, so messages, their order and exit codes are
 * the same as without it; a usage error still wins over a bad manifest.
 */
final class ManifestPrefetch {

  private static volatile ManifestPrefetch pending;

  private final Path path;
  private final Background<PodManifest, InvalidInputException> result;

  private ManifestPrefetch(Path path) {
    this.path = path;
    // Serial runs (-Dkvmount.serial=true) read on this thread and skip the warm-up: it would
    // only run the same code twice on one thread.
    this.result =
        Background.start("kvmount-read-manifest", new Read(path), Parallel.serial() ? null : new Warm());
  }

  /** Pods with at most this many apps are planned a second time, on this thread, to warm the code. */
  static final int WARM_MAX_APPS = 16;

  /**
   * Reads the manifest, then warms what {@code generate} runs once picocli is done, while the
   * main thread is still building picocli's model (a fresh JVM interprets code and initialises
   * classes on first use; a class initialised or a method compiled here is ready there): the JCA
   * provider list behind SHA-256, and, for a small pod, the planner, the hypervisor arguments and
   * the text report, by planning the pod with the default options and discarding the result. The
   * warm-up writes nothing, and its failures are ignored: the main thread runs the same code and
   * reports them.
   */
  private static final class Warm implements Background.Afterwards<PodManifest> {
    @Override
    public void run(PodManifest pod) {
      try {
        Sha256.hex(new byte[0]);
        if (pod.apps().size() <= WARM_MAX_APPS) {
          Output.TextReport.render(Kvmount.plan(pod, null), Path.of("/"), true);
        }
      } catch (Exception e) {
        // warm-up only (see above); Background ignores unchecked failures and linkage errors
      }
    }
  }

  /** Reads the manifest (a named class, not a lambda: no call site to link at start-up). */
  private static final class Read implements Background.Task<PodManifest, InvalidInputException> {
    private final Path path;

    Read(Path path) {
      this.path = path;
    }

    @Override
    public PodManifest call() throws InvalidInputException {
      return Kvmount.readPod(path);
    }
  }

  /**
   * Starts reading the file given as {@code --pod-manifest FILE} or {@code --pod-manifest=FILE}
   * among the arguments of {@code kvmount generate}, if any.
   *
   * @param args the arguments after the subcommand name
   */
  static void start(String[] args) {
    String value = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        break;
      }
      if (args[i].equals("--pod-manifest") && i + 1 < args.length) {
        value = args[i + 1];
      } else if (args[i].startsWith("--pod-manifest=")) {
        value = args[i].substring("--pod-manifest=".length());
      }
    }
    if (value == null) {
      return;
    }
    Path path;
    try {
      path = Path.of(value);
    } catch (RuntimeException e) {
      return; // picocli will report it
    }
    pending = new ManifestPrefetch(path);
  }

  /**
   * The pod manifest in {@code file}: the prefetched one when it was started for this path,
   * otherwise read now.
   *
   * @param file the manifest file, as given to {@code --pod-manifest}
   * @return the manifest
   * @throws InvalidInputException as {@link Kvmount#readPod(Path)}
   */
  static PodManifest readPod(Path file) throws InvalidInputException {
    ManifestPrefetch p = pending;
    pending = null;
    if (p == null || !p.path.equals(file)) {
      return Kvmount.readPod(file);
    }
    return p.result.join();
  }
}
