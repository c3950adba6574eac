package io.kvmount.error;

/**
 * Input data (a manifest, an option value, a path, a name) was rejected. The command line maps
 * it to exit code 3; nothing has been written when it is thrown.
 */
public class InvalidInputException extends KvmountException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message one line: where the input is wrong and why
   */
  public InvalidInputException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message one line: where the input is wrong and why
   * @param cause the underlying failure
   */
  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
