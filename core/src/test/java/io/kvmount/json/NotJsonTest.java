package io.kvmount.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link JsonBytes#notJson}: what a plainly non-JSON document looks like; JSON is left to the parser. */
class NotJsonTest {
  @ParameterizedTest
  @ValueSource(strings = {"{}", " \n\t{\"a\":1}", "[1]", "\"s\"", "12", "-1", "true", "false", "null", "null ",
      "", "  \n", "tru", "{broken"})
  void jsonOrBlank_isLeftToTheParser(String doc) {
    // "tru" is neither JSON nor anything recognisable: the parser names it ("tru" is not a word).
    if (doc.equals("tru")) {
      assertThat(JsonBytes.notJson(doc.getBytes(StandardCharsets.UTF_8))).contains("does not start like JSON");
      return;
    }
    assertThat(JsonBytes.notJson(doc.getBytes(StandardCharsets.UTF_8))).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "acKind: PodManifest        | looks like YAML",
    "---                        | looks like YAML",
    "%YAML 1.2                  | looks like YAML",
    "- a                        | looks like YAML",
    "null: 1                    | looks like YAML",
    "<?xml version=1.0?>         | looks like XML",
    "<html>                     | looks like XML or HTML",
    "/* c */ {}                 | looks like JSON with comments (JSON has none)",
    "ociVersion = 1             | does not start like JSON",
  })
  void notJson_saysWhatItLooksLike(String doc, String looks) {
    assertThat(JsonBytes.notJson(doc.getBytes(StandardCharsets.UTF_8)))
        .startsWith("not JSON: the document " + looks + " (it starts with \"");
  }

  @org.junit.jupiter.api.Test
  void longFirstLine_isShortened() {
    String doc = "key: " + "x".repeat(500);
    assertThat(JsonBytes.notJson(doc.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("not JSON: the document looks like YAML (it starts with \"key: " + "x".repeat(35) + "...\")");
  }
}
