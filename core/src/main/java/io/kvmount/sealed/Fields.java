package io.kvmount.sealed;

import io.kvmount.plan.PlanException;

/** The checks both renderings share: what neither fstab's nor the kernel command line's parser can carry. */
final class Fields {

  private Fields() {}

  /**
   * Refuses an empty value, and control characters other than tab (a newline would be written raw
   * into the generated unit's {@code Where=} and break it).
   */
  static void check(String value, FstabEntry e, String name) throws PlanException {
    if (value.isEmpty()) {
      throw new PlanException(e.unit().value() + ": the " + name + " is empty, which an fstab line cannot carry");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new PlanException(e.unit().value() + ": the " + name + " \"" + value.replaceAll("\\p{Cntrl}", "?")
            + "\" holds the control character U+" + String.format("%04X", (int) c) + ", which systemd's fstab"
            + " parsing would write raw into the unit; rename it or use --emit units");
      }
    }
  }
}
