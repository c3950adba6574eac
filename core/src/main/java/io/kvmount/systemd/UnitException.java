package io.kvmount.systemd;

import io.kvmount.error.InvalidInputException;

/**
 * A unit name, a path to escape, a unit-file value or a unit file's text was refused. It is
 * invalid input: the command line maps it to exit code 3.
 *
 * <p>The message is one line; offending values are quoted with non-printable characters escaped
 * (see {@link Quote}).
 */
public class UnitException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param msg one line: what was refused and why
   */
  public UnitException(String msg) {
    super(msg);
  }
}
