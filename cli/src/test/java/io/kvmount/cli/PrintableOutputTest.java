package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text read from a hostile file reaches the terminal only as printable text: a state file line
 * with ESC and BEL (a sequence that clears the screen and sets the window title) is shown escaped
 * by {@code verify}, by a refused {@code generate} and by a dry run, never raw. Found by a
 * newcomer's hostile pass: the bytes were printed as they were.
 */
class PrintableOutputTest {

  @TempDir Path tmp;

  private static final String HOSTILE = "bogus\u001b[2J\u001b]0;title\u0007 x";

  @Test
  void hostileStateLine_printedEscaped_everywhere() throws Exception {
    Path pod = BigPod.write(tmp.resolve("pod.json"), tmp.resolve("host"), 0, 1, 1);
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    String[] gen = {"generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString()};
    assertThat(CliRunner.run(gen).exit()).isZero();
    Path state = stage1.resolve(".kvmount/state");
    Files.writeString(state, Files.readString(state) + HOSTILE + "\n");

    CliRunner.Result verify = CliRunner.run("verify", "--stage1-rootfs", stage1.toString());
    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.out()).contains("bogus\\x1b[2J\\x1b]0;title\\x07");
    assertPrintable(verify.out());
    assertPrintable(verify.err());

    CliRunner.Result run = CliRunner.run(gen);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("\\x1b");
    assertPrintable(run.err());

    for (String format : new String[] {"text", "json"}) {
      CliRunner.Result dry = CliRunner.run("generate", "--pod-manifest", pod.toString(),
          "--stage1-rootfs", stage1.toString(), "--dry-run", "--format", format);
      // A dry run refuses the tree as the run does (it printed the reason in its report before).
      assertThat(dry.exit()).isEqualTo(1);
      assertThat(dry.err()).isEqualTo(run.err()).contains("x1b");
      assertPrintable(dry.err());
      assertPrintable(dry.out());
    }
  }

  /** No control character but the line feed (and tabs a report may align with). */
  private static void assertPrintable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      assertThat(c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || (c >= 0x80 && c <= 0x9f))
          .as("control character U+%04X at %d in %s", (int) c, i, s)
          .isFalse();
    }
  }
}
