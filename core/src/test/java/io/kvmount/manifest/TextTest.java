package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Quoting for messages and the version/identifier rules. */
class TextTest {

  @Test
  void quote_escapesEverythingThatCouldBreakTheLine() {
    assertThat(Text.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(Text.quote("\n\r\t\u0000\u001f\u007f")).isEqualTo("\"\\n\\r\\t\\x00\\x1f\\x7f\"");
    assertThat(Text.quote("\u0085\u2028\u2029\ufeff"))
        .isEqualTo("\"\\u0085\\u2028\\u2029\\ufeff\"");
    assertThat(Text.quote("\ud800x\udc00")).isEqualTo("\"\\uD800x\\uDC00\"");
    assertThat(Text.quote("\ud83d\ude00 é 日本")).isEqualTo("\"\ud83d\ude00 é 日本\"");
  }

  @Test
  void quote_longValue_isShortenedWithItsLength() {
    assertThat(Text.quote("x".repeat(500)))
        .isEqualTo("\"" + "x".repeat(Text.MAX_QUOTED_CHARS) + "\"... (500 characters)");
  }

  @Test
  void oneLine_keepsQuotesButEscapesControls() {
    assertThat(Text.oneLine("\"a\\n\" b")).isEqualTo("\"a\\n\" b");
    assertThat(Text.oneLine("a\nb\u2028")).isEqualTo("a\\nb\\u2028");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "OK",
      delimiter = '|',
      value = {
        "0.7.1                | OK",
        "0.8.11               | OK",
        "1.0.0-rc.1+build.5   | OK",
        "0.0.1                | OK",
        "0.0.0-alpha          | OK",
        "1.2.3-0a             | OK",
        "0.0.0                | '\"0.0.0\" is not allowed (the version must not be zero)'",
        "1                    | '\"1\" is not a semantic version (such as \"0.8.11\")'",
        "1.2                  | '\"1.2\" is not a semantic version (such as \"0.8.11\")'",
        "01.2.3               | '\"01.2.3\" is not a semantic version (such as \"0.8.11\")'",
        "1.2.3-01             | '\"1.2.3-01\" is not a semantic version (such as \"0.8.11\")'",
        "1.2.3-               | '\"1.2.3-\" is not a semantic version (such as \"0.8.11\")'",
        "1.2.3+               | '\"1.2.3+\" is not a semantic version (such as \"0.8.11\")'",
        "1.2.3-a..b           | '\"1.2.3-a..b\" is not a semantic version (such as \"0.8.11\")'",
        "+1.2.3               | '\"+1.2.3\" is not a semantic version (such as \"0.8.11\")'",
        "v1.2.3               | '\"v1.2.3\" is not a semantic version (such as \"0.8.11\")'",
        "1.2.3.4              | '\"1.2.3.4\" is not a semantic version (such as \"0.8.11\")'",
      })
  void semVerProblem_followsSemVer200(String version, String problem) {
    assertThat(Text.semVerProblem(version)).isEqualTo(problem);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "OK",
      delimiter = '|',
      value = {
        "example.com/reduce-worker | OK",
        "coreos.com/ace-validator-main | OK",
        "a_b~c.d/e-f               | OK",
        "Example.com/app           | '\"Example.com/app\" is not a valid AC identifier (only a-z,"
            + " 0-9 and \"-\", \".\", \"_\", \"~\", \"/\")'",
        "example.com/              | '\"example.com/\" is not a valid AC identifier (must start and"
            + " end with a-z or 0-9)'",
        "/app                      | '\"/app\" is not a valid AC identifier (must start and end"
            + " with a-z or 0-9)'",
      })
  void acIdentifierProblem_followsAppc(String value, String problem) {
    assertThat(Text.acIdentifierProblem(value)).isEqualTo(problem);
  }
}
