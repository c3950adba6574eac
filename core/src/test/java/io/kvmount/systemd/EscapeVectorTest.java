package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the systemd 252 escaping vectors (src/test/resources/vectors). */
class EscapeVectorTest {

  static Stream<Arguments> escapePath() {
    return Vectors.tsv("escape-path.tsv").stream().map(r -> Arguments.of(r[0], r[1]));
  }

  static Stream<Arguments> escapePlain() {
    return Vectors.tsv("escape-plain.tsv").stream().map(r -> Arguments.of(r[0], r[1]));
  }

  static Stream<Arguments> unescapePath() {
    return Vectors.tsv("unescape-path.tsv").stream().map(r -> Arguments.of(r[0], r[1]));
  }

  static Stream<Arguments> warnings() {
    return Vectors.tsv("escape-path-warnings.tsv").stream()
        .map(r -> Arguments.of(r[0], r[1], r[2]));
  }

  private static Map<String, String> warningByInput() {
    Map<String, String> m = new HashMap<>();
    for (String[] r : Vectors.tsv("escape-path-warnings.tsv")) {
      m.put(r[0], r[2]);
    }
    return m;
  }

  @ParameterizedTest(name = "[{index}] systemd-escape --path --suffix=mount {0} -> {1}")
  @MethodSource("escapePath")
  void escapePathMatchesSystemd(String inputCell, String expectedCell) {
    byte[] input = Vectors.bytes(inputCell);
    String expected = Vectors.string(expectedCell);
    SystemdEscape.PathEscape r = SystemdEscape.escapePathDetailed(input);
    if (expected.equals("ERROR")) {
      assertThat(r.escaped()).isEmpty();
      assertThat(r.verdict().name()).startsWith("REFUSED_");
    } else {
      assertThat(r.escaped()).hasValue(expected.substring(0, expected.length() - ".mount".length()));
      assertThat(expected).endsWith(".mount");
    }
    String warning = warningByInput().get(inputCell);
    if (warning == null) {
      assertThat(r.verdict()).isEqualTo(SystemdEscape.PathVerdict.OK);
    } else {
      assertThat(new String(r.verdict().systemdMessage(input), StandardCharsets.UTF_8))
          .isEqualTo(Vectors.string(warning));
    }
  }

  @ParameterizedTest(name = "[{index}] escapePath(String) {0} -> {1}")
  @MethodSource("escapePath")
  void stringApiAgreesWithBytes(String inputCell, String expectedCell) throws Exception {
    String input = Vectors.string(inputCell);
    String expected = Vectors.string(expectedCell);
    boolean rawBytes = input.chars().anyMatch(c -> c >= 0xdc80 && c <= 0xdcff);
    if (rawBytes) {
      assertThatThrownBy(() -> SystemdEscape.escapePath(input)).isInstanceOf(UnitException.class);
    } else if (expected.equals("ERROR")) {
      assertThatThrownBy(() -> SystemdEscape.escapePath(input))
          .isInstanceOf(UnitException.class)
          .hasMessageStartingWith("cannot escape path ");
    } else {
      assertThat(SystemdEscape.escapePath(input) + ".mount").isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "[{index}] systemd-escape {0} -> {1}")
  @MethodSource("escapePlain")
  void escapePlainMatchesSystemd(String inputCell, String expectedCell) {
    assertThat(SystemdEscape.escape(Vectors.bytes(inputCell)))
        .isEqualTo(Vectors.string(expectedCell));
  }

  @ParameterizedTest(name = "[{index}] systemd-escape --unescape --path {0} -> {1}")
  @MethodSource("unescapePath")
  void unescapePathMatchesSystemd(String inputCell, String expectedCell) throws Exception {
    String input = Vectors.string(inputCell);
    String expected = Vectors.string(expectedCell);
    if (expected.equals("ERROR")) {
      assertThatThrownBy(() -> SystemdEscape.unescapePath(input)).isInstanceOf(UnitException.class);
    } else {
      assertThat(Vectors.show(SystemdEscape.unescapePath(input)))
          .isEqualTo(Vectors.show(Vectors.bytes(expectedCell)));
    }
  }

  @ParameterizedTest(name = "[{index}] stderr for {0}")
  @MethodSource("warnings")
  void warningRowsHaveSystemdsMessage(String inputCell, String expectedCell, String stderrCell) {
    byte[] input = Vectors.bytes(inputCell);
    SystemdEscape.PathEscape r = SystemdEscape.escapePathDetailed(input);
    assertThat(new String(r.verdict().systemdMessage(input), StandardCharsets.UTF_8))
        .isEqualTo(Vectors.string(stderrCell));
    assertThat(r.escaped().isEmpty()).isEqualTo(Vectors.string(expectedCell).equals("ERROR"));
  }

  @Test
  void vectorFilesHaveTheDocumentedRowCounts() {
    assertThat(Vectors.tsv("escape-path.tsv")).hasSize(106);
    assertThat(Vectors.tsv("escape-plain.tsv")).hasSize(32);
    assertThat(Vectors.tsv("unescape-path.tsv")).hasSize(46);
    assertThat(Vectors.tsv("escape-path-warnings.tsv")).hasSize(14);
  }

  @Test
  void plainUnescapeTurnsDashesIntoSlashesAndStopsAtNul() throws Exception {
    assertThat(new String(SystemdEscape.unescape("a-b\\x2dc"), StandardCharsets.UTF_8))
        .isEqualTo("a/b-c");
    assertThat(SystemdEscape.unescape("a\\x00b")).containsExactly('a');
    assertThat(SystemdEscape.unescape("")).isEmpty();
    for (String bad : List.of("\\", "\\x", "\\x4", "\\xg0", "\\y20", "a\\")) {
      assertThatThrownBy(() -> SystemdEscape.unescape(bad)).isInstanceOf(UnitException.class);
    }
  }
}
