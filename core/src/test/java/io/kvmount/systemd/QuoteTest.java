package io.kvmount.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link Quote}: one line, control characters and broken text as escapes, the rest kept. */
class QuoteTest {

  @Test
  void quotesStrings() {
    assertThat(Quote.of("")).isEqualTo("\"\"");
    assertThat(Quote.of("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(Quote.of("\n\r\t")).isEqualTo("\"\\n\\r\\t\"");
    // the edges of the escaped ranges: C0, DEL, C1
    assertThat(Quote.of("\u0000\u001f\u0020\u007e\u007f\u0080\u009f\u00a0"))
        .isEqualTo("\"\\x00\\x1f ~\\x7f\\x80\\x9f\u00a0\"");
    assertThat(Quote.of("é日本\ud83d\ude00")).isEqualTo("\"é日本\ud83d\ude00\"");
    // lone surrogates, at either end and reversed
    assertThat(Quote.of("\ud800")).isEqualTo("\"\\ud800\"");
    assertThat(Quote.of("a\ud83d")).isEqualTo("\"a\\ud83d\"");
    assertThat(Quote.of("\ude00\ud83d")).isEqualTo("\"\\ude00\\ud83d\"");
    assertThat(Quote.of("\ud83d\ud83d\ude00")).isEqualTo("\"\\ud83d\ud83d\ude00\"");
    assertThat(Quote.of("\udc00x")).isEqualTo("\"\\udc00x\"");
  }

  @Test
  void quotesBytes() {
    assertThat(Quote.of(new byte[0])).isEqualTo("\"\"");
    assertThat(Quote.of(new byte[] {'a', '"', '\\', '\n', 1, 0x7f}))
        .isEqualTo("\"a\\\"\\\\\\n\\x01\\x7f\"");
    assertThat(Quote.of(new byte[] {(byte) 0xc3, (byte) 0xa9, (byte) 0xf0, (byte) 0x9f, (byte) 0x98,
        (byte) 0x80})).isEqualTo("\"é\ud83d\ude00\"");
    // invalid UTF-8: each bad byte on its own, the rest decoded
    assertThat(Quote.of(new byte[] {(byte) 0xff, 'a', (byte) 0xc3, (byte) 0xe2, (byte) 0x82, 'b'}))
        .isEqualTo("\"\\xffa\\xc3\\xe2\\x82b\"");
    assertThat(Quote.of(new byte[] {(byte) 0x80})).isEqualTo("\"\\x80\"");
    // C1 controls are escaped whether they come as valid UTF-8 (U+0085 NEL) or as a lone byte
    assertThat(Quote.of(new byte[] {(byte) 0xc2, (byte) 0x85, (byte) 0x85}))
        .isEqualTo("\"\\x85\\x85\"");
    assertThat(Quote.of(new byte[] {(byte) 0xc2, (byte) 0xa0, (byte) 0xdf, (byte) 0xbf}))
        .isEqualTo("\"\u00a0\u07ff\"");
  }
}
