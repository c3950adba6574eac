package io.kvmount.error;

/**
 * Base of every checked exception kvmount's library throws for a condition a user can cause.
 *
 * <p>Messages are one line, lower case, and follow the pattern {@code "<where>: <why>"}, with
 * offending values quoted, so that the command line can print them unchanged.
 */
public abstract class KvmountException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a one-line message.
   *
   * @param message what went wrong and where; must not contain a line break
   */
  protected KvmountException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a one-line message and the cause it wraps.
   *
   * @param message what went wrong and where; must not contain a line break
   * @param cause the underlying failure
   */
  protected KvmountException(String message, Throwable cause) {
    super(message, cause);
  }
}
