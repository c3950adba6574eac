package io.kvmount.systemd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A systemd unit file (or drop-in): optional header comment lines, then named sections in order,
 * each with its entries in order (a key may repeat).
 *
 * <p>Built with {@link #builder()}, which checks and escapes every value on the way in, or read
 * with {@link #parse(String)}, which follows systemd 252's {@code config_parse()}. {@link
 * #serialize()} writes the layout of go-systemd's current {@code unit.Serialize}: sections in
 * order, one blank line between sections, LF line ends, one final newline. For every unit the
 * builder accepts, {@code parse(f.serialize()).sections().equals(f.sections())}.
 *
 * <p>Immutable and thread-safe.
 */
public final class UnitFile {
  /** systemd's {@code LONG_LINE_MAX}: a line (or joined continuation) of this many bytes fails. */
  static final int LONG_LINE_MAX = 1024 * 1024;

  private final List<String> comments;
  private final List<Section> sections;

  private UnitFile(List<String> comments, List<Section> sections) {
    this.comments = List.copyOf(comments);
    this.sections = List.copyOf(sections);
  }

  /**
   * One section: {@code [name]} and its entries in file order.
   *
   * @param name the section name as between the brackets ({@code Unit}, {@code Mount})
   * @param entries the assignments in order; keys may repeat
   */
  public record Section(String name, List<Entry> entries) {
    /**
     * Copies the entries.
     *
     * @param name the section name as between the brackets ({@code Unit}, {@code Mount})
     * @param entries the assignments in order; keys may repeat
     */
    public Section {
      Objects.requireNonNull(name, "name");
      entries = List.copyOf(entries);
    }

    /**
     * Returns the values of every entry with this key, in order.
     *
     * @param key the key, case-sensitive
     * @return the raw values (as they stand in the file, escapes included)
     */
    public List<String> values(String key) {
      List<String> out = new ArrayList<>();
      for (Entry e : entries) {
        if (e.key().equals(key)) {
          out.add(e.value());
        }
      }
      return out;
    }
  }

  /**
   * One assignment {@code key=value}.
   *
   * @param key the key ({@code What}, {@code ExecStart})
   * @param value the raw value text as it stands in the file, already escaped ({@code %%} for a
   *     literal {@code %}, quoting in {@code Exec*=}); surrounding whitespace stripped
   */
  public record Entry(String key, String value) {
    /**
     * Checks for nulls.
     *
     * @param key the key ({@code What}, {@code ExecStart})
     * @param value the raw value text as it stands in the file, already escaped ({@code %%} for a literal {@code %}, quoting in {@code Exec*=}); surrounding whitespace stripped
     */
    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * The result of {@link #parseWithWarnings(String)}.
   *
   * @param unit the parsed unit file
   * @param warnings what systemd would warn about and ignore, one line each, in systemd's words
   *     prefixed with the line number ({@code "line 6: Missing '=', ignoring line."})
   */
  public record Parsed(UnitFile unit, List<String> warnings) {
    /**
     * Copies the warnings.
     *
     * @param unit the parsed unit file
     * @param warnings what systemd would warn about and ignore, one line each, in systemd's words prefixed with the line number ({@code "line 6: Missing '=', ignoring line."})
     */
    public Parsed {
      Objects.requireNonNull(unit, "unit");
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Starts a new unit file.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the sections in order.
   *
   * @return an unmodifiable list
   */
  public List<Section> sections() {
    return sections;
  }

  /**
   * Returns the header comment lines (without {@code "# "}); parsing does not keep comments.
   *
   * @return an unmodifiable list
   */
  public List<String> comments() {
    return comments;
  }

  /**
   * Returns the section with this name.
   *
   * @param name the section name, case-sensitive
   * @return the section, if present
   */
  public Optional<Section> section(String name) {
    return sections.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * Writes the unit file text: {@code "# "} comment lines and a blank line, then for each section
   * {@code [name]} and one {@code key=value} line per entry, with one blank line between
   * sections. LF line ends; non-empty output ends with exactly one {@code "\n"}; no sections and
   * no comments give {@code ""}. Deterministic.
   *
   * @return the text (write it as UTF-8)
   */
  public String serialize() {
    int size = 1;
    for (String c : comments) {
      size += c.length() + 3;
    }
    for (Section sec : sections) {
      size += sec.name().length() + 4;
      for (Entry e : sec.entries()) {
        size += e.key().length() + e.value().length() + 2;
      }
    }
    StringBuilder sb = new StringBuilder(size);
    for (String c : comments) {
      sb.append(c.isEmpty() ? "#" : "# " + c).append('\n');
    }
    if (!comments.isEmpty() && !sections.isEmpty()) {
      sb.append('\n');
    }
    for (int i = 0; i < sections.size(); i++) {
      Section s = sections.get(i);
      if (i > 0) {
        sb.append('\n');
      }
      sb.append('[').append(s.name()).append("]\n");
      for (Entry e : s.entries()) {
        sb.append(e.key()).append('=').append(e.value()).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * Reads unit-file text the way systemd 252 does ({@code config_parse()} in {@code
   * src/shared/conf-parser.c}); see {@link #parseWithWarnings(String)} for the rules.
   *
   * @param text the file content
   * @return the sections and entries (comments are not kept)
   * @throws UnitException where systemd would refuse to load the unit
   */
  public static UnitFile parse(String text) throws UnitException {
    return parseWithWarnings(text).unit();
  }

  /**
   * Reads unit-file text the way systemd 252 does and reports what systemd would warn about.
   *
   * <ul>
   *   <li>{@code \n}, {@code \r\n}, {@code \n\r}, a lone {@code \r} and NUL all end a line;
   *   <li>a line whose first non-blank character is {@code #} or {@code ;} is a comment, also in
   *       the middle of a continuation; comments never continue;
   *   <li>a line ending in an odd number of backslashes continues: the last backslash becomes a
   *       space and the next line is appended as is; a blank line or the end ends it;
   *   <li>a UTF-8 byte order mark is skipped at the start of the first line that has one;
   *   <li>{@code [name]}: the name is everything between the first {@code [} and the last
   *       {@code ]}; a header not ending in {@code ]} or with control characters, quotes or
   *       backslashes is an error; a repeated section continues the earlier one;
   *   <li>{@code key=value}: split at the first {@code =}, both sides stripped of spaces, tabs,
   *       CR and LF; a line without {@code =}, with an empty key, or before the first section is
   *       ignored with a warning;
   *   <li>a line of 1048576 bytes or more (or a continuation growing beyond that) is an error;
   *       text that is not valid Unicode (a lone surrogate) is an error.
   * </ul>
   *
   * <p>Unlike systemd, this parser knows no unit types: every section and key is kept, and
   * unknown ones are not reported.
   *
   * @param text the file content
   * @return the unit file and the warnings
   * @throws UnitException where systemd would refuse to load the unit; the message names the line
   */
  public static Parsed parseWithWarnings(String text) throws UnitException {
    return new UnitFileParser(text).parse();
  }

  /** Assembles a parsed file; sections with one name are merged in first-seen order. */
  static UnitFile fromParser(Map<String, List<Entry>> sections) {
    List<Section> out = new ArrayList<>();
    sections.forEach((k, v) -> out.add(new Section(k, v)));
    return new UnitFile(List.of(), out);
  }

  /** Two unit files are equal when their comments and sections are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof UnitFile
        && ((UnitFile) o).comments.equals(comments)
        && ((UnitFile) o).sections.equals(sections);
  }

  @Override
  public int hashCode() {
    return Objects.hash(comments, sections);
  }

  /** Returns the serialized text. */
  @Override
  public String toString() {
    return serialize();
  }

  /**
   * Accumulates sections and entries, checking and escaping values on the way in.
   *
   * <p>Every value adder refuses (with a one-line {@link UnitException} naming the key and quoting
   * the value) what systemd would read back differently: line breaks ({@code \n}, {@code \r}),
   * NUL, any other control character including TAB (TAB is whitespace to systemd's parser and
   * its word splitter) and DEL, leading or trailing spaces (systemd strips them), a value ending
   * in an odd number of backslashes (systemd would continue the line), text that is not valid
   * Unicode, and a line of 1 MiB or more. Keys and section names are chosen by code, not users:
   * a bad one is an {@link IllegalArgumentException}.
   *
   * <p>Calling {@link #section(String)} with a name already used continues that section (as
   * systemd merges repeated sections), so the built model always round-trips through {@link
   * UnitFile#parse(String)}.
   */
  public static final class Builder {
    private final List<String> comments = new ArrayList<>();
    private final Map<String, List<Entry>> sections = new LinkedHashMap<>();
    private List<Entry> current;
    /** The units {@link #units} joined last (the objects, in order), and the joined value. */
    private UnitName[] lastUnits;
    private String lastUnitsValue;

    private Builder() {}

    /**
     * Adds a header comment line, written as {@code "# " + line} before the first section
     * (followed by one blank line). Control characters are written as {@code \xNN} so the
     * comment always stays one line.
     *
     * @param line the comment text
     * @return this builder
     */
    public Builder comment(String line) {
      boolean plain = true;
      for (int i = 0; i < line.length() && plain; i++) {
        char c = line.charAt(i);
        plain = c >= 0x20 && c < 0x7f;
      }
      if (plain) { // printable ASCII: nothing to escape
        comments.add(line.strip());
        return this;
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !pairAt(line, i)) {
          sb.append(String.format("\\x%02x", (int) c & 0xff));
        } else {
          sb.append(c);
          if (Character.isHighSurrogate(c)) {
            sb.append(line.charAt(++i));
          }
        }
      }
      comments.add(sb.toString().strip());
      return this;
    }

    private static boolean pairAt(String s, int i) {
      return Character.isHighSurrogate(s.charAt(i))
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /**
     * Starts (or continues) a section; later entries go into it.
     *
     * @param name the section name, e.g. {@code "Unit"}
     * @return this builder
     * @throws IllegalArgumentException if systemd would not read the name back: empty, leading or
     *     trailing whitespace, control characters, quotes or backslashes
     */
    public Builder section(String name) {
      String problem = sectionNameProblem(name);
      if (problem != null) {
        throw new IllegalArgumentException("invalid section name " + Quote.of(name) + ": " + problem);
      }
      current = sections.computeIfAbsent(name, k -> new ArrayList<>());
      return this;
    }

    /**
     * Adds text in a setting where systemd expands specifiers ({@code Description=}, {@code
     * What=}, {@code Where=}, {@code Options=}): every {@code %} is written as {@code %%}.
     *
     * @param key the key
     * @param value the text as systemd should see it after specifier expansion
     * @return this builder
     * @throws UnitException if the value cannot be written safely (see the class comment)
     * @throws IllegalArgumentException if systemd would not read the key back: empty, with {@code
     *     =} or control characters, starting with {@code # ; [} or a byte order mark, leading or
     *     trailing space (keys are the caller's constants)
     */
    public Builder text(String key, String value) throws UnitException {
      check(key, value);
      return add(key, value.replace("%", "%%"));
    }

    /**
     * Adds a value written exactly as given ({@code Type=9p}, {@code DefaultDependencies=no}).
     * The caller is responsible for specifier escaping.
     *
     * @param key the key
     * @param value the raw value
     * @return this builder
     * @throws UnitException if the value cannot be written safely (see the class comment)
     * @throws IllegalArgumentException if systemd would not read the key back: empty, with {@code
     *     =} or control characters, starting with {@code # ; [} or a byte order mark, leading or
     *     trailing space (keys are the caller's constants)
     */
    public Builder plain(String key, String value) throws UnitException {
      check(key, value);
      return add(key, value);
    }

    /**
     * Adds a space-separated list of unit names ({@code Requires=}, {@code After=}); an empty list
     * writes {@code key=} (an empty assignment resets the list in systemd).
     *
     * @param key the key
     * @param units the unit names, written verbatim (their backslashes are kept by systemd)
     * @return this builder
     * @throws UnitException if the line would be too long
     * @throws IllegalArgumentException if systemd would not read the key back: empty, with {@code
     *     =} or control characters, starting with {@code # ; [} or a byte order mark, leading or
     *     trailing space (keys are the caller's constants)
     */
    public Builder units(String key, List<UnitName> units) throws UnitException {
      if (sameUnits(units)) {
        // Requires= and After= of the same units: joined and its characters checked once.
        checkKey(key);
        checkLength(key, lastUnitsValue);
        return add(key, lastUnitsValue);
      }
      int size = units.size();
      for (UnitName u : units) {
        size += u.value().length();
      }
      StringBuilder sb = new StringBuilder(size);
      for (UnitName u : units) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(u.value());
      }
      String value = sb.toString();
      check(key, value);
      lastUnits = units.toArray(new UnitName[0]); // remembered only once checked
      lastUnitsValue = value;
      return add(key, value);
    }

    /** Whether {@code units} holds the very objects {@link #units} joined last, in order. */
    private boolean sameUnits(List<UnitName> units) {
      UnitName[] last = lastUnits;
      if (last == null || last.length != units.size()) {
        return false;
      }
      for (int i = 0; i < last.length; i++) {
        if (units.get(i) != last[i]) {
          return false;
        }
      }
      return true;
    }

    /**
     * Adds a command line ({@code ExecStart=}): each argument is written so that systemd's {@code
     * Exec*=} parser gives back exactly that argument. {@code %} becomes {@code %%}, {@code $}
     * becomes {@code $$} (no environment variable expansion), and an argument that is empty or
     * contains whitespace, quotes, backslashes, or is {@code ;} is put in double quotes with
     * {@code \} and {@code "} backslash-escaped.
     *
     * @param key the key, e.g. {@code "ExecStart"}
     * @param argv the program (an absolute path, without systemd's {@code -@:+!} prefixes and
     *     without {@code $}) and its arguments
     * @return this builder
     * @throws UnitException if the list is empty, the program is not an absolute path, starts
     *     with a prefix character or contains {@code $}, or an argument has a character that
     *     cannot be written (see the class comment; spaces are fine here)
     * @throws IllegalArgumentException if systemd would not read the key back: empty, with {@code
     *     =} or control characters, starting with {@code # ; [} or a byte order mark, leading or
     *     trailing space (keys are the caller's constants)
     */
    public Builder exec(String key, List<String> argv) throws UnitException {
      checkKey(key);
      if (argv.isEmpty()) {
        throw new UnitException("invalid value for " + key + "=: the command line is empty");
      }
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < argv.size(); i++) {
        String arg = argv.get(i);
        String bad = charProblem(arg);
        if (bad != null) {
          throw new UnitException(
              "invalid value for " + key + "=: argument " + i + " " + Quote.of(arg) + " " + bad);
        }
        if (i == 0) {
          if (!arg.startsWith("/")) {
            throw new UnitException(
                "invalid value for " + key + "=: program " + Quote.of(arg)
                    + " is not an absolute path");
          }
          if (arg.indexOf('$') >= 0) {
            throw new UnitException(
                "invalid value for " + key + "=: program " + Quote.of(arg)
                    + " contains \"$\", which systemd cannot pass literally in the program path");
          }
        } else {
          line.append(' ');
        }
        String s = arg.replace("%", "%%");
        if (i > 0) {
          s = s.replace("$", "$$");
        }
        line.append(needsQuotes(s) ? quoted(s) : s);
      }
      String value = line.toString();
      checkLength(key, value);
      return add(key, value);
    }

    /**
     * Finishes the unit file.
     *
     * @return the immutable unit file
     */
    public UnitFile build() {
      List<Section> out = new ArrayList<>();
      sections.forEach((k, v) -> out.add(new Section(k, v)));
      return new UnitFile(comments, out);
    }

    private Builder add(String key, String value) {
      if (current == null) {
        throw new IllegalStateException("add a section before " + key + "=");
      }
      current.add(new Entry(key, value));
      return this;
    }

    private static boolean needsQuotes(String s) {
      if (s.isEmpty() || s.equals(";")) {
        return true;
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == ' ' || c == '"' || c == '\'' || c == '\\') {
          return true;
        }
      }
      return false;
    }

    private static String quoted(String s) {
      return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void check(String key, String value) throws UnitException {
      checkKey(key);
      String bad = charProblem(value);
      if (bad == null && !value.isEmpty()) {
        if (value.charAt(0) == ' ') {
          bad = "starts with a space (systemd strips it)";
        } else if (value.charAt(value.length() - 1) == ' ') {
          bad = "ends with a space (systemd strips it)";
        } else {
          int n = 0;
          for (int i = value.length() - 1; i >= 0 && value.charAt(i) == '\\'; i--) {
            n++;
          }
          if (n % 2 == 1) {
            bad = "ends with a backslash (systemd would continue the line)";
          }
        }
      }
      if (bad != null) {
        throw new UnitException("invalid value for " + key + "=: " + Quote.of(value) + " " + bad);
      }
      checkLength(key, value);
    }

    private static void checkLength(String key, String value) throws UnitException {
      if (3L * (key.length() + value.length()) + 1 < LONG_LINE_MAX) {
        return; // a UTF-16 unit is at most 3 UTF-8 bytes: short lines need no counting
      }
      long bytes =
          (long) key.getBytes(StandardCharsets.UTF_8).length
              + 1
              + value.getBytes(StandardCharsets.UTF_8).length;
      if (bytes >= LONG_LINE_MAX) {
        throw new UnitException(
            "invalid value for " + key + "=: the line would be " + bytes
                + " bytes, systemd reads at most " + (LONG_LINE_MAX - 1));
      }
    }

    /** Returns why a character in the text cannot be written, or null. */
    private static String charProblem(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\n' || c == '\r') {
          return "contains a line break";
        }
        if (c == 0) {
          return "contains a NUL character";
        }
        if (c < 0x20 || c == 0x7f) {
          return "contains the control character " + String.format("\\x%02x", (int) c);
        }
        if (Character.isSurrogate(c)) {
          if (!pairAt(s, i)) {
            return "is not valid Unicode (lone surrogate)";
          }
          i++;
        }
      }
      return null;
    }

    /**
     * Keys already found valid (kvmount's units use about twenty; a plan of 10,000 units checks
     * each of them thousands of times). Bounded: past {@link #KNOWN_KEYS_MAX}, keys are checked
     * every time.
     */
    private static final Set<String> KNOWN_KEYS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final int KNOWN_KEYS_MAX = 256;

    private static void checkKey(String key) {
      if (KNOWN_KEYS.contains(key)) {
        return;
      }
      String problem = keyProblem(key);
      if (problem == null && KNOWN_KEYS.size() < KNOWN_KEYS_MAX) {
        KNOWN_KEYS.add(key);
      }
      if (problem != null) {
        throw new IllegalArgumentException("invalid key " + Quote.of(key) + ": " + problem);
      }
    }
  }

  /** Why systemd would not read this key back, or null. */
  static String keyProblem(String key) {
    if (key.isEmpty()) {
      return "empty";
    }
    if (key.indexOf('=') >= 0) {
      return "contains \"=\"";
    }
    char first = key.charAt(0);
    if (first == '#' || first == ';' || first == '[') {
      return "starts with \"" + first + "\"";
    }
    if (first == ' ' || key.charAt(key.length() - 1) == ' ') {
      return "leading or trailing space";
    }
    if (first == '\ufeff') {
      return "starts with a byte order mark";
    }
    return controlProblem(key);
  }

  /** Why systemd would not read this section name back, or null. */
  static String sectionNameProblem(String name) {
    if (name.isEmpty()) {
      return "empty";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"' || c == '\'' || c == '\\') {
        return "contains " + Quote.of(String.valueOf(c));
      }
    }
    return controlProblem(name);
  }

  private static String controlProblem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "contains a control character";
      }
    }
    return Utf8.isWellFormed(s) ? null : "not valid Unicode";
  }
}
