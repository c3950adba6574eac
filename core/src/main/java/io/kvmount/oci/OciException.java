package io.kvmount.oci;

import io.kvmount.error.InvalidInputException;
import io.kvmount.json.Messages;
import java.util.Objects;

/**
 * An OCI bundle was rejected: its directory or {@code config.json} is missing, the document is not
 * well-formed JSON, exceeds a limit of {@link OciReader}, or breaks a rule of the runtime-spec (as
 * kvmount applies it). The command line maps it to exit code 3.
 *
 * <p>The message has the shape of the appc reader's ({@code ManifestException}), one line: {@code
 * "<source>: <fieldPath>: <reason>"}, for example {@code config.json: mounts[3].options[1]:
 * "ro\n" contains a control character (\n)}, or {@code "<source>: <reason>"} when the field path
 * is empty (the document or the bundle as a whole). Line breaks and other control characters in
 * any part are escaped.
 */
public class OciException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** The document's name, for messages. */
  private final String source;
  /** The field path in the document, such as {@code mounts[3].options[1]}. */
  private final String fieldPath;
  /** The reason, without the location. */
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param source where the document came from, such as a file name ({@code "config.json"} or
   *     the bundle's absolute {@code .../config.json}), or the bundle directory
   * @param fieldPath where in the document, such as {@code "mounts[3].options[1]"}; {@code ""} for
   *     the whole document
   * @param reason why it was rejected, one line, lower case, offending values quoted
   */
  public OciException(String source, String fieldPath, String reason) {
    super(format(source, fieldPath, reason));
    this.source = source;
    this.fieldPath = fieldPath;
    this.reason = reason;
  }

  /**
   * Formats a location and reason the way this exception's message does; also used for the
   * reader's warnings, so that they read like its errors.
   *
   * @param source where the document came from
   * @param fieldPath where in the document; {@code ""} for the whole document
   * @param reason what is wrong, one line
   * @return {@code "<source>: <fieldPath>: <reason>"}, or {@code "<source>: <reason>"} for an
   *     empty field path, control characters escaped
   */
  static String format(String source, String fieldPath, String reason) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(fieldPath, "fieldPath");
    Objects.requireNonNull(reason, "reason");
    String where = fieldPath.isEmpty() ? "" : Messages.oneLine(fieldPath) + ": ";
    return Messages.oneLine(source) + ": " + where + Messages.oneLine(reason);
  }

  /**
   * Returns where the document came from.
   *
   * @return the source as given, such as {@code "config.json"}
   */
  public String source() {
    return source;
  }

  /**
   * Returns where in the document the problem is.
   *
   * @return a field path such as {@code "mounts[3].options[1]"}, or {@code ""} for the whole
   *     document
   */
  public String fieldPath() {
    return fieldPath;
  }

  /**
   * Returns why the bundle was rejected.
   *
   * @return the reason, without source and field path
   */
  public String reason() {
    return reason;
  }
}
