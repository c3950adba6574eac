package io.kvmount.systemd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the copied vector files (see src/test/resources/vectors/README.md). */
final class Vectors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Vectors() {}

  /** Reads a TSV vector file: rows of cells, each cell still in its JSON-literal form. */
  static List<String[]> tsv(String name) {
    String text = resource(name);
    List<String[]> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      rows.add(line.split("\t", -1));
    }
    if (rows.isEmpty()) {
      throw new IllegalStateException("no rows in " + name);
    }
    return rows;
  }

  static JsonNode json(String name) {
    try {
      return JSON.readTree(resource(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String resource(String name) {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource vectors/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes a JSON string literal cell to a Java string (lone surrogates kept). */
  static String string(String cell) {
    try {
      JsonNode n = JSON.readTree(cell);
      if (!n.isTextual()) {
        throw new IllegalArgumentException("not a JSON string: " + cell);
      }
      return n.textValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes a cell to bytes: UTF-8, except lone U+DC80..U+DCFF = raw byte 0x80..0xFF. */
  static byte[] bytes(String cell) {
    return bytesOf(string(cell));
  }

  /** Converts a decoded string to bytes (surrogateescape). */
  static byte[] bytesOf(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
        i++;
      } else if (c >= 0xdc80 && c <= 0xdcff) {
        out.write(c - 0xdc00);
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("unexpected lone surrogate in vector");
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }

  static String show(byte[] b) {
    return Quote.of(b);
  }
}
