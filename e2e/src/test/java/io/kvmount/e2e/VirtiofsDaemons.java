package io.kvmount.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The virtiofsd daemons of one boot, started from the argv lists kvmount printed ({@code daemons}
 * in {@code generate --format json}), unchanged: the test passes {@code --virtiofsd} with the
 * wrapper that {@code e2e/setup.sh} caches, which runs Debian 13's virtiofsd with that root's own
 * loader and libraries, so no chroot and no host mount is involved.
 *
 * <p>Each daemon's stdout and stderr go to {@code <work>/virtiofsd-<n>.log}. {@link #start} returns
 * once every daemon's {@code --socket-path} exists. {@link #close()} ends each daemon and all its
 * descendants (virtiofsd's namespace sandbox forks a child), first with SIGTERM, then SIGKILL, and
 * waits for them: afterwards no process of this set is left. Not thread-safe.
 */
final class VirtiofsDaemons implements AutoCloseable {
  private static final Duration SOCKET_WAIT = Duration.ofSeconds(60);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);
  /** sun_path is 108 bytes including the terminating NUL. */
  private static final int MAX_SOCKET_PATH_BYTES = 107;

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> sockets = new ArrayList<>();

  private VirtiofsDaemons() {}

  /**
   * Starts every daemon and waits for its socket.
   *
   * @param work where the logs go
   * @param daemons argv lists, each with one {@code --socket-path=PATH} element
   * @return the running set; close it when the guest is gone
   * @throws IOException if a daemon cannot be started, exits early, or its socket does not appear
   *     within a minute (all daemons started so far are stopped again first)
   */
  static VirtiofsDaemons start(Path work, List<List<String>> daemons) throws IOException {
    VirtiofsDaemons set = new VirtiofsDaemons();
    try {
      for (int i = 0; i < daemons.size(); i++) {
        List<String> argv = daemons.get(i);
        Path socket = socketPath(argv);
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        Path log = work.resolve("virtiofsd-" + i + ".log");
        Files.writeString(log, String.join(" ", argv) + "\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(work.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        set.processes.add(pb.start());
        set.sockets.add(socket);
        set.awaitSocket(set.processes.get(i), socket, log);
      }
    } catch (IOException | RuntimeException e) {
      set.close();
      throw e;
    }
    return set;
  }

  /** The {@code --socket-path=} value of a daemon argv. */
  static Path socketPath(List<String> argv) throws IOException {
    for (String a : argv) {
      if (a.startsWith("--socket-path=")) {
        String p = a.substring("--socket-path=".length());
        if (p.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
          throw new IOException("virtiofsd socket path longer than " + MAX_SOCKET_PATH_BYTES + " bytes: " + p);
        }
        return Path.of(p);
      }
    }
    throw new IOException("virtiofsd argv without --socket-path=: " + argv);
  }

  private void awaitSocket(Process p, Path socket, Path log) throws IOException {
    long deadline = System.nanoTime() + SOCKET_WAIT.toNanos();
    while (!Files.exists(socket)) {
      if (!p.isAlive()) {
        throw new IOException("virtiofsd exited " + p.exitValue() + " before creating " + socket + ":\n" + Shell.tail(log, 20));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("virtiofsd did not create " + socket + " within " + SOCKET_WAIT + ":\n" + Shell.tail(log, 20));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + socket, e);
      }
    }
  }

  /** How many daemons this set started. */
  int size() {
    return processes.size();
  }

  /**
   * Stops every daemon and its descendants (SIGTERM, then SIGKILL after 10 s) and removes the
   * sockets and virtiofsd's {@code <socket>.pid} files. Idempotent.
   *
   * @throws IOException if a process survives SIGKILL, or a socket file cannot be removed
   */
  @Override
  public void close() throws IOException {
    List<ProcessHandle> all = new ArrayList<>();
    for (Process p : processes) {
      p.descendants().forEach(all::add);
      all.add(p.toHandle());
    }
    all.forEach(ProcessHandle::destroy);
    List<String> survivors = new ArrayList<>();
    for (ProcessHandle h : all) {
      if (!waitFor(h, STOP_WAIT)) {
        h.destroyForcibly();
        if (!waitFor(h, STOP_WAIT)) {
          survivors.add(Long.toString(h.pid()));
        }
      }
    }
    processes.clear();
    for (Path s : sockets) {
      Files.deleteIfExists(s);
      Files.deleteIfExists(s.resolveSibling(s.getFileName() + ".pid"));
    }
    sockets.clear();
    if (!survivors.isEmpty()) {
      throw new IOException("virtiofsd processes survived SIGKILL: " + survivors);
    }
  }

  private static boolean waitFor(ProcessHandle h, Duration timeout) {
    try {
      h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return !h.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !h.isAlive();
    }
  }
}
