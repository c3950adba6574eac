package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.error.InvalidInputException;
import io.kvmount.manifest.PodManifest;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
  private final CompletableFuture<PodManifest> result = new CompletableFuture<>();

  private ManifestPrefetch(Path path) {
    this.path = path;
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
    Thread t = new Thread(() -> {
      try {
        p.result.complete(Kvmount.readPod(path));
      } catch (InvalidInputException | RuntimeException | Error e) {
        p.result.completeExceptionally(e);
      }
    }, "kvmount-read-manifest");
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
    try {
      return p.result.join();
    } catch (CompletionException e) {
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
    }
  }
}
