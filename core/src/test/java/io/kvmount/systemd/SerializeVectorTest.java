package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of vectors/serialize.json: the builder (with {@code plain} values) must write
 * go-systemd's current layout byte for byte, or refuse the cases that go-systemd writes but
 * systemd would read back differently.
 */
class SerializeVectorTest {

  /** Cases the builder refuses, with the start of the reason. */
  private static final Map<String, String> REFUSED =
      Map.of(
          "go-systemd TestSerialize #7", "invalid section name \"Un\\nit\"",
          "go-systemd TestSerialize #8", "invalid key \"Desc\\nription\"",
          "go-systemd TestSerialize #9", "invalid value for Description=: \"Fo\\no\" contains a line break",
          "value with leading/trailing spaces", "invalid value for Description=: \"  padded  \" starts with a space",
          "value ending in backslash", "invalid value for Description=: \"ends with \\\\\" ends with a backslash",
          "value with embedded newline", "invalid value for Description=: \"line1\\nline2\" contains a line break",
          "empty section name", "invalid section name \"\": empty");

  static Stream<Arguments> cases() {
    JsonNode root = Vectors.json("serialize.json");
    return StreamSupport.stream(root.get("cases").spliterator(), false)
        .map(c -> Arguments.of(c.get("name").asText(), c));
  }

  private static UnitFile build(JsonNode options) throws UnitException {
    UnitFile.Builder b = UnitFile.builder();
    for (JsonNode o : options) {
      b.section(o.get(0).asText()).plain(o.get(1).asText(), o.get(2).asText());
    }
    return b.build();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void serializesLikeGoSystemdOrRefuses(String name, JsonNode c) throws Exception {
    JsonNode options = c.get("options");
    if (REFUSED.containsKey(name)) {
      assertThatThrownBy(() -> build(options)).hasMessageStartingWith(REFUSED.get(name));
      return;
    }
    UnitFile f = build(options);
    assertThat(f.serialize()).isEqualTo(c.get("expected").asText());
    assertThat(UnitFile.parse(f.serialize()).sections()).isEqualTo(f.sections());
  }

  static Stream<Arguments> roundtrips() {
    JsonNode root = Vectors.json("serialize.json");
    return StreamSupport.stream(root.get("roundtrip_cases").spliterator(), false)
        .map(c -> Arguments.of(c.get("name").asText(), c));
  }

  /**
   * go-systemd's deserialize-then-serialize table. Our parser reads like systemd, so a
   * continuation is joined with a space (go-systemd keeps backslash and newline); the other
   * cases are byte-identical.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("roundtrips")
  void parseThenSerialize(String name, JsonNode c) throws Exception {
    String out = UnitFile.parse(c.get("input").asText()).serialize();
    String expected = c.get("expected_after_deserialize_then_serialize").asText();
    if (name.endsWith("#1")) {
      expected = "[Unit]\nDescription=Unnecessarily wrapped      words here\n";
    } else if (name.endsWith("#2")) {
      expected = "[Unit]\nDescription=Demo\nRequires=docker.service\n";
    }
    assertThat(out).isEqualTo(expected);
  }

  @Test
  void coversEveryCase() {
    assertThat(cases().count()).isEqualTo(25);
    assertThat(roundtrips().count()).isEqualTo(4);
  }
}
