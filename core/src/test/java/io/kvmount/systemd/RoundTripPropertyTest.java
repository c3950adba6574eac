package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.path.GuestPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Seeded property tests (no jqwik): escaping and unit-file round trips. */
class RoundTripPropertyTest {
  private static final long SEED = 20261129L;
  private static final int CASES = 300;

  static Stream<Long> seeds() {
    return LongStream.range(SEED, SEED + CASES).boxed();
  }

  private static final String[] TEXT = {
    "a", "Z", "0", "-", ".", "..", "/", " ", "  ", "\\", "\\\\", "%", "%%", "%n", "$", "$HOME",
    "${X}", "\"", "'", ";", "=", "#", "[", "]", "é", "日本", "\ud83d\ude00", "\u00a0", "\u0085",
    "\ufeff", ":", "_", "@", "x"
  };

  static String randomText(Random r, int max) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      sb.append(TEXT[r.nextInt(TEXT.length)]);
    }
    return sb.toString();
  }

  static byte[] randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(30)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (1 + r.nextInt(255));
    }
    return b;
  }

  @ParameterizedTest(name = "[{index}] seed {0}")
  @MethodSource("seeds")
  void plainEscapeRoundTripsAndUsesOnlyUnitNameCharacters(long seed) throws Exception {
    Random r = new Random(seed);
    byte[] raw = r.nextBoolean() ? randomBytes(r) : randomText(r, 12).getBytes(StandardCharsets.UTF_8);
    raw = SystemdEscape.cString(raw);
    String e = SystemdEscape.escape(raw);
    assertThat(e).matches("[A-Za-z0-9:_.\\\\-]*");
    assertThat(e).doesNotStartWith(".");
    assertThat(SystemdEscape.unescape(e)).isEqualTo(raw);
    if (!e.isEmpty() && e.length() <= 247) {
      assertThat(UnitName.isValid(e + ".service")).as(e).isTrue();
    }
  }

  @ParameterizedTest(name = "[{index}] seed {0}")
  @MethodSource("seeds")
  void pathEscapeRoundTripsForNormalisedPaths(long seed) throws Exception {
    Random r = new Random(seed);
    List<String> components = new ArrayList<>();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      String c = randomText(r, 6).replace("/", "").replace("\0", "");
      if (!c.isEmpty() && !c.equals(".") && !c.equals("..")) {
        components.add(c);
      }
    }
    GuestPath p = new GuestPath(components);
    String escaped = SystemdEscape.escapePath(p.toString());
    assertThat(new String(SystemdEscape.unescapePath(escaped), StandardCharsets.UTF_8))
        .isEqualTo(p.toString());
    // the messy spellings systemd simplifies give the same name
    String messy = p.toString().replace("/", r.nextBoolean() ? "//" : "/./") + (r.nextBoolean() ? "/" : "");
    assertThat(SystemdEscape.escapePath(messy)).isEqualTo(escaped);
    if (escaped.length() + ".mount".length() <= UnitName.MAX_BYTES) {
      assertThat(UnitName.mount(p).value()).isEqualTo(escaped + ".mount");
    }
  }

  @ParameterizedTest(name = "[{index}] seed {0}")
  @MethodSource("seeds")
  void everyUnitTheBuilderAcceptsParsesBackToTheSameModel(long seed) throws Exception {
    Random r = new Random(seed);
    UnitFile.Builder b = UnitFile.builder().comment(randomText(r, 5));
    String[] sections = {"Unit", "Mount", "Service", "Install", "X-Kvmount"};
    int entries = 1 + r.nextInt(12);
    for (int i = 0; i < entries; i++) {
      b.section(sections[r.nextInt(sections.length)]);
      String key = "Key" + r.nextInt(5);
      try {
        switch (r.nextInt(4)) {
          case 0:
            b.text(key, randomText(r, 8));
            break;
          case 1:
            b.plain(key, randomText(r, 8));
            break;
          case 2:
            b.units(key, List.of(UnitName.of("a.service"), UnitName.of("mnt-x\\x2dy.mount")).subList(0, r.nextInt(3)));
            break;
          default:
            List<String> argv = new ArrayList<>();
            argv.add("/usr/bin/" + randomText(r, 3).replace("$", "").replace("/", ""));
            int args = r.nextInt(5);
            for (int k = 0; k < args; k++) {
              argv.add(randomText(r, 4));
            }
            b.exec("Exec" + key, argv);
        }
      } catch (UnitException e) {
        // refused values are the builder's business; the message must be one line
        assertThat(e.getMessage()).doesNotContain("\n", "\r").startsWith("invalid value for ");
      }
    }
    UnitFile f = b.build();
    String text = f.serialize();
    assertThat(text.isEmpty() || text.endsWith("\n")).isTrue();
    assertThat(text).doesNotContain("\n\n\n").doesNotEndWith("\n\n");
    UnitFile.Parsed parsed = UnitFile.parseWithWarnings(text);
    assertThat(parsed.unit().sections()).isEqualTo(f.sections());
    assertThat(parsed.warnings()).isEmpty();
  }
}
