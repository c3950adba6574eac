package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link UnitFile} and its builder: the exact reason for each refusal, the edges of the line
 * limit, comments, and the model's accessors.
 */
class UnitFileDetailTest {

  static Stream<Arguments> refusedValues() {
    return Stream.of(
        Arguments.of("a\nb", "contains a line break"),
        Arguments.of("a\rb", "contains a line break"),
        Arguments.of("\r", "contains a line break"),
        Arguments.of("a\u0000b", "contains a NUL character"),
        Arguments.of("\u0000", "contains a NUL character"),
        Arguments.of("a\tb", "contains the control character \\x09"),
        Arguments.of("\u0001", "contains the control character \\x01"),
        Arguments.of("a\u001fb", "contains the control character \\x1f"),
        Arguments.of("a\u007fb", "contains the control character \\x7f"),
        Arguments.of("a\ud800", "is not valid Unicode (lone surrogate)"),
        Arguments.of("\ud800b", "is not valid Unicode (lone surrogate)"),
        Arguments.of("\udc00", "is not valid Unicode (lone surrogate)"),
        Arguments.of(" a", "starts with a space (systemd strips it)"),
        Arguments.of("a ", "ends with a space (systemd strips it)"),
        Arguments.of(" ", "starts with a space (systemd strips it)"),
        Arguments.of("a\\", "ends with a backslash (systemd would continue the line)"),
        Arguments.of("\\\\\\", "ends with a backslash (systemd would continue the line)"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("refusedValues")
  void valueRefusalsSayWhy(String value, String why) {
    UnitFile.Builder b = UnitFile.builder().section("Unit");
    String expected = "invalid value for Description=: " + Quote.of(value) + " " + why;
    assertThatThrownBy(() -> b.text("Description", value)).hasMessage(expected);
    assertThatThrownBy(() -> b.plain("Description", value)).hasMessage(expected);
    assertThat(b.build().serialize()).isEqualTo("[Unit]\n");
  }

  @Test
  void valuesThatAreFine() throws Exception {
    UnitFile f =
        UnitFile.builder()
            .section("Unit")
            .plain("A", "")
            .plain("B", "~\u0080\u00a0é\ud83d\ude00")
            .plain("C", "a\\\\")
            .plain("D", "\\\\\\\\")
            .plain("E", "a b")
            .text("F", "50% of %n")
            .build();
    assertThat(f.serialize())
        .isEqualTo(
            "[Unit]\nA=\nB=~\u0080\u00a0é\ud83d\ude00\nC=a\\\\\nD=\\\\\\\\\nE=a b\nF=50%% of %%n\n");
    assertThat(UnitFile.parse(f.serialize())).isEqualTo(f);
  }

  /**
   * systemd refuses a line of 1048576 bytes (LONG_LINE_MAX) or more: key, "=", value. With
   * three-byte characters the quick character count is exactly at the limit.
   */
  @Test
  void lineLimitIsCountedInBytes() throws Exception {
    String fits = "v".repeat(1048576 - 3);
    UnitFile.Builder b = UnitFile.builder().section("Unit").plain("K", fits);
    assertThatThrownBy(() -> b.plain("K", fits + "v"))
        .hasMessage("invalid value for K=: the line would be 1048576 bytes, systemd reads at most 1048575");
    assertThatThrownBy(() -> b.plain("KK", fits))
        .hasMessageEndingWith("the line would be 1048576 bytes, systemd reads at most 1048575");
    // key "日" (3 bytes) + "=" + 349524 x "日": 1048576 bytes in 349525 characters
    String wide = "日".repeat(349524);
    assertThatThrownBy(() -> b.plain("日", wide))
        .hasMessageEndingWith("the line would be 1048576 bytes, systemd reads at most 1048575");
    b.plain("日", wide.substring(1));
    assertThatThrownBy(() -> b.plain("K", "é".repeat(524287)))
        .hasMessageEndingWith("the line would be 1048576 bytes, systemd reads at most 1048575");
    b.plain("K", "é".repeat(524286) + "a");
    assertThatThrownBy(() -> b.exec("ExecStart", List.of("/bin/" + "x".repeat(1048576 - 15))))
        .hasMessage("invalid value for ExecStart=: the line would be 1048576 bytes, systemd reads at"
            + " most 1048575");
    b.exec("ExecStart", List.of("/bin/" + "x".repeat(1048576 - 16)));
  }

  /** Requires= then After= of one list: the second key and its line are checked too. */
  @Test
  void unitsListReusedForAnotherKeyIsStillChecked() throws Exception {
    UnitName a = UnitName.of("a".repeat(249) + ".mount"); // 255 bytes
    UnitName last = UnitName.of("b".repeat(247) + ".mount"); // 253 bytes
    List<UnitName> list = new ArrayList<>();
    for (int i = 0; i < 4095; i++) {
      list.add(a);
    }
    list.add(last); // 4095 x 256 + 253 = 1048573 bytes: "K=" makes 1048575
    UnitFile.Builder b = UnitFile.builder().section("Unit").units("K", list);
    assertThatThrownBy(() -> b.units("KK", list))
        .hasMessageEndingWith("the line would be 1048576 bytes, systemd reads at most 1048575");
    assertThatThrownBy(() -> b.units("K=", list)).isInstanceOf(IllegalArgumentException.class);
    List<UnitName> small = List.of(a, last);
    b.units("Requires", small);
    assertThatThrownBy(() -> b.units("#After", small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid key \"#After\": starts with \"#\"");
    // a longer list that starts with the same objects is joined anew
    UnitName c = UnitName.of("c.mount");
    b.units("After", List.of(a, last, c));
    b.units("Before", List.of(a));
    UnitFile.Section unit = b.build().section("Unit").orElseThrow();
    assertThat(unit.values("After")).containsExactly(a + " " + last + " " + c);
    assertThat(unit.values("Before")).containsExactly(a.value());
    assertThat(unit.values("Requires")).containsExactly(a + " " + last);
  }

  @Test
  void execChecksItsKeyAndQuotesOnlyWhatNeedsIt() throws Exception {
    UnitFile.Builder b = UnitFile.builder().section("Service");
    assertThatThrownBy(() -> b.exec("Exec=Start", List.of("/bin/true")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid key \"Exec=Start\": contains \"=\"");
    assertThatThrownBy(() -> b.exec("ExecStart", List.of("/bin/$x")))
        .hasMessage("invalid value for ExecStart=: program \"/bin/$x\" contains \"$\", which systemd"
            + " cannot pass literally in the program path");
    assertThatThrownBy(() -> b.exec("ExecStart", List.of("$x")))
        .hasMessage("invalid value for ExecStart=: program \"$x\" is not an absolute path");
    assertThatThrownBy(() -> b.exec("ExecStart", List.of("/bin/x", "a\tb")))
        .hasMessage("invalid value for ExecStart=: argument 1 \"a\\tb\" contains the control"
            + " character \\x09");
    b.exec("ExecStart", List.of("/bin/a%b", "$", "x$y", "a;", ";;", "plain-arg"));
    b.exec("ExecStop", List.of("/bin/x"));
    assertThat(b.build().sections().get(0).entries())
        .containsExactly(
            new UnitFile.Entry("ExecStart", "/bin/a%%b $$ x$$y a; ;; plain-arg"),
            new UnitFile.Entry("ExecStop", "/bin/x"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``           | empty",
        "a=b          | contains \"=\"",
        "=            | contains \"=\"",
        "#a           | starts with \"#\"",
        ";a           | starts with \";\"",
        "[a           | starts with \"[\"",
        "` a`         | leading or trailing space",
        "`a `         | leading or trailing space",
        "\ufeffKey    | starts with a byte order mark",
        "a\u007fb     | contains a control character",
        "a\u001fb     | contains a control character",
        "a\ud800      | not valid Unicode",
      })
  void keyRefusalsSayWhy(String key, String why) {
    assertThat(UnitFile.keyProblem(key)).isEqualTo(why);
    UnitFile.Builder b = UnitFile.builder().section("Unit");
    // twice: a refused key is not remembered as checked
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> b.plain(key, "v"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("invalid key " + Quote.of(key) + ": " + why);
    }
  }

  @Test
  void keysThatAreFine() {
    for (String key : List.of("a", "Key-1", "a#", "a;b", "a[b]", "ké", "a b", "X-\ud83d\ude00")) {
      assertThat(UnitFile.keyProblem(key)).as(key).isNull();
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``           | empty",
        "a\"b         | contains \"\\\"\"",
        "a'b          | contains \"'\"",
        "a\\b         | contains \"\\\\\"",
        "a\u007f      | contains a control character",
        "a\ud800      | not valid Unicode",
      })
  void sectionNameRefusalsSayWhy(String name, String why) {
    assertThat(UnitFile.sectionNameProblem(name)).isEqualTo(why);
    assertThat(UnitFile.sectionNameProblem("\u0000")).isEqualTo("contains a control character");
    assertThatThrownBy(() -> UnitFile.builder().section(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid section name " + Quote.of(name) + ": " + why);
  }

  @Test
  void sectionNamesThatAreFine() {
    for (String name : List.of("Unit", "X-Kvmount", "a b", "Un]it", "[x", "é")) {
      assertThat(UnitFile.sectionNameProblem(name)).as(name).isNull();
    }
  }

  @Test
  void commentsAreOneLineAndValidText() {
    UnitFile f =
        UnitFile.builder()
            .comment("  plain ~ text  ")
            .comment("a\u007fb")
            .comment("\u001f")
            .comment("\tx\t")
            .comment("é \ud83d\ude00 日本 ")
            .comment("lone \ud800 and \udc00 end \ud83d")
            .build();
    assertThat(f.comments())
        .hasSize(6)
        .startsWith("plain ~ text", "a\\x7fb", "\\x1f", "\\x09x\\x09", "é \ud83d\ude00 日本");
    String lone = f.comments().get(5);
    assertThat(lone).startsWith("lone \\x").contains(" and \\x", " end \\x");
    assertThat(Utf8.isWellFormed(lone)).isTrue();
    assertThat(f.serialize())
        .startsWith("# plain ~ text\n# a\\x7fb\n# \\x1f\n# \\x09x\\x09\n# é \ud83d\ude00 日本\n# lone ")
        .endsWith("\n");
    assertThat(f.serialize().lines()).hasSize(6);
    assertThat(UnitFile.builder().comment("c").section("Unit").build().serialize())
        .isEqualTo("# c\n\n[Unit]\n");
  }

  @Test
  void modelAccessorsAndEquality() throws Exception {
    UnitFile f =
        UnitFile.builder()
            .comment("c")
            .section("Unit")
            .plain("A", "1")
            .section("Mount")
            .plain("What", "x")
            .build();
    assertThat(f.comments()).containsExactly("c");
    assertThat(f.section("Mount").orElseThrow().values("What")).containsExactly("x");
    assertThat(f.section("Unit").orElseThrow().name()).isEqualTo("Unit");
    assertThat(f.section("Service")).isEmpty();
    assertThat(f.toString()).isEqualTo(f.serialize()).isEqualTo("# c\n\n[Unit]\nA=1\n\n[Mount]\nWhat=x\n");

    UnitFile same = UnitFile.builder().comment("c").section("Unit").plain("A", "1")
        .section("Mount").plain("What", "x").build();
    assertThat(f).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(f.equals(f)).isTrue();
    assertThat(f.equals("x")).isFalse();
    assertThat(f.equals(null)).isFalse();
    UnitFile noComment = UnitFile.parse(f.serialize());
    assertThat(noComment.sections()).isEqualTo(f.sections());
    assertThat(noComment).isNotEqualTo(f);
    UnitFile otherValue = UnitFile.builder().comment("c").section("Unit").plain("A", "2")
        .section("Mount").plain("What", "x").build();
    assertThat(otherValue).isNotEqualTo(f);
    assertThat(otherValue.hashCode()).isNotEqualTo(f.hashCode());
  }
}
