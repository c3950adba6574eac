package io.kvmount.sealed;

import io.kvmount.plan.PlanException;
import io.kvmount.systemd.Quote;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Renders fstab entries as the lines of the {@code fstab.extra} credential, escaped the way
 * glibc's {@code getmntent()} reads them back (systemd-fstab-generator parses the credential with
 * it): fields are separated by a space; inside a field a space is written {@code \040}, a tab
 * {@code \011} and a backslash {@code \134}; everything else, non-ASCII UTF-8 included, is written
 * as it is. Each line ends {@code  0 0} (no dump, no fsck) and a newline.
 *
 * <p>What getmntent cannot carry is refused: a newline or another control character (a decoded
 * newline lands raw in the unit's {@code Where=} and breaks it), an empty field, and a first field
 * starting with {@code #} (the line would be a comment). Pure; thread-safe.
 */
public final class Fstab {

  /** The credential's name: systemd-fstab-generator reads it in addition to {@code /etc/fstab}. */
  public static final String CREDENTIAL = "fstab.extra";

  /** systemd's largest credential, in bytes ({@code CREDENTIAL_SIZE_MAX}, 1 MiB). */
  public static final int MAX_CREDENTIAL_BYTES = 1024 * 1024;

  private Fstab() {}

  /**
   * Renders the lines.
   *
   * @param entries the entries, in order
   * @return the credential's text: one line per entry, each ending in a newline
   * @throws PlanException if a field cannot be written (see the class comment; the message names
   *     the unit and the field), or the text is larger than {@link #MAX_CREDENTIAL_BYTES}
   */
  public static String render(List<FstabEntry> entries) throws PlanException {
    StringBuilder b = new StringBuilder(entries.size() * 160);
    for (FstabEntry e : entries) {
      String what = e.mount().what();
      if (what.startsWith("#")) {
        throw new PlanException(e.unit().value() + ": the source " + Quote.of(what) + " starts with #, which makes an fstab"
            + " line a comment; use --emit units");
      }
      b.append(field(what, e, "source")).append(' ')
          .append(field(e.mount().where().toString(), e, "mount point")).append(' ')
          .append(field(e.mount().type(), e, "type")).append(' ')
          .append(e.options().isEmpty() ? "defaults" : field(String.join(",", e.options()), e, "options"))
          .append(" 0 0\n");
    }
    String text = b.toString();
    int size = text.getBytes(StandardCharsets.UTF_8).length;
    if (size > MAX_CREDENTIAL_BYTES) {
      throw new PlanException("the " + CREDENTIAL + " credential would be " + size + " bytes, but systemd takes at"
          + " most " + MAX_CREDENTIAL_BYTES + " bytes per credential; split the pod");
    }
    return text;
  }

  /**
   * Escapes one field for getmntent.
   *
   * @param value the field's value
   * @param e the entry, for messages
   * @param name the field's name, for messages
   * @return the escaped field
   * @throws PlanException if the value is empty or holds a control character other than tab
   */
  static String field(String value, FstabEntry e, String name) throws PlanException {
    Fields.check(value, e, name);
    StringBuilder b = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case ' ' -> b.append("\\040");
        case '\t' -> b.append("\\011");
        case '\\' -> b.append("\\134");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
