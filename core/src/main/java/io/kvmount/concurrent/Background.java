package io.kvmount.concurrent;

/**
 * One task run on a daemon thread of its own, whose value or failure is handed to whoever {@link
 * #join joins} it: a result computed beside the main work (a pod manifest read while the command
 * line is parsed, a report rendered while files are written). A task that needs a thread at once
 * and runs for long does not wait for {@link Parallel}'s pool.
 *
 * <p>With the system property {@value Parallel#SERIAL_PROPERTY}{@code =true} the task runs on the
 * calling thread inside {@link #start}, and {@link #join} hands over what it gave.
 *
 * <p>Thread-safe.
 *
 * @param <T> the value type
 * @param <X> the checked failure of the task
 */
public final class Background<T, X extends Exception> {

  /**
   * The work of a background task.
   *
   * @param <T> the value type
   * @param <X> the checked failure
   */
  @FunctionalInterface
  public interface Task<T, X extends Exception> {
    /**
     * Computes the value.
     *
     * @return the value (may be {@code null})
     * @throws X when the task fails
     */
    T call() throws X;
  }

  /**
   * Work done on the same thread after the value is handed over, such as warming code the main
   * thread runs next. Its failures are ignored: it must not be needed for correctness.
   *
   * @param <T> the value type
   */
  @FunctionalInterface
  public interface Afterwards<T> {
    /**
     * Runs after the value is available to {@link #join}.
     *
     * @param value the task's value
     */
    void run(T value);
  }

  private final Task<T, X> task;
  private final Afterwards<T> afterwards;
  private final Object lock = new Object();
  private boolean done;
  private T value;
  private Throwable failure;

  private Background(Task<T, X> task, Afterwards<T> afterwards) {
    this.task = task;
    this.afterwards = afterwards;
  }

  /**
   * Starts {@code task} on a new daemon thread named {@code name}.
   *
   * @param name the thread's name (shown in thread dumps)
   * @param task the work
   * @param <T> the value type
   * @param <X> the checked failure
   * @return the handle to join
   */
  public static <T, X extends Exception> Background<T, X> start(String name, Task<T, X> task) {
    return start(name, task, null);
  }

  /**
   * Starts {@code task} on a new daemon thread named {@code name}, then runs {@code afterwards} on
   * that thread once the value is handed over (not when the task failed).
   *
   * @param name the thread's name
   * @param task the work
   * @param afterwards work after the value is available, whose failures are ignored; or {@code
   *     null}
   * @param <T> the value type
   * @param <X> the checked failure
   * @return the handle to join
   */
  public static <T, X extends Exception> Background<T, X> start(
      String name, Task<T, X> task, Afterwards<T> afterwards) {
    Background<T, X> b = new Background<>(task, afterwards);
    if (Parallel.serial()) {
      b.run();
    } else {
      Thread t = new Thread(b.new Body(), name);
      t.setDaemon(true);
      t.start();
    }
    return b;
  }

  /** The background thread's body. */
  private final class Body implements Runnable {
    @Override
    public void run() {
      Background.this.run();
    }
  }

  /** Runs the task and then the afterwards work; called once, by {@link #start}. */
  private void run() {
    T v = null;
    Throwable f = null;
    try {
      v = task.call();
    } catch (Exception | Error e) {
      f = e;
    }
    synchronized (lock) {
      value = v;
      failure = f;
      done = true;
      lock.notifyAll();
    }
    if (f == null && afterwards != null) {
      try {
        afterwards.run(v);
      } catch (RuntimeException | LinkageError | StackOverflowError e) {
        // ignored by contract: the afterwards work only warms what the caller runs anyway
      }
    }
  }

  /**
   * Waits, uninterruptibly, for the task's value (the interrupt status is kept).
   *
   * @return the task's value ({@code null} when the task gave {@code null})
   * @throws X what the task threw
   * @throws RuntimeException or {@link Error} when the task threw one
   */
  @SuppressWarnings("unchecked")
  public T join() throws X {
    boolean interrupted = false;
    Throwable f;
    T v;
    synchronized (lock) {
      while (!done) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      f = failure;
      v = value;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (f instanceof RuntimeException) {
      throw (RuntimeException) f;
    }
    if (f instanceof Error) {
      throw (Error) f;
    }
    if (f != null) {
      throw (X) f; // a task throws only X or unchecked failures
    }
    return v;
  }
}
