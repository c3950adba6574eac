package io.kvmount.apply;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test helper run in a forked JVM by {@link LockTest}: holds the kvmount lock of a stage1 rootfs,
 * as another kvmount run would, until its standard input ends. Prints {@code LOCKED} once it holds
 * the lock.
 */
public final class LockHolderMain {

  private LockHolderMain() {}

  /**
   * Holds the lock.
   *
   * @param args the stage1 rootfs
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    Path meta = Files.createDirectories(Path.of(args[0]).resolve(PlanWriter.META_DIR));
    try (FileChannel ch =
        FileChannel.open(
            meta.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = ch.lock();
      System.out.println("LOCKED");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold until the test closes our standard input
      }
      lock.release();
    }
  }
}
