package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/**
 * The one-line message of a failure. A JDK file-system exception that escapes without kvmount's
 * context (found as root-less runs on unreadable trees: {@code kvmount: /tmp/x/opt}) must still
 * say why, not only where.
 */
class ExitCodesTest {

  @Test
  void message_bareAccessDenied_namesPathAndReason() {
    assertThat(ExitCodes.message(new AccessDeniedException("/tmp/x/opt")))
        .isEqualTo("\"/tmp/x/opt\": permission denied");
  }

  @Test
  void message_uncheckedNoSuchFile_namesPathAndReason() {
    assertThat(ExitCodes.message(new UncheckedIOException(new NoSuchFileException("/tmp/x/gone"))))
        .isEqualTo("\"/tmp/x/gone\": no such file or directory");
  }

  @Test
  void message_fileSystemExceptionWithReasonAndOtherFile() {
    assertThat(ExitCodes.message(new FileSystemException("/a", "/b", "Read-only file system")))
        .isEqualTo("\"/a\" and \"/b\": read-only file system");
  }

  @Test
  void message_kvmountsOwnIoException_unchanged() {
    assertThat(ExitCodes.message(new IOException("stage1 rootfs \"x\" does not exist")))
        .isEqualTo("stage1 rootfs \"x\" does not exist");
  }
}
