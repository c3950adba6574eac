package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Output#shellQuote}: a word made only of {@code A-Za-z0-9_./=:,@%+-} is printed as it
 * is, any other word single-quoted. Checked against the rule written as a regular expression on
 * seeded random words over characters inside and just outside the safe set.
 */
class ShellQuoteTest {

  private static final String ALPHABET = "Aaz Z09_./=:,@%+-'\"$`\\!*?[]{}()<>|&;#~\t\né\u0000^";

  @Test
  void plainWordsUnquoted_othersQuoted() {
    Random r = new Random(522L);
    int plain = 0;
    for (int i = 0; i < 20000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(6);
      boolean safeOnly = r.nextBoolean();
      for (int k = 0; k < n; k++) {
        char c = ALPHABET.charAt(r.nextInt(safeOnly ? 17 : ALPHABET.length()));
        sb.append(c == ' ' && safeOnly ? 'x' : c);
      }
      String w = sb.toString();
      boolean safe = !w.isEmpty() && w.matches("[A-Za-z0-9_./=:,@%+-]+");
      String expected = safe ? w : "'" + w.replace("'", "'\\''") + "'";
      assertThat(Output.shellQuote(w)).as("%s", w).isEqualTo(expected);
      plain += safe ? 1 : 0;
    }
    assertThat(plain).as("words printed as they are").isGreaterThan(5000);
  }
}
