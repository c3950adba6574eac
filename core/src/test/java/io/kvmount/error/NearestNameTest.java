package io.kvmount.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link NearestName}: a hint only for a slip, never for another name. */
class NearestNameTest {
  private static final List<String> VOLUMES = List.of("site", "uploads", "cache", "database", "data");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
    "upload    | uploads",   // one deleted
    "uplaods   | uploads",   // transposed
    "Uploads   | uploads",   // case
    "cahce     | cache",
    "sites     | site",
    "databse   | database",
    "dta       | data",      // one edit from "data", two from others
    "datas     | data",      // "data" before "database": nearer
    "web       | -",         // far from everything
    "logs      | -",
    "x         | -",         // one character: any name would be "near"
    "uploads   | -",         // declared: nothing to suggest
  })
  void of_suggestsOnlyCloseNames(String given, String expected) {
    assertThat(NearestName.of(given, VOLUMES).orElse(null)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"kitten,sitting,3", "ca,abc,3", "abcd,abdc,1", ",abc,3", "same,same,0"})
  void distance_isOptimalStringAlignment(String a, String b, int d) {
    assertThat(NearestName.distance(a == null ? "" : a, b)).isEqualTo(d);
  }

  @ParameterizedTest
  @CsvSource({"upload,'; did you mean \"uploads\"?'", "zzz,''"})
  void hint_isAClauseOrNothing(String given, String hint) {
    assertThat(NearestName.hint(given, VOLUMES)).isEqualTo(hint);
  }
}
