package io.kvmount.manifest;

import java.util.Objects;

/**
 * An appc AC Name: the name of an app, volume or mount point. Non-empty; only lower-case ASCII
 * letters, digits and {@code -}; the first and last character is a letter or digit.
 *
 * <p>Same rule as appc {@code types.NewACName} (v0.7.1 to v0.8.11). Like that code, and unlike the
 * regular expression in the appc spec text, a doubled {@code --} inside is accepted ({@code a--b});
 * there is no length limit (the mount tag derived from a name is shortened elsewhere).
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the name, such as {@code "dbvolume"}
 */
public record AcName(String value) {

  /**
   * Checks the name.
   *
   * @param value the name, such as {@code "dbvolume"}
   * @throws IllegalArgumentException with {@link #problem(String)}'s reason if the value is not a
   *     valid AC Name
   * @throws NullPointerException if {@code value} is null
   */
  public AcName {
    Objects.requireNonNull(value, "value");
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Tells why a text is not a valid AC Name, without throwing.
   *
   * @param value the candidate name
   * @return a one-line reason that quotes the value and names the rule it breaks (such as {@code
   *     "Data" is not a valid ACName (only a-z, 0-9 and "-")}), or {@code null} if it is valid
   */
  public static String problem(String value) {
    if (value.isEmpty()) {
      return "\"\" is not a valid ACName (must not be empty)";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!Text.isLowerAlnum(c) && c != '-') {
        return Text.quote(value) + " is not a valid ACName (only a-z, 0-9 and \"-\")";
      }
    }
    if (value.charAt(0) == '-' || value.charAt(value.length() - 1) == '-') {
      return Text.quote(value)
          + " is not a valid ACName (must start and end with a-z or 0-9, not \"-\")";
    }
    return null;
  }

  /** Returns the name itself. */
  @Override
  public String toString() {
    return value;
  }
}
