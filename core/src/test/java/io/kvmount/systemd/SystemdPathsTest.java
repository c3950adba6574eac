package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The systemd 252 path predicates on their own: {@code path_is_normalized()} is {@code
 * path_is_safe()} and not {@code "."}, not starting with {@code "./"}, not ending with {@code
 * "/."}, without {@code "//"} or {@code "/./"}; {@code path_is_valid()} limits components to 255
 * bytes and the path to less than 4096.
 */
class SystemdPathsTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/          | true",
        "/a         | true",
        "/a/        | true",
        "a/         | true",
        "a          | true",
        "/a/b/      | true",
        "/.a/b.     | true",
        "/...       | true",
        ".a         | true",
        ".          | false",
        "./a        | false",
        "./         | false",
        "a/.        | false",
        "/.         | false",
        "/a/.       | false",
        "/a//b      | false",
        "//         | false",
        "/a//       | false",
        "/a/./b     | false",
        "/./        | false",
        "/..        | false",
        "/a/../b    | false",
        "..         | false",
      })
  void isNormalizedLikePathIsNormalized(String path, boolean expected) {
    assertThat(SystemdPaths.isNormalized(b(path))).isEqualTo(expected);
  }

  @Test
  void validityLimits() {
    assertThat(SystemdPaths.isValid(new byte[0])).isFalse();
    assertThat(SystemdPaths.isValid(b("/" + "x".repeat(255)))).isTrue();
    assertThat(SystemdPaths.isValid(b("/" + "x".repeat(256)))).isFalse();
    assertThat(SystemdPaths.isValid(b("/a/.."))).isTrue();
    assertThat(SystemdPaths.isValid(b("/a/.."), false)).isFalse();
    // 4095 bytes fine, 4096 refused (PATH_MAX includes the NUL)
    String p4095 = ("/" + "x".repeat(254)).repeat(16) + "/" + "y".repeat(14);
    assertThat(p4095).hasSize(4095);
    assertThat(SystemdPaths.isValid(b(p4095))).isTrue();
    assertThat(SystemdPaths.isValid(b(p4095 + "y"))).isFalse();
    // a trailing "/." is not counted as another component
    assertThat(SystemdPaths.isValid(b(p4095.substring(0, 4093) + "/."))).isTrue();
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/dev/sda    | true",
        "/sys/x/     | true",
        "/./dev/sda  | true",
        "/dev//sda   | true",
        "/dev/./x    | true",
        "/dev/..     | true",
        "/dev        | false",
        "/dev/       | false",
        "/dev/.      | false",
        "/dev/./.    | false",
        "/sys        | false",
        "/devs/a     | false",
        "/de/a       | false",
        "dev/sda     | false",
        "/../dev/sda | false",
        "/mnt/dev/a  | false",
      })
  void devicePathsNeedSomethingAfterDevOrSys(String path, boolean expected) {
    assertThat(SystemdPaths.isDevicePath(b(path))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/           | /",
        "//          | /",
        "/./         | /",
        "/a//b/./c/  | /a/b/c",
        "a/./b/      | a/b",
        "./          | .",
        ".           | .",
        "/a/../b     | /a/../b",
        "a/.         | a",
      })
  void simplifyLikePathSimplify(String path, String expected) {
    assertThat(new String(SystemdPaths.simplify(b(path)), StandardCharsets.UTF_8))
        .isEqualTo(expected);
  }

  @Test
  void simplifyKeepsTheRestAfterAnOverlongComponent() {
    String path = "//a//" + "x".repeat(256) + "//b/./";
    assertThat(new String(SystemdPaths.simplify(b(path)), StandardCharsets.UTF_8))
        .isEqualTo("/a/" + "x".repeat(256) + "//b/./");
    assertThat(SystemdPaths.simplify(new byte[0])).isEmpty();
  }
}
