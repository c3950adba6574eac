package io.kvmount.concurrent;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Maps a step over many items on several threads, keeping input order: the result list is in
 * input order, and a failure is reported as the failure of the <em>first</em> failed item in input
 * order, so a parallel run returns and throws exactly what one pass in order would. Items after a
 * failed one may be skipped; every item before it has run. The call returns only when no thread is
 * still running a step of it.
 *
 * <p>Work runs on one shared pool of daemon threads, made on first use, plus the calling thread;
 * each call claims contiguous chunks of items from a counter. Small inputs (fewer items than the
 * caller's threshold) and every input when the system property {@value #SERIAL_PROPERTY} is {@code
 * true} run on the calling thread, in order.
 *
 * <p>Thread-safe. The steps must be safe to run concurrently on different items.
 */
public final class Parallel {

  /** System property; {@code true} makes every call of this package run on the calling thread. */
  public static final String SERIAL_PROPERTY = "kvmount.serial";

  /** The largest number of threads one call uses, the calling thread included. */
  public static final int MAX_THREADS = 8;

  /** Threads for work that computes, not waits: one per processor, at most {@link #MAX_THREADS}. */
  public static final int CPU_THREADS =
      Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));

  private static volatile ExecutorService pool;

  private Parallel() {}

  /**
   * One step of a {@link #map}: computes the result for the item at {@code index}.
   *
   * @param <R> the result type
   * @param <X> the checked failure the step may throw
   */
  @FunctionalInterface
  public interface Step<R, X extends Exception> {
    /**
     * Computes one item's result.
     *
     * @param index the item's position in the input, from 0
     * @return the item's result (may be {@code null})
     * @throws X when the item fails
     */
    R apply(int index) throws X;
  }

  /**
   * Whether this JVM runs everything serially ({@value #SERIAL_PROPERTY}{@code =true}).
   *
   * @return true when the serial switch is on
   */
  public static boolean serial() {
    return Boolean.getBoolean(SERIAL_PROPERTY);
  }

  /**
   * Runs {@code step} for every index from 0 to {@code count - 1} and returns the results in index
   * order. With at least {@code minParallel} items (and the serial switch off) the items are shared
   * among up to {@code threads} threads; otherwise they run here, in order.
   *
   * @param count the number of items, at least 0
   * @param minParallel the smallest count worth running on other threads
   * @param threads how many threads to use at most, the calling thread included ({@link
   *     #CPU_THREADS} for computing; more for steps that wait on I/O); capped at {@link
   *     #MAX_THREADS}
   * @param step the step, run once per index
   * @param <R> the result type
   * @param <X> the checked failure of a step
   * @return the results, in index order; unmodifiable
   * @throws X the failure of the lowest failed index (other steps' failures are suppressed in it)
   * @throws RuntimeException or {@link Error} likewise, when that is what the lowest failed index
   *     threw
   */
  public static <R, X extends Exception> List<R> map(
      int count, int minParallel, int threads, Step<R, X> step) throws X {
    if (count < 0) {
      throw new IllegalArgumentException("count " + count);
    }
    Object[] results = new Object[count];
    int workers = Math.min(Math.min(threads, MAX_THREADS), count);
    if (count < minParallel || workers <= 1 || serial()) {
      for (int i = 0; i < count; i++) {
        results[i] = step.apply(i);
      }
      return listOf(results);
    }
    Run<R, X> run = new Run<>(count, workers, step, results);
    ExecutorService p = pool();
    for (int w = 1; w < workers; w++) {
      p.execute(run);
    }
    run.work(); // the calling thread works too
    run.awaitOthers();
    run.rethrow();
    return listOf(results);
  }

  @SuppressWarnings("unchecked")
  private static <R> List<R> listOf(Object[] results) {
    return (List<R>) java.util.Collections.unmodifiableList(Arrays.asList(results));
  }

  private static ExecutorService pool() {
    ExecutorService p = pool;
    if (p == null) {
      synchronized (Parallel.class) {
        p = pool;
        if (p == null) {
          ThreadPoolExecutor t =
              new ThreadPoolExecutor(
                  MAX_THREADS - 1,
                  MAX_THREADS - 1,
                  30,
                  TimeUnit.SECONDS,
                  new LinkedBlockingQueue<>(),
                  new DaemonThreads());
          t.allowCoreThreadTimeOut(true);
          pool = p = t;
        }
      }
    }
    return p;
  }

  /** Names the pool's threads and makes them daemons (a pool never keeps the JVM alive). */
  private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "kvmount-parallel-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  /**
   * One call's shared state: the next unclaimed item, the failures, and the pool workers that
   * joined. A worker that starts after the caller has finished its own share does nothing, so a
   * call never waits for a queued task (nested calls cannot deadlock the pool).
   */
  private static final class Run<R, X extends Exception> implements Runnable {
    private final int count;
    private final int chunk;
    private final Step<R, X> step;
    private final Object[] results;
    private final AtomicInteger next = new AtomicInteger();
    private final Throwable[] failures;
    /** The lowest failed index so far, or {@code count}. */
    private final AtomicInteger firstFailed;
    /** Guards {@link #active} and {@link #closed}. */
    private final Object lock = new Object();
    private int active;
    private boolean closed;

    Run(int count, int workers, Step<R, X> step, Object[] results) {
      this.count = count;
      this.chunk = Math.max(1, count / (workers * 4));
      this.step = step;
      this.results = results;
      this.failures = new Throwable[count];
      this.firstFailed = new AtomicInteger(count);
    }

    /** A pool worker: joins unless the caller has already finished. */
    @Override
    public void run() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        active++;
      }
      try {
        work();
      } finally {
        synchronized (lock) {
          active--;
          lock.notifyAll();
        }
      }
    }

    /** Claims chunks of items and runs their steps until none is left or an earlier one failed. */
    void work() {
      while (true) {
        int from = next.getAndAdd(chunk);
        if (from >= count || from > firstFailed.get()) {
          return;
        }
        int to = Math.min(count, from + chunk);
        for (int i = from; i < to; i++) {
          if (i > firstFailed.get()) {
            return; // an earlier item failed: later ones need not run
          }
          try {
            results[i] = step.apply(i);
          } catch (Exception | Error e) {
            failures[i] = e;
            firstFailed.accumulateAndGet(i, Math::min);
            return;
          }
        }
      }
    }

    /** Closes the call to late workers and waits, uninterruptibly, for the ones that joined. */
    void awaitOthers() {
      boolean interrupted = false;
      synchronized (lock) {
        closed = true;
        while (active > 0) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            interrupted = true; // no thread may still be running a step when map returns
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** Throws the failure of the lowest failed index, with the others suppressed in it. */
    @SuppressWarnings("unchecked")
    void rethrow() throws X {
      int first = firstFailed.get();
      if (first == count) {
        return;
      }
      Throwable t = failures[first];
      for (int i = first + 1; i < count; i++) {
        if (failures[i] != null && failures[i] != t) {
          t.addSuppressed(failures[i]);
        }
      }
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      if (t instanceof Error) {
        throw (Error) t;
      }
      throw (X) t; // a step throws only X or unchecked failures
    }
  }
}
