package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares {@link SystemdEscape} with the real {@code /usr/bin/systemd-escape} on a few thousand
 * seeded random inputs per mode (paths and strings with dashes, dots, spaces, backslashes,
 * {@code %}, non-ASCII, control bytes and invalid UTF-8), many inputs per systemd-escape call. The
 * whole stdout, stderr and exit status of every call must match. Skipped when systemd-escape is
 * not installed.
 */
class SystemdEscapeDifferentialTest {
  private static final Path SYSTEMD_ESCAPE = Path.of("/usr/bin/systemd-escape");
  private static final long SEED = 0x6b766d6f756e74L;
  private static final int INPUTS = 1500;
  private static final int MAX_REFUSED = 25;

  private static final String[] PIECES = {
    "/", "/", "/", "//", "-", "--", ".", "..", "...", " ", "\\", "\\x2d", "%", "%%", ":", "_", "@",
    "mnt", "data", "a", "Z", "0", "é", "日本", "\ud83d\ude00", "\u00a0", "u\u0308", "$", "'", "\"",
    "*", "?", "[", "]", ",", "=", "+", "~", "#", ";", "!", "&", "|", "(", ")", "{", "}", "<", ">",
    "^", "`"
  };

  private static final String[] ESCAPED_PIECES = {
    "-", "-", "a", "mnt", ".", "..", "\\x2d", "\\x2e", "\\x2f", "\\x20", "\\x00", "\\xff", "\\xC3",
    "\\xa9", "\\x5c", "\\x", "\\x9", "\\xZZ", "\\", "\\y20", "@", " ", ":", "_", "é", "x"
  };

  enum Mode {
    ESCAPE(List.of()),
    ESCAPE_PATH(List.of("--path", "--suffix=mount")),
    UNESCAPE(List.of("--unescape")),
    UNESCAPE_PATH(List.of("--unescape", "--path")),
    MANGLE(List.of("--mangle"));

    final List<String> flags;

    Mode(List<String> flags) {
      this.flags = flags;
    }
  }

