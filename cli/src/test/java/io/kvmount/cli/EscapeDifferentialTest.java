package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.systemd.Quote;
import io.kvmount.systemd.RawExec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs {@code kvmount escape} as a real process ({@code java -cp <test class path>
 * io.kvmount.cli.Main escape ...}, arguments passed as raw bytes, including invalid UTF-8) and
 * {@code /usr/bin/systemd-escape} with the same arguments, and compares stdout and exit status
 * byte for byte, and stderr with systemd-escape's program name replaced by kvmount's. Skipped
 * when systemd-escape is not installed.
 */
class EscapeDifferentialTest {
  private static final Path SYSTEMD_ESCAPE = Path.of("/usr/bin/systemd-escape");
  private static final long SEED = 4242L;

  private static List<String> kvmount() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Xshare:auto",
        "-cp",
        System.getProperty("java.class.path"),
        "io.kvmount.cli.Main",
        "escape");
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final String[] PIECES = {
    "/", "/", "//", "-", ".", "..", " ", "\\", "\\x2d", "\\x2f", "\\x00", "\\xff", "\\x9", "%", ":",
    "_", "@", "mnt", "a", "é", "日本", "\ud83d\ude00", "foo@bar.service", ".service", "\n", "\t"
  };

  static byte[] random(Random r) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    if (r.nextBoolean()) {
      o.write('/');
    }
    int n = r.nextInt(8);
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(12);
      if (k == 0) {
        o.write(0x80 + r.nextInt(0x80)); // invalid UTF-8 on its own
      } else if (k == 1) {
        o.write(1 + r.nextInt(31));
      } else {
        o.writeBytes(b(PIECES[r.nextInt(PIECES.length)]));
      }
    }
    return o.toByteArray();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    String[][] flagSets = {
      {}, {"-p"}, {"--path", "--suffix=mount"}, {"-u"}, {"-u", "-p"}, {"--suffix=service"},
      {"--template=foo@.service"}, {"-p", "--template=foo@.service"}, {"-u", "--instance"},
      {"-u", "--template=foo@.service"}, {"-up"}, {"--pa", "--suf", "mount"}, {"-m"}
    };
    Random r = new Random(SEED);
    for (String[] flags : flagSets) {
      for (int batch = 0; batch < 1; batch++) {
        List<byte[]> args = new ArrayList<>();
        for (String f : flags) {
          args.add(b(f));
        }
        if (r.nextBoolean()) {
          args.add(b("--"));
        }
        int n = 10 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
          args.add(random(r));
        }
        out.add(Arguments.of(String.join(" ", flags) + " (random " + batch + ")", args));
      }
    }
    // usage errors, permutation and odd arguments
    String[][] fixed = {
      {}, {"--foo=bar", "x"}, {"-pz", "a"}, {"--suffix"}, {"--suffix=bogus", "a"},
      {"--template", "a@.service", "x"}, {"-u", "--suffix=mount", "a"}, {"x", "--path", "/y"},
      {"", "-p", ""}, {"--", "-p", "--path"}, {"-u", "--instance", "a@.service"},
      {"-p", "/a", "/..", "/b"}, {"-u", "a\\x00b", "c"}, {"-u", "-p", "mnt-a\\x0d\\x0ab"},
      {"-p", "--", "/mnt/a\rb\nc"},
    };
    for (String[] f : fixed) {
      List<byte[]> args = new ArrayList<>();
      for (String s : f) {
        args.add(b(s));
      }
      out.add(Arguments.of(String.join(" ", f), args));
    }
    // invalid UTF-8 in option values and messages
    out.add(Arguments.of("suffix with invalid UTF-8", List.of(b("--suffix="), new byte[] {'m', (byte) 0xff})));
    out.add(Arguments.of("long invalid path", List.of(b("-p"), concat(b("/"), repeat((byte) 0xe9, 300)))));
    out.add(Arguments.of("unknown option with invalid UTF-8", List.of(new byte[] {'-', '-', (byte) 0xc3})));
    return out.stream();
  }

  private static byte[] concat(byte[] a, byte[] c) {
    byte[] r = Arrays.copyOf(a, a.length + c.length);
    System.arraycopy(c, 0, r, a.length, c.length);
    return r;
  }

  private static byte[] repeat(byte x, int n) {
    byte[] r = new byte[n];
    Arrays.fill(r, x);
    return r;
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void sameBytesAndExitStatusAsSystemdEscape(String label, List<byte[]> args) {
    assumeTrue(Files.isExecutable(SYSTEMD_ESCAPE), "systemd-escape is not installed");
    RawExec.Result real = RawExec.run(List.of(SYSTEMD_ESCAPE.toString()), args);
    RawExec.Result ours = RawExec.run(kvmount(), args);
    String realErr =
        new String(real.err(), StandardCharsets.ISO_8859_1).replace(SYSTEMD_ESCAPE + ": ", "kvmount escape: ");
    String where = label + " " + args.stream().map(Quote::of).toList();
    assertThat(Quote.of(ours.out())).as("stdout for " + where).isEqualTo(Quote.of(real.out()));
    assertThat(new String(ours.err(), StandardCharsets.ISO_8859_1)).as("stderr for " + where).isEqualTo(realErr);
    assertThat(ours.rc()).as("exit status for " + where).isEqualTo(real.rc());
  }
}
