package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.GuestPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitNameTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/                                   | -.mount",
        "/mnt/foo                            | mnt-foo.mount",
        "/mnt/my-vol                         | mnt-my\\x2dvol.mount",
        "/.hidden                            | \\x2ehidden.mount",
        "/opt/stage2/my-app/rootfs/var/data  | opt-stage2-my\\x2dapp-rootfs-var-data.mount",
        "/mnt/a b%                           | mnt-a\\x20b\\x25.mount",
        "/mnt/café                           | mnt-caf\\xc3\\xa9.mount",
      })
  void mountNamesMatchSystemdEscape(String where, String expected) throws Exception {
    assertThat(UnitName.mount(GuestPath.parse(where)).value()).isEqualTo(expected);
  }

  @Test
  void mountNameOf255BytesIsFineAnd256IsRefused() throws Exception {
    // "/" + 249 x -> 249 + ".mount" = 255 bytes
    GuestPath ok = GuestPath.parse("/" + "x".repeat(249));
    assertThat(UnitName.mount(ok).value()).hasSize(255);
    GuestPath tooLong = GuestPath.parse("/" + "x".repeat(250));
    assertThatThrownBy(() -> UnitName.mount(tooLong))
        .isInstanceOf(UnitException.class)
        .hasMessage(
            "unit name for \"/" + "x".repeat(250) + "\" would be 256 bytes, systemd allows at most 255");
    // escaping makes names grow 4x: 62 dashes are 248 bytes of \x2d
    GuestPath dashes = GuestPath.parse("/" + "-".repeat(63));
    assertThatThrownBy(() -> UnitName.mount(dashes)).hasMessageContaining("would be 258 bytes");
  }

  @Test
  void systemdHashesLongNamesItself() {
    // unit-files.md section 5: "/" + 255 x -> 232 x + "_772824895a683330.mount"
    byte[] path = ("/" + "x".repeat(255)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(SystemdEscape.unitNameFromPath(path, "mount"))
        .hasValue("x".repeat(232) + "_772824895a683330.mount");
    assertThat(SystemdEscape.unitNameFromPath("/mnt/a-b".getBytes(java.nio.charset.StandardCharsets.UTF_8), "mount"))
        .hasValue("mnt-a\\x2db.mount");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "foo.service", "a.mount", "foo@bar.service", "foo@.service", "-.mount", "a\\x2db.mount",
        "a:b_c.d.socket", "x.automount", "x.swap", "x.target", "x.device", "x.timer", "x.path",
        "x.slice", "x.scope"
      })
  void validNames(String name) throws Exception {
    assertThat(UnitName.of(name).value()).isEqualTo(name);
    assertThat(UnitName.isValid(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "foo", ".service", "foo.", "foo.bar", "@foo.service", "foo bar.service", "fo%o.service",
        "café.service", "foo/bar.service", "foo.Service"
      })
  void invalidNames(String name) {
    assertThat(UnitName.isValid(name)).isFalse();
    assertThatThrownBy(() -> UnitName.of(name))
        .isInstanceOf(UnitException.class)
        .hasMessageStartingWith("invalid unit name ");
    assertThatThrownBy(() -> new UnitName(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nameLengthLimitIs255Bytes() throws Exception {
    String ok = "a".repeat(255 - ".service".length()) + ".service";
    assertThat(UnitName.of(ok).value()).hasSize(255);
    assertThatThrownBy(() -> UnitName.of("a" + ok))
        .hasMessageContaining("256 bytes, systemd allows at most 255");
  }

  @Test
  void serviceUsesThePrefixVerbatim() throws Exception {
    assertThat(UnitName.service("my-app").value()).isEqualTo("my-app.service");
    assertThat(UnitName.service("web").type()).isEqualTo("service");
    assertThatThrownBy(() -> UnitName.service("my app")).isInstanceOf(UnitException.class);
    assertThatThrownBy(() -> UnitName.service("")).isInstanceOf(UnitException.class);
  }
}
