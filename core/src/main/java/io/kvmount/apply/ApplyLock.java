package io.kvmount.apply;

import io.kvmount.error.IoErrors;
import io.kvmount.plan.GuestFs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The exclusive lock one {@link PlanWriter} run holds on a stage1 rootfs: a POSIX record lock
 * ({@link FileChannel#tryLock()}) on {@code .kvmount/lock}, which excludes other processes, plus an
 * in-process semaphore per stage1 rootfs, which excludes other threads of this JVM (POSIX locks
 * belong to the process, and closing any channel on the file would drop them, so threads must not
 * even open the file while another thread holds the lock).
 */
final class ApplyLock implements AutoCloseable {

  private static final ConcurrentHashMap<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();
  private static final long POLL_MILLIS = 50;

  private final Semaphore semaphore;
  private final FileChannel channel;
  private final FileLock lock;

  private ApplyLock(Semaphore semaphore, FileChannel channel, FileLock lock) {
    this.semaphore = semaphore;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, waiting at most {@code wait} for another run to finish.
   *
   * @param root the stage1 rootfs (real path)
   * @param metaDir {@code <root>/.kvmount}, an existing real directory
   * @param wait how long to wait for a lock another run holds
   * @return the held lock; close it to release
   * @throws IOException if another run still holds the lock after {@code wait}, or the lock file
   *     cannot be created or opened (it is a symlink, the file system is read-only, ...)
   */
  static ApplyLock acquire(Path root, Path metaDir, Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    Semaphore sem = IN_PROCESS.computeIfAbsent(root, k -> new Semaphore(1));
    try {
      if (!sem.tryAcquire(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS)) {
        throw busy(root);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(
          "interrupted while waiting for the kvmount lock on \"" + root + "\"", e);
    }
    FileChannel ch = null;
    boolean held = false;
    try {
      Path lockFile = metaDir.resolve("lock");
      GuestFs.Kind k = NioGuestFs.lstat(lockFile);
      if (k != GuestFs.Kind.MISSING && k != GuestFs.Kind.FILE) {
        throw new IOException(
            "refusing to use lock file \"" + lockFile + "\": it is not a regular file");
      }
      try {
        ch =
            FileChannel.open(
                lockFile,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("open lock file", ".kvmount/lock", root, e);
      }
      while (true) {
        FileLock l;
        try {
          l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          l = null;
        }
        if (l != null) {
          held = true;
          return new ApplyLock(sem, ch, l);
        }
        if (System.nanoTime() >= deadline) {
          throw busy(root);
        }
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(
              "interrupted while waiting for the kvmount lock on \"" + root + "\"", e);
        }
      }
    } finally {
      if (!held) {
        if (ch != null) {
          try {
            ch.close();
          } catch (IOException ignored) {
            // Already failing; the first error is the one to report.
          }
        }
        sem.release();
      }
    }
  }

  private static IOException busy(Path root) {
    return new IOException("another kvmount run holds the lock on \"" + root + "\"");
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      semaphore.release();
    }
  }
}
