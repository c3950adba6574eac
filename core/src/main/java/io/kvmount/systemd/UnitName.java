package io.kvmount.systemd;

import io.kvmount.path.GuestPath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A valid systemd unit name such as {@code mnt-data.mount}, {@code web.service} or {@code
 * getty@tty1.service}: same rules as systemd 252 {@code unit_name_is_valid(name,
 * UNIT_NAME_ANY)}.
 *
 * <ul>
 *   <li>1 to 255 bytes ({@code UNIT_NAME_MAX} is 256 including the NUL);
 *   <li>the text after the last {@code .} is a unit type: {@code service}, {@code socket}, {@code
 *       target}, {@code device}, {@code mount}, {@code automount}, {@code swap}, {@code timer},
 *       {@code path}, {@code slice}, {@code scope}; the text before it is not empty;
 *   <li>before that, only ASCII letters, digits and {@code : - _ . \ @}; {@code @} not first;
 *   <li>a plain name has no {@code @}; an instance name has text between the first {@code @} and
 *       the suffix; a template ends in {@code @} right before the suffix ({@code foo@.service}).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the unit name, e.g. {@code opt-stage2-app-rootfs-var\x2ddata.mount}
 */
public record UnitName(String value) implements Comparable<UnitName> {

  /** Longest unit name in bytes. */
  public static final int MAX_BYTES = 255;

  /** The unit types systemd 252 knows, in its own order. */
  public static final List<String> TYPES =
      List.of(
          "service", "mount", "swap", "socket", "target", "device", "automount", "timer", "path",
          "slice", "scope");

  /**
   * Checks the name.
   *
   * @param value the unit name, e.g. {@code opt-stage2-app-rootfs-var\x2ddata.mount}
   * @throws IllegalArgumentException if the name is not valid; use {@link #of(String)} for input
   *     that may be wrong
   */
  public UnitName {
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException("invalid unit name " + Quote.of(value) + ": " + problem);
    }
  }

  /**
   * Validates a unit name.
   *
   * @param name the full name with suffix, e.g. {@code "web.service"}
   * @return the unit name
   * @throws UnitException if systemd would not accept the name; the message says why
   */
  public static UnitName of(String name) throws UnitException {
    try {
      return new UnitName(name); // checked once, by the constructor
    } catch (IllegalArgumentException e) {
      throw new UnitException(e.getMessage()); // "invalid unit name ...: <problem>"
    }
  }

  /**
   * Returns whether systemd accepts a name ({@code unit_name_is_valid(name, UNIT_NAME_ANY)}).
   *
   * @param name the candidate
   * @return true if {@link #of(String)} would accept it
   */
  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  /**
   * The name of the mount unit for a mount point: {@code systemd-escape --path} of {@code where},
   * then {@code .mount} ({@code /} gives {@code -.mount}, {@code /mnt/my-vol} gives {@code
   * mnt-my\x2dvol.mount}).
   *
   * <p>Names over 255 bytes are refused, not hashed: systemd 251 and later would shorten them
   * with a hash, but older guests (and {@code systemd-escape}) cannot, so such a unit would not
   * load everywhere.
   *
   * @param where the mount point (absolute, normalised)
   * @return the mount unit's name
   * @throws UnitException if the name would be longer than 255 bytes: {@code unit name for
   *     "<where>" would be N bytes, systemd allows at most 255}
   */
  public static UnitName mount(GuestPath where) throws UnitException {
    String name = SystemdEscape.escapePath(where) + ".mount";
    int n = name.length(); // escaped names are ASCII
    if (n > MAX_BYTES) {
      throw new UnitException(
          "unit name for "
              + Quote.of(where.toString())
              + " would be "
              + n
              + " bytes, systemd allows at most "
              + MAX_BYTES);
    }
    return new UnitName(name);
  }

  /**
   * The service unit named {@code prefix + ".service"}; the prefix is used verbatim (not
   * escaped), so it must already be valid in a unit name ({@code web}, {@code my-app}).
   *
   * @param prefix the name without suffix
   * @return the service's unit name
   * @throws UnitException if the result is not a valid unit name (bad characters, empty, over 255
   *     bytes)
   */
  public static UnitName service(String prefix) throws UnitException {
    if (prefix.isEmpty()) {
      throw new UnitException("invalid service name: the name before \".service\" is empty");
    }
    return of(prefix + ".service");
  }

  /**
   * Returns the unit type, the text after the last dot ({@code "mount"}).
   *
   * @return the suffix without the dot
   */
  public String type() {
    return value.substring(value.lastIndexOf('.') + 1);
  }

  /**
   * Returns whether this is a template name such as {@code foo@.service}.
   *
   * @return true if an {@code @} comes right before the suffix dot
   */
  public boolean isTemplate() {
    int at = value.indexOf('@');
    return at >= 0 && at == value.lastIndexOf('.') - 1;
  }

  /**
   * Returns the instance part of an instance name ({@code bar} for {@code foo@bar.service}), same
   * as systemd {@code unit_name_to_instance()}.
   *
   * @return the instance, or empty for plain and template names
   */
  public Optional<String> instance() {
    int at = value.indexOf('@');
    int dot = value.lastIndexOf('.');
    if (at < 0 || dot == at + 1) {
      return Optional.empty();
    }
    return Optional.of(value.substring(at + 1, dot));
  }

  /**
   * Returns the template of an instance or template name ({@code foo@.service} for {@code
   * foo@bar.service}), same as systemd {@code unit_name_template()}.
   *
   * @return the template name, or empty for a plain name
   */
  public Optional<UnitName> template() {
    int at = value.indexOf('@');
    if (at < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new UnitName(value.substring(0, at + 1) + value.substring(value.lastIndexOf('.'))));
  }

  /** Returns the name itself. */
  @Override
  public String toString() {
    return value;
  }

  /** Orders by the name's text. */
  @Override
  public int compareTo(UnitName o) {
    return value.compareTo(o.value);
  }

  /** Returns why systemd would refuse the name, or null. */
  static String problem(String n) {
    if (n == null || n.isEmpty()) {
      return "empty";
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes: short names need no counting.
    int bytes = n.length() * 3 <= MAX_BYTES ? n.length() : n.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      return bytes + " bytes, systemd allows at most " + MAX_BYTES;
    }
    int dot = n.lastIndexOf('.');
    if (dot < 0) {
      return "no unit type suffix (such as \".service\")";
    }
    if (dot == 0) {
      return "nothing before the unit type suffix";
    }
    if (!isType(n, dot + 1)) {
      return Quote.of(n.substring(dot + 1)) + " is not a unit type (" + String.join(", ", TYPES) + ")";
    }
    int at = -1;
    for (int i = 0; i < dot; i++) {
      char c = n.charAt(i);
      if (c == '@' && at < 0) {
        at = i;
      }
      if (!(c < 0x80 && (SystemdEscape.isKept(c) || c == '-' || c == '\\' || c == '@'))) {
        return "character "
            + Quote.of(String.valueOf(c))
            + " is not allowed (only ASCII letters, digits and \":-_.\\@\")";
      }
    }
    if (at == 0) {
      return "it starts with \"@\"";
    }
    return null;
  }

  /** Whether {@code n} from {@code from} to its end is one of {@link #TYPES} (no substring). */
  private static boolean isType(String n, int from) {
    int len = n.length() - from;
    for (String t : TYPES) {
      if (t.length() == len && n.startsWith(t, from)) {
        return true;
      }
    }
    return false;
  }
}
