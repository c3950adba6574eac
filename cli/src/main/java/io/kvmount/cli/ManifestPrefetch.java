package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.error.InvalidInputException;
import io.kvmount.manifest.PodManifest;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

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
  // A FutureTask, not a CompletableFuture: the latter's class initialisation sets up the common
  // fork-join pool, a few milliseconds of a small pod's run.
  private final FutureTask<PodManifest> result;

  private ManifestPrefetch(Path path) {
    this.path = path;
    this.result = new FutureTask<>(new Read(path));
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
  private static final class ReadThenWarm implements Runnable {
    private final FutureTask<PodManifest> read;

    ReadThenWarm(FutureTask<PodManifest> read) {
      this.read = read;
    }

    @Override
    public void run() {
      read.run();
      try {
        PodManifest pod = read.get();
        java.security.MessageDigest.getInstance("SHA-256");
        if (pod.apps().size() <= WARM_MAX_APPS) {
          Output.TextReport.render(Kvmount.plan(pod, null), Path.of("/"), true);
        }
      } catch (Exception | LinkageError | StackOverflowError e) {
        // warm-up only (see above)
      }
    }
  }

  /** Reads the manifest (a named class, not a lambda: no call site to link at start-up). */
  private static final class Read implements java.util.concurrent.Callable<PodManifest> {
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
    ManifestPrefetch p = new ManifestPrefetch(path);
    Thread t = new Thread(new ReadThenWarm(p.result), "kvmount-read-manifest");
    t.setDaemon(true);
    pending = p;
    t.start();
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
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.result.get();
        } catch (InterruptedException e) {
          interrupted = true; // finish the hand-over; keep the interrupt for the caller
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof InvalidInputException) {
        throw (InvalidInputException) c;
      }
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new IllegalStateException(c);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
