package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials read from /proc/self/status: the file-system ids and the umask. */
class ProcessCredsTest {

  private static final String STATUS =
      "Name:\tjava\nUmask:\t0027\nState:\tR (running)\nUid:\t1000\t1001\t1002\t1003\nGid:\t50\t51\t52\t53\n";

  @Test
  void parse_takesTheFileSystemIdsAndTheUmask() {
    assertThat(ProcessCreds.parse(STATUS)).isEqualTo(new ProcessCreds(1003, 53, 027));
  }

  @Test
  void parse_missingOrMalformedFields_unknown() {
    assertThat(ProcessCreds.parse("Name:\tx\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n")).isEqualTo(ProcessCreds.UNKNOWN);
    assertThat(ProcessCreds.parse(STATUS.replace("0027", "09"))).isEqualTo(ProcessCreds.UNKNOWN);
    assertThat(ProcessCreds.parse(STATUS.replace("\t1003", ""))).isEqualTo(ProcessCreds.UNKNOWN);
    assertThat(ProcessCreds.parse(STATUS.replace("1003", "-1"))).isEqualTo(ProcessCreds.UNKNOWN);
    assertThat(ProcessCreds.read(Path.of("/nonexistent/status"))).isEqualTo(ProcessCreds.UNKNOWN);
  }

  @Test
  void mkdirGives_onlyForOwnIdsAndBitsTheUmaskKeeps() {
    ProcessCreds c = new ProcessCreds(0, 0, 022);
    assertThat(c.mkdirGives(0755, 0, 0)).isTrue();
    assertThat(c.mkdirGives(0775, 0, 0)).as("group write is cleared by umask 022").isFalse();
    assertThat(c.mkdirGives(01777, 0, 0)).as("sticky bit: not through mkdir").isFalse();
    assertThat(c.mkdirGives(0755, 1000, 0)).as("another owner needs chown").isFalse();
    assertThat(c.mkdirGives(0755, 0, 1000)).isFalse();
    assertThat(ProcessCreds.UNKNOWN.mkdirGives(0755, 0, 0)).isFalse();
  }

  @Test
  void current_matchesWhatTheKernelGivesANewDirectory(@TempDir Path tmp) throws Exception {
    ProcessCreds c = ProcessCreds.current();
    assertThat(c).isNotEqualTo(ProcessCreds.UNKNOWN);
    Path d = Files.createDirectory(tmp.resolve("d"));
    assertThat(Integer.toUnsignedLong((Integer) Files.getAttribute(d, "unix:uid"))).isEqualTo(c.uid());
    Path probe = Files.createDirectory(tmp.resolve("probe"),
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx")));
    int mode = (Integer) Files.getAttribute(probe, "unix:mode") & 0777;
    assertThat(mode).as("0777 & ~umask").isEqualTo(0777 & ~c.umask());
  }
}
