package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8} at the edges of RFC 3629's table of well-formed byte sequences (section 4): the
 * first and last lead byte of each length, the narrowed second-byte ranges after E0, ED, F0 and
 * F4, truncated sequences and bad continuation bytes.
 */
class Utf8Test {

  private static byte[] hex(String h) {
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  /** bytes (hex) -> length of the sequence at 0, 0 if ill-formed. */
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource({
    "00, 1", "41, 1", "7f, 1",
    // lone continuation bytes and the lead bytes of overlong 2-byte forms
    "80, 0", "bf, 0", "c080, 0", "c1bf, 0",
    // 2 bytes: C2..DF 80..BF
    "c280, 2", "c2bf, 2", "dfbf, 2", "df80, 2", "c27f, 0", "c2c0, 0", "c2, 0",
    // 3 bytes: E0 A0..BF, E1..EC 80..BF, ED 80..9F, EE..EF 80..BF
    "e0a080, 3", "e09fbf, 0", "e08080, 0", "e1 8080, 3", "ec bfbf, 3", "ed9fbf, 3", "eda080, 0",
    "edbfbf, 0", "ee8080, 3", "efbfbf, 3", "efbf, 0", "ef, 0", "e0a07f, 0", "e0a0c0, 0",
    "e17f80, 0",
    // 4 bytes: F0 90..BF, F1..F3 80..BF, F4 80..8F
    "f0908080, 4", "f08fbfbf, 0", "f0808080, 0", "f1808080, 4", "f3bfbfbf, 4", "f48fbfbf, 4",
    "f4908080, 0", "f4bfbfbf, 0", "f0908080ff, 4", "f09080, 0", "f09080c0, 0", "f0907f80, 0",
    // F5..FF never start a sequence
    "f5808080, 0", "f7bfbfbf, 0", "f8888080, 0", "fe, 0", "ff, 0",
  })
  void sequenceLengthAtTheEdgesOfRfc3629(String bytes, int expected) {
    byte[] b = hex(bytes.replace(" ", ""));
    assertThat(Utf8.validSequenceLength(b, 0)).isEqualTo(expected);
    assertThat(Utf8.isValid(b)).isEqualTo(expected == b.length);
    assertThat(Utf8.isValid(b)).isEqualTo(javaDecodes(b));
    // the same sequence later in an array, and cut short by the end of the array
    byte[] shifted = new byte[b.length + 1];
    shifted[0] = 'a';
    System.arraycopy(b, 0, shifted, 1, b.length);
    assertThat(Utf8.validSequenceLength(shifted, 1)).isEqualTo(expected);
  }

  /** Every sequence the decoder accepts, cut by one byte, is refused: the end counts. */
  @ParameterizedTest
  @ValueSource(strings = {"c280", "e0a080", "ed9fbf", "f0908080", "f48fbfbf"})
  void truncatedAtTheEndOfTheArray(String bytes) {
    byte[] b = hex(bytes);
    byte[] cut = java.util.Arrays.copyOf(b, b.length - 1);
    assertThat(Utf8.validSequenceLength(b, 0)).isEqualTo(b.length);
    assertThat(Utf8.validSequenceLength(cut, 0)).isZero();
    assertThat(Utf8.isValid(cut)).isFalse();
    byte[] twice = new byte[2 * b.length];
    System.arraycopy(b, 0, twice, 0, b.length);
    System.arraycopy(b, 0, twice, b.length, b.length);
    assertThat(Utf8.validSequenceLength(twice, b.length)).isEqualTo(b.length);
  }

  /**
   * Java's own strict decoder is an independent oracle: every lead byte followed by continuation
   * candidates at the edges of their ranges.
   */
  @Test
  void agreesWithTheStrictJavaDecoder() {
    int[] tails = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    for (int b0 = 0; b0 < 256; b0++) {
      for (int b1 : tails) {
        for (int b2 : tails) {
          for (int b3 : tails) {
            byte[] b = {(byte) b0, (byte) b1, (byte) b2, (byte) b3};
            int len = Utf8.validSequenceLength(b, 0);
            boolean decoded = len > 0 && javaDecodes(java.util.Arrays.copyOf(b, len));
            assertThat(decoded).as("%02x %02x %02x %02x -> %d", b0, b1, b2, b3, len).isEqualTo(len > 0);
            // no longer (or shorter) prefix decodes as one character
            for (int n = 1; n <= 4; n++) {
              if (n != len) {
                byte[] prefix = java.util.Arrays.copyOf(b, n);
                assertThat(javaDecodesOneChar(prefix))
                    .as("%02x %02x %02x %02x prefix %d, ours %d", b0, b1, b2, b3, n, len)
                    .isFalse();
              }
            }
          }
        }
      }
    }
  }

  @Test
  void isValidWalksTheWholeArray() {
    assertThat(Utf8.isValid(new byte[0])).isTrue();
    assertThat(Utf8.isValid(hex("61c3a9e697a5f09f9880"))).isTrue(); // a é 日 😀
    assertThat(Utf8.isValid(hex("61c3a9e697a5f09f98"))).isFalse();
    assertThat(Utf8.isValid(hex("61c3a9ff61"))).isFalse();
    assertThat(Utf8.isValid(hex("ff61"))).isFalse();
    assertThat(Utf8.isValid(hex("61ff"))).isFalse();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({
    "'', true",
    "a, true",
    "\ud83d\ude00, true",
    "a\ud83d\ude00b, true",
    "\ud800, false",
    "\udc00, false",
    "a\ud800, false",
    "\ud800a, false",
    "\ude00\ud83d, false",
    "\ud83d\ude00\ude00, false",
    "\ud83d\ud83d\ude00, false",
    "\udbff\udfff, true",
  })
  void wellFormedMeansNoLoneSurrogate(String s, boolean expected) {
    assertThat(Utf8.isWellFormed(s)).isEqualTo(expected);
  }

  private static boolean javaDecodes(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean javaDecodesOneChar(byte[] b) {
    if (!javaDecodes(b)) {
      return false;
    }
    String s = new String(b, StandardCharsets.UTF_8);
    return s.codePointCount(0, s.length()) == 1;
  }
}
