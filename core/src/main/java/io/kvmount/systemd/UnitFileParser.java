package io.kvmount.systemd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A port of systemd 252's unit-file reader: {@code read_line()} (src/basic/fileio.c) for line
 * splitting and {@code config_parse()} / {@code parse_line()} (src/shared/conf-parser.c) for
 * comments, continuations, section headers and assignments. Package-private; use {@link
 * UnitFile#parseWithWarnings(String)}.
 */
final class UnitFileParser {
  private static final int EOL_TEN = 1;
  private static final int EOL_THIRTEEN = 2;
  private static final int EOL_ZERO = 4;

  private final String text;
  private int pos;
  private final Map<String, List<UnitFile.Entry>> sections = new LinkedHashMap<>();
  private final List<String> warnings = new ArrayList<>();
  private List<UnitFile.Entry> section;

  UnitFileParser(String text) {
    this.text = text;
  }

  /** Same as systemd {@code read_line_full()}: returns the next line, or null at the end. */
  private String readLine() {
    if (pos >= text.length()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    int previous = 0;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      int eol = c == '\n' ? EOL_TEN : c == '\r' ? EOL_THIRTEEN : c == 0 ? EOL_ZERO : 0;
      if ((previous & EOL_ZERO) != 0
          || (eol == 0 && previous != 0)
          || (eol != 0 && (previous & eol) != 0)) {
        break;
      }
      pos++;
      if (eol != 0) {
        previous |= eol;
        continue;
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /** Same as systemd {@code strstrip()} with {@code WHITESPACE}. */
  private static String strip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isWhitespace(s.charAt(a))) {
      a++;
    }
    while (b > a && isWhitespace(s.charAt(b - 1))) {
      b--;
    }
    return s.substring(a, b);
  }

  private static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  UnitFile.Parsed parse() throws UnitException {
    int line = 0;
    StringBuilder continuation = null;
    boolean bomSeen = false;
    String raw;
    while ((raw = readLine()) != null) {
      if (utf8Length(raw) >= UnitFile.LONG_LINE_MAX) {
        throw new UnitException("line " + (line + 1) + ": line too long (1048576 bytes or more)");
      }
      line++;
      int k = 0;
      while (k < raw.length() && isWhitespace(raw.charAt(k))) {
        k++;
      }
      if (k < raw.length() && (raw.charAt(k) == '#' || raw.charAt(k) == ';')) {
        continue;
      }
      String l = raw;
      if (!bomSeen && l.startsWith("\ufeff")) {
        l = l.substring(1);
        bomSeen = true;
      }
      StringBuilder p;
      if (continuation != null) {
        if (utf8Length(continuation.toString()) + utf8Length(l) > UnitFile.LONG_LINE_MAX) {
          throw new UnitException("line " + line + ": continuation line too long");
        }
        continuation.append(l);
        p = continuation;
      } else {
        p = new StringBuilder(l);
      }
      boolean escaped = false;
      for (int i = 0; i < p.length(); i++) {
        if (escaped) {
          escaped = false;
        } else if (p.charAt(i) == '\\') {
          escaped = true;
        }
      }
      if (escaped) {
        p.setCharAt(p.length() - 1, ' ');
        continuation = p;
        continue;
      }
      parseLine(line, p.toString());
      continuation = null;
    }
    if (continuation != null) {
      parseLine(++line, continuation.toString());
    }
    return new UnitFile.Parsed(UnitFile.fromParser(sections), warnings);
  }

  /** Same as systemd {@code parse_line()}, without knowledge of section or key names. */
  private void parseLine(int line, String text) throws UnitException {
    String l = strip(text);
    if (l.isEmpty()) {
      return;
    }
    if (!Utf8.isWellFormed(l)) {
      throw new UnitException(
          "line " + line + ": String is not UTF-8 clean, ignoring assignment: " + Quote.of(l));
    }
    if (l.charAt(0) == '[') {
      if (l.charAt(l.length() - 1) != ']') {
        throw new UnitException("line " + line + ": Invalid section header '" + l + "'");
      }
      String name = l.length() >= 2 ? l.substring(1, l.length() - 1) : "";
      if (l.length() < 2 || UnitFile.sectionNameProblem(name) != null && !name.isEmpty()) {
        throw new UnitException("line " + line + ": Bad characters in section header '" + l + "'");
      }
      section = sections.computeIfAbsent(name, k -> new ArrayList<>());
      return;
    }
    if (section == null) {
      warnings.add("line " + line + ": Assignment outside of section. Ignoring.");
      return;
    }
    int e = l.indexOf('=');
    if (e < 0) {
      warnings.add("line " + line + ": Missing '=', ignoring line.");
      return;
    }
    if (e == 0) {
      warnings.add("line " + line + ": Missing key name before '=', ignoring line.");
      return;
    }
    section.add(new UnitFile.Entry(strip(l.substring(0, e)), strip(l.substring(e + 1))));
  }
}
