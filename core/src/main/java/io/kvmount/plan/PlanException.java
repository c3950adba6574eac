package io.kvmount.plan;

import io.kvmount.error.InvalidInputException;

/**
 * The manifest is well-formed but cannot be planned: an unknown volume, a duplicate or unsafe
 * mount target, a unit name that would be too long, a share the chosen hypervisor cannot express.
 * Messages name the manifest field or the app and volume, then the reason.
 */
public class PlanException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message one line: where ({@code apps[1].mounts[0].path}) and why
   */
  public PlanException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message one line: where and why
   * @param cause the underlying failure
   */
  public PlanException(String message, Throwable cause) {
    super(message, cause);
  }
}
