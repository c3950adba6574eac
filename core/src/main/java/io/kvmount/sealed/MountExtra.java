package io.kvmount.sealed;

import io.kvmount.plan.PlanException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders fstab entries as {@code systemd.mount-extra=WHAT:WHERE:TYPE:OPTIONS} words for the
 * kernel command line. systemd splits the command line into words at whitespace, keeping
 * backslashes, then splits the value at {@code :} and decodes C escapes in each field; so every
 * byte outside {@code A-Z a-z 0-9 / . , _ = + @ -} is written as {@code \xNN} (UTF-8 bytes of
 * non-ASCII characters one by one): {@code :} as {@code \x3a}, a space as {@code \x20}, a backslash
 * as {@code \x5c}, quotes as {@code \x22}/{@code \x27}. No word holds whitespace or a quote, so
 * the kernel passes it as it is. The same values as {@link Fstab} are refused.
 *
 * <p>The x86 kernel command line holds at most {@link #MAX_CMDLINE_BYTES} bytes; past it the
 * guest hangs with no output, so words that do not fit are refused. Pure; thread-safe.
 */
public final class MountExtra {

  /** Longest x86 kernel command line, in bytes ({@code COMMAND_LINE_SIZE} 2048 less the NUL). */
  public static final int MAX_CMDLINE_BYTES = 2047;

  /** The kernel option's name, with its {@code =}. */
  public static final String OPTION = "systemd.mount-extra=";

  private MountExtra() {}

  /**
   * Renders one word per entry.
   *
   * @param entries the entries, in order
   * @return the words, in order
   * @throws PlanException if a field cannot be written (as {@link Fstab#render}), or the words
   *     joined with spaces are longer than {@link #MAX_CMDLINE_BYTES} (the message gives both sizes)
   */
  public static List<String> words(List<FstabEntry> entries) throws PlanException {
    List<String> words = new ArrayList<>(entries.size());
    for (FstabEntry e : entries) {
      words.add(OPTION + field(e.mount().what(), e, "source") + ":" + field(e.mount().where().toString(), e,
          "mount point") + ":" + field(e.mount().type(), e, "type") + ":"
          + (e.options().isEmpty() ? "defaults" : field(String.join(",", e.options()), e, "options")));
    }
    int size = size(words);
    if (size > MAX_CMDLINE_BYTES) {
      throw new PlanException("the " + words.size() + " systemd.mount-extra= words take " + size + " bytes, but the"
          + " kernel command line holds at most " + MAX_CMDLINE_BYTES + " bytes (x86; past it the guest hangs"
          + " with no output); use --emit credentials");
    }
    return words;
  }

  /**
   * Returns the bytes the words take on the command line, joined with single spaces.
   *
   * @param words the words
   * @return their UTF-8 length plus one space between each two
   */
  public static int size(List<String> words) {
    int n = Math.max(0, words.size() - 1);
    for (String w : words) {
      n += w.getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }

  /**
   * Escapes one field.
   *
   * @param value the field's value
   * @param e the entry, for messages
   * @param name the field's name, for messages
   * @return the escaped field, ASCII only
   * @throws PlanException if the value is empty or holds a control character other than tab
   */
  static String field(String value, FstabEntry e, String name) throws PlanException {
    Fields.check(value, e, name);
    StringBuilder b = new StringBuilder(value.length() + 16);
    for (byte x : value.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "/.,_=+@-".indexOf(c) >= 0) {
        b.append((char) c);
      } else {
        b.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
      }
    }
    return b.toString();
  }
}
