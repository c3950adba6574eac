package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link UnitName}'s parts (instance, template) and the exact reason for each refusal. */
class UnitNameDetailTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "foo@bar.service     | service | false | bar     | foo@.service",
        "foo@.service        | service | true  |         | foo@.service",
        "foo.service         | service | false |         | ",
        "a.b@c.d.socket      | socket  | false | c.d     | a.b@.socket",
        "getty@tty1.service  | service | false | tty1    | getty@.service",
        "x@y@z.mount         | mount   | false | y@z     | x@.mount",
        "x@@.mount           | mount   | false | @       | x@.mount",
        "a@b.c@.target       | target  | false | b.c@    | a@.target",
        "-.mount             | mount   | false |         | ",
      })
  void partsAsSystemdSplitsThem(
      String name, String type, boolean template, String instance, String templateName)
      throws Exception {
    UnitName u = UnitName.of(name);
    assertThat(u.type()).isEqualTo(type);
    assertThat(u.isTemplate()).isEqualTo(template);
    assertThat(u.instance()).isEqualTo(Optional.ofNullable(instance));
    assertThat(u.template().map(UnitName::value)).isEqualTo(Optional.ofNullable(templateName));
    assertThat(u.toString()).isEqualTo(name);
  }

  @Test
  void ordersByText() throws Exception {
    List<UnitName> names = new ArrayList<>();
    for (String n : List.of("b.mount", "a.service", "a.mount", "-.mount", "B.mount")) {
      names.add(UnitName.of(n));
    }
    Collections.sort(names);
    assertThat(names).extracting(UnitName::value)
        .containsExactly("-.mount", "B.mount", "a.mount", "a.service", "b.mount");
    assertThat(UnitName.of("a.mount").compareTo(UnitName.of("b.mount"))).isNegative();
    assertThat(UnitName.of("b.mount").compareTo(UnitName.of("a.mount"))).isPositive();
    assertThat(UnitName.of("a.mount").compareTo(UnitName.of("a.mount"))).isZero();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``                 | empty",
        "foo                | no unit type suffix (such as \".service\")",
        ".service           | nothing before the unit type suffix",
        "foo.bar            | \"bar\" is not a unit type (service, mount, swap, socket, target, device, automount, timer, path, slice, scope)",
        "foo.               | \"\" is not a unit type (service, mount, swap, socket, target, device, automount, timer, path, slice, scope)",
        "foo.servicex       | \"servicex\" is not a unit type (service, mount, swap, socket, target, device, automount, timer, path, slice, scope)",
        "foo.ervice         | \"ervice\" is not a unit type (service, mount, swap, socket, target, device, automount, timer, path, slice, scope)",
        "fo o.service       | character \" \" is not allowed (only ASCII letters, digits and \":-_.\\@\")",
        "foé.service        | character \"é\" is not allowed (only ASCII letters, digits and \":-_.\\@\")",
        "fo\u0080.service   | character \"\\x80\" is not allowed (only ASCII letters, digits and \":-_.\\@\")",
        "a/b.service        | character \"/\" is not allowed (only ASCII letters, digits and \":-_.\\@\")",
        "@foo.service       | it starts with \"@\"",
        "@a@b.service       | it starts with \"@\"",
        "@.service          | it starts with \"@\"",
      })
  void refusalsSayWhy(String name, String why) {
    assertThat(UnitName.problem(name)).isEqualTo(why);
    assertThatThrownBy(() -> UnitName.of(name))
        .isInstanceOf(UnitException.class)
        .hasMessage("invalid unit name " + Quote.of(name) + ": " + why);
    assertThat(UnitName.isValid(name)).isFalse();
  }

  @Test
  void nullIsEmpty() {
    assertThat(UnitName.problem(null)).isEqualTo("empty");
    assertThat(UnitName.isValid(null)).isFalse();
  }

  /** Bytes, not characters, count: 128 x "é" is 264 bytes with the suffix, only 136 characters. */
  @Test
  void lengthIsCountedInUtf8Bytes() {
    assertThat(UnitName.problem("é".repeat(128) + ".service"))
        .isEqualTo("264 bytes, systemd allows at most 255");
    assertThat(UnitName.problem("é".repeat(40) + ".service"))
        .startsWith("character \"é\" is not allowed");
    assertThat(UnitName.problem("a".repeat(247) + ".service")).isNull();
    assertThat(UnitName.problem("a".repeat(248) + ".service"))
        .isEqualTo("256 bytes, systemd allows at most 255");
    // 85 characters are at most 255 bytes whatever they are
    assertThat(UnitName.problem("a".repeat(77) + ".service")).isNull();
  }

  @Test
  void emptyServicePrefixIsNamed() {
    assertThatThrownBy(() -> UnitName.service(""))
        .isInstanceOf(UnitException.class)
        .hasMessage("invalid service name: the name before \".service\" is empty");
    assertThatThrownBy(() -> UnitName.service("a b"))
        .hasMessage("invalid unit name \"a b.service\": character \" \" is not allowed (only ASCII"
            + " letters, digits and \":-_.\\@\")");
  }
}
