package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of vectors/deserialize.json, expecting systemd 252's reading. Where the file records
 * that systemd differs from go-systemd (the {@code systemd_252} prose), the expected options are
 * written out below; cases whose only difference is go-systemd's 2048-byte line limit use the
 * answer of the rkt-vendored go-systemd (no limit, continuation = one space), which is what
 * systemd does for them.
 */
class DeserializeVectorTest {
  private static final String ERROR = "ERROR";

  /** systemd 252's answers where go-systemd (current) differs. */
  private static final Map<String, Object> SYSTEMD = new HashMap<>();

  /** Cases where the rkt-vendored answer is systemd's (only the line limit differs). */
  private static final Set<String> USE_VENDORED =
      Set.of(
          "go-systemd TestDeserialize #19 (18065fb)",
          "go-systemd TestDeserialize #20 (18065fb)",
          "go-systemd TestDeserializeLineTooLong #0",
          "go-systemd TestDeserializeLineTooLong #1",
          "go-systemd TestDeserializeLineTooLong #2",
          "go-systemd TestDeserializeLineTooLong #3",
          "go-systemd TestDeserializeLineTooLong #4",
          "line of 2047 bytes",
          "line of 2048 bytes",
          "line of 2049 bytes",
          "line of 2048 bytes, no final newline",
          "line of 2049 bytes, no final newline",
          "line of 4000 bytes");

  private static void put(String name, String... triples) {
    List<List<String>> opts = new ArrayList<>();
    for (int i = 0; i < triples.length; i += 3) {
      opts.add(List.of(triples[i], triples[i + 1], triples[i + 2]));
    }
    SYSTEMD.put(name, opts);
  }

  static {
    // backslash -> space, next line appended with its indentation
    put(
        "go-systemd TestDeserialize #4 (18065fb)",
        "Unit",
        "Description",
        "Unnecessarily wrapped      words here");
    // comment lines inside a continuation are skipped; a blank line ends it
    put(
        "go-systemd TestDeserialize #6 (18065fb)",
        "Unit", "Description", "Bar",
        "Unit", "Description", "Bar Baz");
    put("go-systemd TestDeserialize #12 (18065fb)", "Unit", "Description", "Bar");
    put("go-systemd TestDeserialize #16 (18065fb)", "Unit", "Description", "words here");
    SYSTEMD.put("go-systemd TestDeserializeFail #0 (18065fb)", ERROR);
    SYSTEMD.put("go-systemd TestDeserializeFail #1 (18065fb)", ERROR);
    put("go-systemd TestDeserializeFail #2 (18065fb)");
    put("go-systemd TestDeserializeFail #3 (18065fb)", "Unit", "Description", "Foo");
    put("lone CR inside a value", "Unit", "Description", "cr", "Unit", "After", "a.service");
    put("comment line ending in backslash", "Unit", "Description", "kept by systemd");
    put(
        "value ending in two backslashes",
        "Unit", "Description", "two \\\\",
        "Unit", "After", "a.service");
    put("continuation: backslash replaced by space in systemd", "Unit", "Description", "a b");
    put("continuation with comment line inside", "Unit", "Description", "a b");
    put(
        "continuation then blank line",
        "Unit", "Description", "Demo",
        "Unit", "After", "a.service");
    put("continuation at EOF", "Unit", "Description", "last");
    SYSTEMD.put("section header with trailing garbage", ERROR);
    SYSTEMD.put("unterminated section header", ERROR);
    put("bracket inside section name", "Mo]unt", "A", "1");
    put("line without =", "Unit", "After", "a.service");
    put("empty key");
    put("[ inside text before first section", "Unit", "A", "1");
    put("Serialize output of a value containing a newline", "Unit", "Description", "Fo");
    put(
        "CRLF line endings with continuation",
        "Unit", "Description", "crlf    cont",
        "Unit", "After", "x");
    put("option name cut by EOF");
    SYSTEMD.put("newline inside section header", ERROR);
    put("no-break space before key", "Unit", "A", "1", "Unit", "\u00a0B", "2");
  }

  static Stream<Arguments> cases() {
    JsonNode root = Vectors.json("deserialize.json");
    return StreamSupport.stream(root.get("cases").spliterator(), false)
        .map(c -> Arguments.of(c.get("name").asText(), c));
  }

  private static List<List<String>> options(JsonNode opts) {
    List<List<String>> out = new ArrayList<>();
    for (JsonNode o : opts) {
      out.add(List.of(o.get(0).asText(), o.get(1).asText(), o.get(2).asText()));
    }
    return out;
  }

  private static Object expected(String name, JsonNode c) {
    if (SYSTEMD.containsKey(name)) {
      return SYSTEMD.get(name);
    }
    JsonNode e = USE_VENDORED.contains(name) ? c.get("expected_rkt_vendored_be94bc7") : c.get("expected");
    if (!e.get("error").isNull()) {
      throw new AssertionError(
          "case " + name + ": go-systemd fails and no systemd answer is recorded in this test");
    }
    return options(e.get("options"));
  }

  private static List<List<String>> flatten(UnitFile f) {
    List<List<String>> out = new ArrayList<>();
    for (UnitFile.Section s : f.sections()) {
      for (UnitFile.Entry e : s.entries()) {
        out.add(List.of(s.name(), e.key(), e.value()));
      }
    }
    return out;
  }

  /** Groups file-order options by section in first-seen order, as systemd merges sections. */
  private static List<List<String>> grouped(List<List<String>> opts) {
    Map<String, List<List<String>>> m = new java.util.LinkedHashMap<>();
    for (List<String> o : opts) {
      m.computeIfAbsent(o.get(0), k -> new ArrayList<>()).add(o);
    }
    List<List<String>> out = new ArrayList<>();
    m.values().forEach(out::addAll);
    return out;
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void parsesLikeSystemd252(String name, JsonNode c) throws Exception {
    String input = c.get("input").asText();
    Object want = expected(name, c);
    if (want.equals(ERROR)) {
      assertThatThrownBy(() -> UnitFile.parse(input))
          .isInstanceOf(UnitException.class)
          .hasMessageStartingWith("line ");
      return;
    }
    @SuppressWarnings("unchecked")
    List<List<String>> opts = (List<List<String>>) want;
    assertThat(flatten(UnitFile.parse(input))).isEqualTo(grouped(opts));
  }

  @Test
  void coversEveryCase() {
    assertThat(cases().count()).isEqualTo(71);
  }

  @Test
  void reportsSystemdsWarnings() throws Exception {
    assertThat(UnitFile.parseWithWarnings("[Unit]\nJustAWord\nAfter=a.service\n").warnings())
        .containsExactly("line 2: Missing '=', ignoring line.");
    assertThat(UnitFile.parseWithWarnings("[Unit]\n=novalue\n").warnings())
        .containsExactly("line 2: Missing key name before '=', ignoring line.");
    assertThat(UnitFile.parseWithWarnings("Key=v\n[Unit]\nA=1\n").warnings())
        .containsExactly("line 1: Assignment outside of section. Ignoring.");
    assertThat(UnitFile.parseWithWarnings("[Unit]\nA=1\n").warnings()).isEmpty();
  }

  @Test
  void repeatedSectionsAreMergedAndEmptySectionsKept() throws Exception {
    UnitFile f = UnitFile.parse("[Unit]\nA=1\n[Mount]\n[Unit]\nB=2\n");
    assertThat(f.sections())
        .containsExactly(
            new UnitFile.Section(
                "Unit", List.of(new UnitFile.Entry("A", "1"), new UnitFile.Entry("B", "2"))),
            new UnitFile.Section("Mount", List.of()));
  }
}
