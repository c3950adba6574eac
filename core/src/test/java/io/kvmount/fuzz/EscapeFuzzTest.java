package io.kvmount.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvmount.path.GuestPath;
import io.kvmount.systemd.SystemdEscape;
import io.kvmount.systemd.UnitException;
import io.kvmount.systemd.UnitName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes systemd name escaping ({@link SystemdEscape}, {@link UnitName}). {@link #escape}: for any
 * bytes, {@code unescape(escape(x))} gives {@code x} back (cut at its first NUL, as systemd's C
 * strings are), the output is ASCII and, with a suffix, a valid unit name. {@link #escapePath}:
 * on a normalised path, path escaping is plain escaping of the path without its leading {@code /},
 * the {@link GuestPath} overload agrees with the text one, an unnormalised spelling of the same
 * path escapes the same, and {@code unescapePath} gives the path back.
 */
class EscapeFuzzTest {

  @FuzzTest(maxDuration = "25s")
  void escape(byte[] raw) throws UnitException {
    String e = SystemdEscape.escape(raw);
    // systemd's VALID_CHARS, spelled out here: UnitName's own check shares SystemdEscape.isKept
    assertThat(e).as("escape of %s", Arrays.toString(raw)).matches("[A-Za-z0-9:_.\\\\-]*");
    byte[] expected = raw;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        expected = Arrays.copyOf(raw, i);
        break;
      }
    }
    assertThat(SystemdEscape.unescape(e)).as("unescape(%s)", e).isEqualTo(expected);
    String name = e + ".service";
    if (!e.isEmpty() && name.length() <= UnitName.MAX_BYTES) {
      assertThat(UnitName.isValid(name)).as("valid unit name: %s", name).isTrue();
      String instance = e + "@i.service";
      if (instance.length() <= UnitName.MAX_BYTES) {
        assertThat(UnitName.isValid(instance)).as("valid template instance: %s", instance).isTrue();
      }
    }
  }

  @FuzzTest(maxDuration = "25s")
  void escapePath(FuzzedDataProvider data) throws UnitException {
    List<String> components = new ArrayList<>();
    int n = data.consumeInt(0, 6);
    for (int i = 0; i < n; i++) {
      String c = data.consumeString(data.consumeBoolean() ? 12 : 300);
      if (!c.isEmpty() && !c.equals(".") && !c.equals("..") && c.indexOf('/') < 0 && c.indexOf('\0') < 0) {
        components.add(c);
      }
    }
    String path = "/" + String.join("/", components);
    if (GuestPath.problem(path) != null) {
      return; // not a path kvmount plans (a lone surrogate, too long): GuestPath refuses it
    }
    GuestPath guest = GuestPath.parse(path);
    String fromText = escapedOrNull(path);
    String fromGuest;
    try {
      fromGuest = SystemdEscape.escapePath(guest);
    } catch (UnitException e) {
      fromGuest = null;
    }
    assertThat(fromGuest).as("escapePath(GuestPath) vs escapePath(String) of %s", path).isEqualTo(fromText);
    String unnormalised = "/" + String.join("//./", components) + (data.consumeBoolean() ? "/" : "/.");
    assertThat(escapedOrNull(unnormalised)).as("escapePath of %s", unnormalised).isEqualTo(fromText);
    if (fromText == null) {
      return;
    }
    String plain = components.isEmpty() ? "-" : SystemdEscape.escape(path.substring(1));
    assertThat(fromText).as("path vs plain escaping of %s", path).isEqualTo(plain);
    assertThat(SystemdEscape.unescapePath(fromText)).as("unescapePath(%s)", fromText)
        .isEqualTo(path.getBytes(StandardCharsets.UTF_8));
    String unit = fromText + ".mount";
    if (unit.length() <= UnitName.MAX_BYTES) {
      assertThat(UnitName.mount(guest).value()).isEqualTo(unit);
      assertThat(UnitName.isValid(unit)).as("valid unit name: %s", unit).isTrue();
    }
  }

  private static String escapedOrNull(String path) {
    try {
      return SystemdEscape.escapePath(path);
    } catch (UnitException e) {
      Contract.oneLineMessage(e);
      return null;
    }
  }
}
