package io.kvmount.json;

/**
 * Makes the checked exception a reader throws for bad input, so that the format-neutral code in
 * this package reports problems in the reader's own exception type (the appc reader's is {@code
 * ManifestException}) without depending on it.
 *
 * @param <E> the exception type
 */
public interface ErrorFactory<E extends Exception> {

  /**
   * Creates, but does not throw, the exception for one problem.
   *
   * @param fieldPath where in the document, such as {@code "apps[1].mounts[0].path"}; {@code ""}
   *     for the document as a whole
   * @param reason why the input is refused: one line, lower case, offending values quoted
   * @return the exception to throw
   */
  E error(String fieldPath, String reason);
}
