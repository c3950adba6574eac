package io.kvmount.json;

import io.kvmount.error.InvalidInputException;
import java.util.Objects;

/**
 * A JSON input document was rejected: it is not well-formed, exceeds a limit, or breaks a rule of
 * its format. The command line maps it to exit code 3. Each format has its own subclass.
 *
 * <p>The message is one line: {@code "<source>: <fieldPath>: <reason>"}, for example {@code
 * pod.json: apps[1].mounts[0].volume: "Data" is not a valid ACName (only a-z, 0-9 and "-")}, or
 * {@code "<source>: <reason>"} when the field path is empty (the document as a whole). Line breaks
 * and other control characters in any part are escaped ({@link Messages#oneLine}).
 */
public class DocumentException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** The document's name, for messages. */
  private final String source;
  /** The field path in the document, such as {@code apps[0].mounts[1].path}. */
  private final String fieldPath;
  /** The reason, without the location. */
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param source where the document came from, such as a file name ({@code "pod.json"})
   * @param fieldPath where in the document, such as {@code "apps[1].mounts[0].path"}; {@code ""}
   *     for the whole document
   * @param reason why it was rejected, one line, lower case, offending values quoted
   */
  public DocumentException(String source, String fieldPath, String reason) {
    super(format(source, fieldPath, reason));
    this.source = source;
    this.fieldPath = fieldPath;
    this.reason = reason;
  }

  private static String format(String source, String fieldPath, String reason) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(fieldPath, "fieldPath");
    Objects.requireNonNull(reason, "reason");
    String where = fieldPath.isEmpty() ? "" : Messages.oneLine(fieldPath) + ": ";
    return Messages.oneLine(source) + ": " + where + Messages.oneLine(reason);
  }

  /**
   * Returns where the document came from.
   *
   * @return the source as given, such as {@code "pod.json"}
   */
  public String source() {
    return source;
  }

  /**
   * Returns where in the document the problem is.
   *
   * @return a field path such as {@code "volumes[2].name"}, or {@code ""} for the whole document
   */
  public String fieldPath() {
    return fieldPath;
  }

  /**
   * Returns why the document was rejected.
   *
   * @return the reason, without source and field path
   */
  public String reason() {
    return reason;
  }
}