  static byte[] randomInput(Random r, boolean escapedStyle) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (!escapedStyle && r.nextInt(3) > 0) {
      b.write('/');
    }
    int n = r.nextInt(10) == 0 ? 40 + r.nextInt(300) : r.nextInt(14);
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(20);
      if (k == 0) {
        b.write(1 + r.nextInt(31)); // control byte, never NUL
      } else if (k == 1) {
        b.write(0x80 + r.nextInt(0x80)); // a byte that is not valid UTF-8 on its own
      } else if (k == 2) {
        b.write(r.nextBoolean() ? 0x7f : 'a' + r.nextInt(26));
      } else {
        String[] pool = escapedStyle ? ESCAPED_PIECES : PIECES;
        b.writeBytes(pool[r.nextInt(pool.length)].getBytes(StandardCharsets.UTF_8));
      }
    }
    return b.toByteArray();
  }

  static Stream<Arguments> modes() {
    return Stream.of(Mode.values()).map(m -> Arguments.of(m, SEED + m.ordinal()));
  }

  /** What one systemd-escape call would print, per our implementation. */
  record Expected(int rc, byte[] out, byte[] err, int consumed) {}

  static Expected expect(Mode mode, List<byte[]> inputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    for (int i = 0; i < inputs.size(); i++) {
      byte[] in = inputs.get(i);
      byte[] result;
      try {
        switch (mode) {
          case ESCAPE:
            result = SystemdEscape.escape(in).getBytes(StandardCharsets.US_ASCII);
            break;
          case ESCAPE_PATH:
            SystemdEscape.PathEscape r = SystemdEscape.escapePathDetailed(in);
            byte[] msg = r.verdict().systemdMessage(in);
            if (msg.length > 0) {
              err.writeBytes(msg);
              err.write('\n');
            }
            if (r.escaped().isEmpty()) {
              return new Expected(1, out.toByteArray(), err.toByteArray(), i + 1);
            }
            result = (r.escaped().get() + ".mount").getBytes(StandardCharsets.US_ASCII);
            break;
          case UNESCAPE:
            result = SystemdEscape.unescape(in);
            break;
          case UNESCAPE_PATH:
            result = SystemdEscape.unescapePath(in);
            break;
          case MANGLE:
            java.util.Optional<String> m = SystemdEscape.mangle(in);
            if (m.isEmpty()) {
              err.writeBytes("Failed to mangle name: Invalid argument\n".getBytes(StandardCharsets.UTF_8));
              return new Expected(1, out.toByteArray(), err.toByteArray(), i + 1);
            }
            result = m.get().getBytes(StandardCharsets.US_ASCII);
            break;
          default:
            throw new AssertionError(mode);
        }
      } catch (UnitException e) {
        err.writeBytes("Failed to unescape string: Invalid argument\n".getBytes(StandardCharsets.UTF_8));
        return new Expected(1, out.toByteArray(), err.toByteArray(), i + 1);
      }
      if (i > 0) {
        out.write(' ');
      }
      out.writeBytes(result);
    }
    out.write('\n');
    return new Expected(0, out.toByteArray(), err.toByteArray(), inputs.size());
  }

  /** Empty if equal, else the context around the first differing byte of both. */
  static String firstDifference(byte[] ours, byte[] real) {
    int i = 0;
    while (i < ours.length && i < real.length && ours[i] == real[i]) {
      i++;
    }
    if (i == ours.length && i == real.length) {
      return "";
    }
    int from = Math.max(0, i - 80);
    return "at byte " + i + ": ours " + Quote.of(java.util.Arrays.copyOfRange(ours, from, Math.min(ours.length, i + 80)))
        + " systemd-escape " + Quote.of(java.util.Arrays.copyOfRange(real, from, Math.min(real.length, i + 80)));
  }

  /** Generates the mode's inputs: mostly plausible ones, some fully random. */
  static List<byte[]> inputs(Mode mode, Random r) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < INPUTS; i++) {
      byte[] in = randomInput(r, mode == Mode.UNESCAPE || mode == Mode.UNESCAPE_PATH);
      if (mode == Mode.UNESCAPE && r.nextInt(8) > 0) {
        in = SystemdEscape.escape(randomInput(r, false)).getBytes(StandardCharsets.US_ASCII);
      }
      if (mode == Mode.UNESCAPE_PATH && r.nextInt(8) > 0) {
        // real escaped paths, so that the round trip is exercised
        SystemdEscape.PathEscape e = SystemdEscape.escapePathDetailed(randomInput(r, false));
        in = e.escaped().orElse("-").getBytes(StandardCharsets.US_ASCII);
      }
      if (mode == Mode.MANGLE && r.nextInt(6) == 0) {
        // long paths (hashed names), device paths, valid names
        String[] special = {
          "/" + "x".repeat(200 + r.nextInt(100)), "/dev/" + "sda".repeat(1 + r.nextInt(90)),
          "/sys/devices/x", "foo.service", "foo@bar.service", "/mnt/a-b/" + "é".repeat(r.nextInt(130))
        };
        in = special[r.nextInt(special.length)].getBytes(StandardCharsets.UTF_8);
      }
      out.add(in);
    }
    return out;
  }

  /**
   * Runs the inputs through systemd-escape in as few calls as possible: inputs we accept go in
   * chunks, each chunk followed by one input we refuse (at most {@link #MAX_REFUSED} of those),
   * because systemd-escape stops at the first refusal. If our prediction is wrong, stdout,
   * stderr or the exit status differ and the test fails.
   */
  @ParameterizedTest(name = "[{index}] {0} seed {1}")
  @MethodSource("modes")
  void sameAsSystemdEscape(Mode mode, long seed) {
    assumeTrue(Files.isExecutable(SYSTEMD_ESCAPE), "systemd-escape is not installed");
    List<byte[]> accepted = new ArrayList<>();
    List<byte[]> refused = new ArrayList<>();
    for (byte[] in : inputs(mode, new Random(seed))) {
      if (expect(mode, List.of(in)).rc() == 0) {
        accepted.add(in);
      } else if (refused.size() < MAX_REFUSED) {
        refused.add(in);
      }
    }
    assertThat(accepted.size()).as("accepted inputs").isGreaterThan(INPUTS / 2);
    int chunks = Math.max(1, refused.size());
    int size = (accepted.size() + chunks - 1) / chunks;
    for (int c = 0; c < chunks; c++) {
      List<byte[]> call =
          new ArrayList<>(accepted.subList(Math.min(accepted.size(), c * size), Math.min(accepted.size(), (c + 1) * size)));
      if (c < refused.size()) {
        call.add(refused.get(c));
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(SYSTEMD_ESCAPE.toString());
      cmd.addAll(mode.flags);
      cmd.add("--");
      RawExec.Result real = RawExec.run(cmd, call);
      Expected ours = expect(mode, call);
      String where =
          mode + " seed " + seed + " call " + c + " last input " + Quote.of(call.get(call.size() - 1));
      assertThat(firstDifference(ours.out(), real.out())).as("stdout, " + where).isEmpty();
      assertThat(firstDifference(ours.err(), real.err())).as("stderr, " + where).isEmpty();
      assertThat(ours.rc()).as("exit status, " + where).isEqualTo(real.rc());
      assertThat(ours.consumed()).as("inputs handled, " + where).isEqualTo(call.size());
    }
  }
}
