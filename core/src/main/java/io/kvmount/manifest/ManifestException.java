package io.kvmount.manifest;

import io.kvmount.json.DocumentException;

/**
 * A manifest was rejected: it is not well-formed JSON, exceeds a limit of {@link ManifestReader},
 * or breaks a rule of the appc schema (as kvmount applies it). The command line maps it to exit
 * code 3.
 *
 * <p>The message is one line: {@code "<source>: <fieldPath>: <reason>"}, for example {@code
 * pod.json: apps[1].mounts[0].volume: "Data" is not a valid ACName (only a-z, 0-9 and "-")}, or
 * {@code "<source>: <reason>"} when the field path is empty (the document as a whole). Line breaks
 * and other control characters in any part are escaped.
 */
public class ManifestException extends DocumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param source where the manifest came from, such as a file name ({@code "pod.json"})
   * @param fieldPath where in the manifest, such as {@code "apps[1].mounts[0].path"}; {@code ""}
   *     for the whole document
   * @param reason why it was rejected, one line, lower case, offending values quoted
   */
  public ManifestException(String source, String fieldPath, String reason) {
    super(source, fieldPath, reason);
  }
}
