package io.kvmount.oci;

import io.kvmount.json.DocumentException;

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
public class OciException extends DocumentException {
  private static final long serialVersionUID = 1L;

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
    super(source, fieldPath, reason);
  }
}
