package io.kvmount.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands as argv lists (never through a shell string) and small file helpers. */
final class Shell {
  private Shell() {}

  /**
   * The outcome of one command.
   *
   * @param exitCode the process exit status
   * @param stdout standard output, decoded as UTF-8
   * @param stderr standard error, decoded as UTF-8
   * @param elapsed wall-clock time the command took
   */
  record Result(int exitCode, String stdout, String stderr, Duration elapsed) {}

  /**
   * Runs {@code argv} in {@code dir} with stdin from /dev/null and waits at most {@code timeout}.
   *
   * @throws IOException if the command cannot be started, or it outlived the timeout (it is then
   *     killed)
   */
  static Result run(Path dir, Duration timeout, List<String> argv) throws IOException {
    Path out = Files.createTempFile("kvmount-e2e-", ".out");
    Path err = Files.createTempFile("kvmount-e2e-", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
      pb.environment().put("LC_ALL", "C.UTF-8");
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      long start = System.nanoTime();
      Process p = pb.start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IOException("interrupted while running " + argv.get(0), e);
      }
      if (!done) {
        p.destroyForcibly();
        throw new IOException("command did not finish within " + timeout + ": " + argv);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          elapsed);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Runs {@code argv} and fails with its stderr unless it exits 0. */
  static Result check(Path dir, Duration timeout, List<String> argv) throws IOException {
    Result r = run(dir, timeout, argv);
    if (r.exitCode() != 0) {
      throw new IOException("command failed (exit " + r.exitCode() + "): " + argv + "\n" + r.stderr());
    }
    return r;
  }

  /** Deletes a tree that may hold files of any owner and mode (uses {@code rm -rf}). */
  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      check(Path.of("/"), Duration.ofMinutes(5), List.of("rm", "-rf", "--one-file-system", "--", dir.toString()));
    }
  }

  /** Quotes {@code s} as one POSIX shell word (single quotes). */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The last {@code lines} lines of a text file, or a note that it is missing. */
  static String tail(Path file, int lines) {
    try {
      List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(" + file + ": " + e.getMessage() + ")";
    }
  }
}
