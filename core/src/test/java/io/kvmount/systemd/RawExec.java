package io.kvmount.systemd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a program with arguments given as raw bytes (Java's ProcessBuilder can only pass strings
 * in the locale's charset): the arguments go NUL-separated into a file that bash reads with
 * {@code mapfile -d ''} and passes on with {@code exec}, so the exit status is the program's.
 */
public final class RawExec {
  private RawExec() {}

  /**
   * What the program did.
   *
   * @param rc its exit status
   * @param out its standard output
   * @param err its standard error
   */
  public record Result(int rc, byte[] out, byte[] err) {}

  /**
   * Runs the command with the raw arguments appended.
   *
   * @param command the program and its string arguments
   * @param rawArgs further arguments as bytes (no NUL)
   * @return exit status and output
   */
  public static Result run(List<String> command, List<byte[]> rawArgs) {
    try {
      Path file = Files.createTempFile("kvmount-args", ".bin");
      try {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] a : rawArgs) {
          for (byte x : a) {
            if (x == 0) {
              throw new IllegalArgumentException("arguments cannot contain NUL");
            }
          }
          b.writeBytes(a);
          b.write(0);
        }
        Files.write(file, b.toByteArray());
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add("-c");
        cmd.add("A=(); if [ -s \"$1\" ]; then mapfile -d '' -t A < \"$1\"; fi; shift; exec \"$@\" \"${A[@]}\"");
        cmd.add("bash");
        cmd.add(file.toString());
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().remove("POSIXLY_CORRECT");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        byte[] out = readAll(p.getInputStream());
        int rc = p.waitFor();
        return new Result(rc, out, err.join());
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
