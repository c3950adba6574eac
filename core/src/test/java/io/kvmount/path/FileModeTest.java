package io.kvmount.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** appc's octal mode text, parsed and printed with its leading zero. */
class FileModeTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"0755, 0755", "755, 0755", "0, 0000", "0700, 0700", "01777, 01777", "07777, 07777", "4755, 04755"})
  void parseOctal_printsWithLeadingZero(String text, String printed) {
    assertThat(FileMode.parseOctal(text)).hasToString(printed);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "0999", "rwx", "010000", "-1", "0x1ff", "000000"})
  void parseOctal_refusesNonOctalOrTooLarge(String text) {
    assertThatThrownBy(() -> FileMode.parseOctal(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
