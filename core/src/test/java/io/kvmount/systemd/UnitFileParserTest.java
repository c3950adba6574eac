package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Edges of the systemd 252 reader port: line ends, comments, limits, section headers. */
class UnitFileParserTest {

  private static List<UnitFile.Entry> entries(String text) throws UnitException {
    return UnitFile.parse(text).sections().get(0).entries();
  }

  @Test
  void nulEndsALine() throws Exception {
    assertThat(entries("[Unit]\0A=1\0\0B=2")).containsExactly(
        new UnitFile.Entry("A", "1"), new UnitFile.Entry("B", "2"));
  }

  @Test
  void indentedCommentsAndBlankLines() throws Exception {
    UnitFile.Parsed p = UnitFile.parseWithWarnings("[Unit]\n  # c=1\n\t; d=2\n   \n\t\nA = 1 \n;\n#");
    assertThat(p.warnings()).isEmpty();
    assertThat(p.unit().sections().get(0).entries()).containsExactly(new UnitFile.Entry("A", "1"));
  }

  @Test
  void warningsNameTheLine() throws Exception {
    UnitFile.Parsed p =
        UnitFile.parseWithWarnings("A=0\n[Unit]\nfoo\n=x\nB=1\nbar\\\n");
    assertThat(p.warnings())
        .containsExactly(
            "line 1: Assignment outside of section. Ignoring.",
            "line 3: Missing '=', ignoring line.",
            "line 4: Missing key name before '=', ignoring line.",
            "line 7: Missing '=', ignoring line.");
  }

  @Test
  void lineLimitIsOneMebibyte() throws Exception {
    String ok = "A=" + "x".repeat(1048575 - 2);
    assertThat(entries("[Unit]\n" + ok + "\n").get(0).value()).hasSize(1048573);
    assertThatThrownBy(() -> UnitFile.parse("[Unit]\n" + ok + "x\n"))
        .isInstanceOf(UnitException.class)
        .hasMessage("line 2: line too long (1048576 bytes or more)");
    // counted in UTF-8 bytes
    assertThatThrownBy(() -> UnitFile.parse("[Unit]\nA=" + "é".repeat(524287)))
        .hasMessage("line 2: line too long (1048576 bytes or more)");
  }

  @Test
  void continuationLimit() throws Exception {
    String first = "A=" + "x".repeat(599997) + "\\"; // 600000 bytes, the backslash a space
    String fits = "y".repeat(1048576 - 600000);
    assertThat(entries("[Unit]\n" + first + "\n" + fits + "\n").get(0).value())
        .hasSize(1048576 - 2);
    assertThatThrownBy(() -> UnitFile.parse("[Unit]\n" + first + "\n" + fits + "y\n"))
        .hasMessage("line 3: continuation line too long");
    assertThatThrownBy(() -> UnitFile.parse("[Unit]\n" + first + "\n" + "é".repeat(224289) + "\n"))
        .hasMessage("line 3: continuation line too long");
  }

  @Test
  void textThatIsNotUnicodeIsRefused() {
    assertThatThrownBy(() -> UnitFile.parse("[Unit]\nA=\ud800\n"))
        .isInstanceOf(UnitException.class)
        .hasMessage("line 2: String is not UTF-8 clean, ignoring assignment: \"A=\\ud800\"");
  }

  @Test
  void sectionHeaders() throws Exception {
    UnitFile f = UnitFile.parse("[]\nA=1\n[Un]it]\nB=2\n");
    assertThat(f.sections()).extracting(UnitFile.Section::name).containsExactly("", "Un]it");
    assertThat(f.serialize()).isEqualTo("[]\nA=1\n\n[Un]it]\nB=2\n");
    assertThatThrownBy(() -> UnitFile.parse("[a\"b]\n"))
        .hasMessage("line 1: Bad characters in section header '[a\"b]'");
    assertThatThrownBy(() -> UnitFile.parse("\n[Unit\n"))
        .hasMessage("line 2: Invalid section header '[Unit'");
    assertThatThrownBy(() -> UnitFile.parse("[\n")).hasMessage("line 1: Invalid section header '['");
  }

  /** serialize() sizes its buffer from the model; odd models (empty names, long values) too. */
  @Test
  void serializeOfOddModels() {
    assertThat(UnitFile.builder().comment("").comment("").build().serialize()).isEqualTo("#\n#\n");
    Map<String, List<UnitFile.Entry>> m = new LinkedHashMap<>();
    m.put("", List.of(new UnitFile.Entry("", ""), new UnitFile.Entry("", ""),
        new UnitFile.Entry("", ""), new UnitFile.Entry("k", "v".repeat(100))));
    assertThat(UnitFile.fromParser(m).serialize()).isEqualTo("[]\n=\n=\n=\nk=" + "v".repeat(100) + "\n");
    m.clear();
    m.put("", List.of());
    assertThat(UnitFile.fromParser(m).serialize()).isEqualTo("[]\n");
    m.put("", List.of(new UnitFile.Entry("", ""), new UnitFile.Entry("", ""),
        new UnitFile.Entry("", "")));
    assertThat(UnitFile.fromParser(m).serialize()).isEqualTo("[]\n=\n=\n=\n");
  }
}
