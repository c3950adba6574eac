package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SystemdEscape#escapePath(GuestPath)} (the fast path for normalised guest paths) must give
 * what {@link SystemdEscape#escapePath(String)} and the real {@code systemd-escape --path} give,
 * for seeded random paths with dots, dashes, backslashes, spaces, non-ASCII and long components.
 */
class EscapeGuestPathTest {
  private static final Path SYSTEMD_ESCAPE = Path.of("/usr/bin/systemd-escape");

  private static final String[] PIECES = {
    "/", "/", "/", "//", "-", ".", "..x", ".", "...", " ", "\\", "\\x2d", "%", ":", "_", "@", "mnt",
    "data", "a", "Z", "0", "é", "日本", "\ud83d\ude00", "$", "'", ",", "=", "+", "~", "\u0001", "\u007f"
  };

  static List<GuestPath> randomPaths(long seed, int count) {
    Random r = new Random(seed);
    List<GuestPath> out = new ArrayList<>();
    while (out.size() < count) {
      StringBuilder sb = new StringBuilder("/");
      int n = r.nextInt(12);
      for (int i = 0; i < n; i++) {
        sb.append(PIECES[r.nextInt(PIECES.length)]);
      }
      if (r.nextInt(30) == 0) {
        sb.append('/').append("x".repeat(190 + r.nextInt(70))); // around the fast path's limit
      }
      String text = sb.toString();
      if (GuestPath.problem(text) == null) {
        out.add(GuestPath.parse(text));
      }
    }
    return out;
  }

  @Test
  void sameAsTheGeneralEscape() throws UnitException {
    for (GuestPath p : randomPaths(0x6b766d01L, 5000)) {
      assertThat(SystemdEscape.escapePath(p)).as("%s", p).isEqualTo(SystemdEscape.escapePath(p.toString()));
    }
    assertThat(SystemdEscape.escapePath(GuestPath.ROOT)).isEqualTo("-");
    assertThat(SystemdEscape.escapePath(GuestPath.parse("/.hidden/.x-y"))).isEqualTo("\\x2ehidden-.x\\x2dy");
  }

  @Test
  void refusesWhatSystemdRefuses() {
    GuestPath longName = GuestPath.ROOT.resolve("x".repeat(256));
    assertThatThrownBy(() -> SystemdEscape.escapePath(longName)).isInstanceOf(UnitException.class);
    GuestPath deep = GuestPath.ROOT;
    for (int i = 0; i < 820; i++) {
      deep = deep.resolve("abcd"); // 4,100 bytes
    }
    GuestPath tooLong = deep;
    assertThatThrownBy(() -> SystemdEscape.escapePath(tooLong)).isInstanceOf(UnitException.class);
  }

  @Test
  void sameAsSystemdEscape() throws IOException, InterruptedException, UnitException {
    assumeTrue(Files.isExecutable(SYSTEMD_ESCAPE), "systemd-escape is not installed");
    List<GuestPath> paths = randomPaths(0x6b766d02L, 1500);
    List<String> cmd = new ArrayList<>(List.of(SYSTEMD_ESCAPE.toString(), "--path", "--suffix=mount"));
    List<String> ours = new ArrayList<>();
    for (GuestPath p : paths) {
      cmd.add(p.toString());
      ours.add(SystemdEscape.escapePath(p) + ".mount");
    }
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(proc.waitFor()).isZero();
    assertThat(List.of(out.strip().split(" "))).containsExactlyElementsOf(ours);
  }
}
