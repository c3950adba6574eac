package io.kvmount.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.MountSpec;
import io.kvmount.plan.PlanException;
import io.kvmount.sealed.Fstab;
import io.kvmount.sealed.FstabEntry;
import io.kvmount.sealed.MountExtra;
import io.kvmount.systemd.UnitException;
import io.kvmount.systemd.UnitName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the sealed routes' renderings: {@link Fstab#render} and {@link MountExtra#words} over
 * entries with fuzzed what, where, type and options. Each output is decoded by systemd's rules
 * (e2e/FSTAB-FACTS.md): for {@code fstab.extra} glibc {@code getmntent} (fields split at spaces
 * and tabs, only {@code \040 \011 \012 \134} and {@code \\} decoded); for {@code
 * systemd.mount-extra=} the word split at {@code :} with {@code \xNN} and {@code \\} decoded. Both
 * must give back the same what, where, type and options, or the renderer refuses with a {@link
 * PlanException}.
 */
class SealedRenderFuzzTest {

  @FuzzTest(maxDuration = "25s")
  void render(FuzzedDataProvider data) {
    List<FstabEntry> entries = new ArrayList<>();
    int n = data.consumeInt(1, 3);
    for (int i = 0; i < n; i++) {
      String where = "/" + data.consumeString(40);
      if (GuestPath.problem(where) != null) {
        continue;
      }
      GuestPath w = GuestPath.parse(where);
      UnitName unit;
      try {
        unit = UnitName.mount(w);
      } catch (UnitException e) {
        continue;
      }
      List<String> options = new ArrayList<>();
      int k = data.consumeInt(0, 3);
      for (int j = 0; j < k; j++) {
        options.add(data.consumeString(20));
      }
      entries.add(new FstabEntry(unit, new MountSpec(data.consumeString(30), w, data.consumeString(10), List.of()),
          options));
    }
    checkFstab(entries);
    checkMountExtra(entries);
  }

  private static void checkFstab(List<FstabEntry> entries) {
    String text;
    try {
      text = Fstab.render(entries);
    } catch (PlanException e) {
      Contract.oneLineMessage(e);
      return;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<List<String>> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        List<String> fields = getmntent(bytes, start, i);
        if (fields != null) {
          lines.add(fields);
        }
        start = i + 1;
      }
    }
    assertThat(start).as("text ends with a newline: %s", text).isEqualTo(bytes.length);
    assertThat(lines).as("lines of %s", text).hasSameSizeAs(entries);
    for (int i = 0; i < entries.size(); i++) {
      assertThat(lines.get(i)).as("fstab line %d of %s", i, text).isEqualTo(expected(entries.get(i), "0", "0"));
    }
  }

  private static void checkMountExtra(List<FstabEntry> entries) {
    List<String> words;
    try {
      words = MountExtra.words(entries);
    } catch (PlanException e) {
      Contract.oneLineMessage(e);
      return;
    }
    assertThat(words).hasSameSizeAs(entries);
    for (int i = 0; i < entries.size(); i++) {
      String word = words.get(i);
      assertThat(word).startsWith(MountExtra.OPTION);
      for (char c : word.toCharArray()) {
        assertThat(c > 0x20 && c < 0x7f && c != '"' && c != '\'').as("word %s: char %s", word, (int) c).isTrue();
      }
      List<String> fields = mountExtraFields(word.substring(MountExtra.OPTION.length()));
      assertThat(fields).as("fields of %s", word).isEqualTo(expected(entries.get(i)));
    }
  }

  /** What systemd must read: what, where, type, options ({@code defaults} for none), and extra fields. */
  private static List<String> expected(FstabEntry e, String... extra) {
    List<String> out = new ArrayList<>(List.of(e.mount().what(), e.mount().where().toString(), e.mount().type(),
        e.options().isEmpty() ? "defaults" : String.join(",", e.options())));
    out.addAll(List.of(extra));
    return out;
  }

  /**
   * Splits one line as glibc's getmntent does: leading blanks skipped, an empty line or one
   * starting with {@code #} is no entry (null), fields separated by runs of spaces and tabs, then
   * {@code \040 \011 \012 \134} and {@code \\} decoded, every other backslash kept.
   */
  private static List<String> getmntent(byte[] b, int from, int to) {
    int i = from;
    while (i < to && (b[i] == ' ' || b[i] == '\t')) {
      i++;
    }
    if (i == to || b[i] == '#') {
      return null;
    }
    List<String> fields = new ArrayList<>();
    while (i < to) {
      ByteArrayOutputStream f = new ByteArrayOutputStream();
      while (i < to && b[i] != ' ' && b[i] != '\t') {
        if (b[i] == '\\' && i + 3 < to && octal(b, i + 1) >= 0) {
          f.write(octal(b, i + 1));
          i += 4;
        } else if (b[i] == '\\' && i + 1 < to && b[i + 1] == '\\') {
          f.write('\\');
          i += 2;
        } else {
          f.write(b[i]);
          i++;
        }
      }
      fields.add(f.toString(StandardCharsets.UTF_8));
      while (i < to && (b[i] == ' ' || b[i] == '\t')) {
        i++;
      }
    }
    return fields;
  }

  /** The byte of one of getmntent's four octal escapes at {@code at}, or -1. */
  private static int octal(byte[] b, int at) {
    if (at + 3 > b.length) {
      return -1;
    }
    String s = new String(b, at, 3, StandardCharsets.ISO_8859_1);
    return switch (s) {
      case "040" -> ' ';
      case "011" -> '\t';
      case "012" -> '\n';
      case "134" -> '\\';
      default -> -1;
    };
  }

  /** Splits a mount-extra value at {@code :} and decodes {@code \xNN} and {@code \\}; other escapes fail. */
  private static List<String> mountExtraFields(String value) {
    List<String> fields = new ArrayList<>();
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ':') {
        fields.add(f.toString(StandardCharsets.UTF_8));
        f.reset();
      } else if (c == '\\' && i + 1 < value.length() && value.charAt(i + 1) == '\\') {
        f.write('\\');
        i++;
      } else if (c == '\\') {
        assertThat(i + 3 < value.length() && value.charAt(i + 1) == 'x').as("escape at %d in %s", i, value)
            .isTrue();
        f.write(Integer.parseInt(value.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        f.write(c);
      }
    }
    fields.add(f.toString(StandardCharsets.UTF_8));
    return fields;
  }
}
