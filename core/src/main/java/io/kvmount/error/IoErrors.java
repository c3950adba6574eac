package io.kvmount.error;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns the JDK's {@link IOException}s into the one-line text of kvmount's messages. The JDK puts
 * the path in front of the reason ({@code /a/b: Permission denied}) or gives no reason at all
 * ({@link NoSuchFileException} with only the path); kvmount names the path itself, in its own
 * words, so these helpers keep only the reason.
 *
 * <p>Stateless and thread-safe.
 */
public final class IoErrors {

  private IoErrors() {}

  /**
   * The cause of a failure in lower case, on one line, without the path Java puts in front of it:
   * the {@link FileSystemException#getReason() reason}, a fixed text for the common exceptions
   * that carry none ({@code no such file or directory}, {@code permission denied}, ...), else the
   * message, else the exception's simple class name.
   *
   * @param e the failure
   * @return the reason, never empty
   */
  public static String reason(IOException e) {
    String r = null;
    if (e instanceof FileSystemException) {
      r = ((FileSystemException) e).getReason();
      if (r == null) {
        if (e instanceof NoSuchFileException) {
          r = "no such file or directory";
        } else if (e instanceof AccessDeniedException) {
          r = "permission denied";
        } else if (e instanceof FileAlreadyExistsException) {
          r = "file exists";
        } else if (e instanceof DirectoryNotEmptyException) {
          r = "directory not empty";
        } else if (e instanceof NotDirectoryException) {
          r = "not a directory";
        } else if (e instanceof AtomicMoveNotSupportedException) {
          r = "cannot rename atomically across file systems";
        }
      }
    }
    if (r == null) {
      r = e.getMessage();
    }
    if (r == null || r.isEmpty()) {
      r = e.getClass().getSimpleName();
    }
    r = r.replace('\n', ' ');
    return Character.toLowerCase(r.charAt(0)) + r.substring(1);
  }

  /**
   * Wraps a failure inside a stage1 rootfs in a one-line message: {@code <verb> "<path>" in stage1
   * rootfs "<root>": <reason>}, with the {@link #reason} of {@code e}.
   *
   * @param verb what was being done, such as {@code create directory}
   * @param relPath the path relative to the stage1 rootfs
   * @param root the stage1 rootfs on the host
   * @param e the failure, kept as the cause
   * @return the exception to throw
   */
  public static IOException inStage1Rootfs(String verb, String relPath, Path root, IOException e) {
    return new IOException(
        verb + " \"" + relPath + "\" in stage1 rootfs \"" + root + "\": " + reason(e), e);
  }

  /**
   * The reason an input file (a manifest) could not be read, for {@code <what> "<file>": cannot
   * read: <reason>}: {@code no such file}, {@code permission denied}, the file system's reason
   * with line breaks made spaces, else the message or the exception's simple class name.
   *
   * @param e the failure
   * @return the reason
   */
  public static String ofInput(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason().replace('\n', ' ').replace('\r', ' ');
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * The message of a failure as it is, or the exception's simple class name when it has none:
   * for reports that quote the JDK's own text ({@code kvmount verify}'s findings).
   *
   * @param e the failure
   * @return the message
   */
  public static String message(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
