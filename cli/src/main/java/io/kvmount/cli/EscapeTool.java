package io.kvmount.cli;

import io.kvmount.systemd.SystemdEscape;
import io.kvmount.systemd.UnitException;
import io.kvmount.systemd.UnitName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The byte-exact engine behind {@code kvmount escape}: the same option parsing (GNU {@code
 * getopt_long} with argument permutation, {@code --} and unique prefixes of long options), the
 * same checks in the same order, the same stdout and the same exit status as {@code
 * systemd-escape} 252. stderr carries systemd's messages; getopt's own messages name {@code
 * kvmount escape} instead of {@code systemd-escape}.
 *
 * <p>Like systemd-escape, all results go on one line separated by spaces, followed by one
 * newline; on the first refused input it stops with exit status 1, leaving what was already
 * printed (without newline). Every failure, including usage errors, exits with 1, as
 * systemd-escape does.
 */
final class EscapeTool {
  static final String PROG = "kvmount escape";

  private enum Action {
    ESCAPE,
    UNESCAPE,
    MANGLE
  }

  private static final String[][] LONG = {
    {"help", "n"},
    {"version", "n"},
    {"suffix", "r"},
    {"template", "r"},
    {"instance", "n"},
    {"unescape", "n"},
    {"mangle", "n"},
    {"path", "n"},
  };

  private final OutputStream out;
  private final OutputStream err;
  private final String version;
  private final boolean posixlyCorrect;

  private Action action = Action.ESCAPE;
  private boolean path;
  private boolean instance;
  private String suffix;
  private String template;

  EscapeTool(OutputStream out, OutputStream err, String version, boolean posixlyCorrect) {
    this.out = out;
    this.err = err;
    this.version = version;
    this.posixlyCorrect = posixlyCorrect;
  }

  /** A failure that ends the run with exit status 1 after printing {@code message}. */
  private static final class Fail extends Exception {
    private static final long serialVersionUID = 1L;
    final byte[] message;
    final boolean getopt;

    Fail(byte[] message) {
      super(null, null, false, false);
      this.message = message;
      this.getopt = message.length > PROG.length() + 1
          && new String(message, 0, PROG.length() + 1, StandardCharsets.ISO_8859_1).equals(PROG + ":");
    }

    Fail(String message) {
      this(message.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static byte[] cat(Object... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (Object p : parts) {
      b.writeBytes(p instanceof byte[] ? (byte[]) p : p.toString().getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Runs systemd-escape's logic.
   *
   * @param args the raw argument bytes after {@code escape}
   * @return the exit status (0 or 1)
   * @throws IOException if writing fails
   */
  int run(List<byte[]> args) throws IOException {
    try {
      Optional<List<byte[]>> names = parse(args);
      if (names.isEmpty()) {
        return 0; // --help or --version
      }
      check(names.get());
      boolean first = true;
      for (byte[] name : names.get()) {
        byte[] result = one(name);
        if (!first) {
          out.write(' ');
        }
        out.write(SystemdEscape.cString(result));
        first = false;
      }
      out.write('\n');
      return 0;
    } catch (Fail f) {
      err.write(f.getopt ? f.message : SystemdEscape.asLogged(f.message));
      err.write('\n');
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** GNU getopt_long with systemd-escape's option table; empty after --help/--version. */
  private Optional<List<byte[]>> parse(List<byte[]> args) throws Fail, IOException {
    List<byte[]> positional = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      byte[] a = args.get(i);
      if (Arrays.equals(a, new byte[] {'-', '-'})) {
        positional.addAll(args.subList(i + 1, args.size()));
        break;
      }
      if (a.length > 2 && a[0] == '-' && a[1] == '-') {
        byte[] body = Arrays.copyOfRange(a, 2, a.length);
        int eq = indexOf(body, (byte) '=');
        String name = str(eq < 0 ? body : Arrays.copyOf(body, eq));
        String[] opt = findLong(name, a);
        byte[] value = null;
        if (eq >= 0) {
          if (opt[1].equals("n")) {
            throw new Fail(PROG + ": option '--" + opt[0] + "' doesn't allow an argument");
          }
          value = Arrays.copyOfRange(body, eq + 1, body.length);
        } else if (opt[1].equals("r")) {
          if (i + 1 >= args.size()) {
            throw new Fail(PROG + ": option '--" + opt[0] + "' requires an argument");
          }
          value = args.get(++i);
        }
        if (apply(opt[0], value)) {
          return Optional.empty();
        }
      } else if (a.length > 1 && a[0] == '-') {
        for (int k = 1; k < a.length; k++) {
          String o;
          switch (a[k]) {
            case 'h':
              o = "help";
              break;
            case 'u':
              o = "unescape";
              break;
            case 'm':
              o = "mangle";
              break;
            case 'p':
              o = "path";
              break;
            default:
              throw new Fail(cat(PROG, ": invalid option -- '", new byte[] {a[k]}, "'"));
          }
          if (apply(o, null)) {
            return Optional.empty();
          }
        }
      } else {
        positional.add(a);
        if (posixlyCorrect) {
          positional.addAll(args.subList(i + 1, args.size()));
          break;
        }
      }
    }
    return Optional.of(positional);
  }

  private static String[] findLong(String name, byte[] arg) throws Fail {
    List<String[]> prefixed = new ArrayList<>();
    for (String[] o : LONG) {
      if (o[0].equals(name)) {
        return o;
      }
      if (o[0].startsWith(name)) {
        prefixed.add(o);
      }
    }
    if (prefixed.size() == 1) {
      return prefixed.get(0);
    }
    if (prefixed.isEmpty()) {
      throw new Fail(cat(PROG, ": unrecognized option '", arg, "'"));
    }
    StringBuilder sb = new StringBuilder(PROG + ": option '--" + name + "' is ambiguous; possibilities:");
    for (String[] o : prefixed) {
      sb.append(" '--").append(o[0]).append('\'');
    }
    throw new Fail(sb.toString());
  }

  /** Applies one option; returns true when the run is over (help, version). */
  private boolean apply(String option, byte[] value) throws Fail, IOException {
    switch (option) {
      case "help":
        out.write(help().getBytes(StandardCharsets.UTF_8));
        return true;
      case "version":
        out.write((version + "\n").getBytes(StandardCharsets.UTF_8));
        return true;
      case "suffix":
        if (!UnitName.TYPES.contains(str(value)) || !wellFormed(value)) {
          throw new Fail(cat("Invalid unit suffix type \"", value, "\"."));
        }
        suffix = str(value);
        return false;
      case "template":
        if (!wellFormed(value)
            || !UnitName.isValid(str(value))
            || !new UnitName(str(value)).isTemplate()) {
          throw new Fail(cat("Template name ", value, " is not valid."));
        }
        template = str(value);
        return false;
      case "instance":
        instance = true;
        return false;
      case "unescape":
        action = Action.UNESCAPE;
        return false;
      case "mangle":
        action = Action.MANGLE;
        return false;
      case "path":
        path = true;
        return false;
      default:
        throw new AssertionError(option);
    }
  }

  private static boolean wellFormed(byte[] b) {
    return Arrays.equals(b, str(b).getBytes(StandardCharsets.UTF_8));
  }

  /** systemd-escape's checks after option parsing, in its order. */
  private void check(List<byte[]> names) throws Fail {
    if (names.isEmpty()) {
      throw new Fail("Not enough arguments.");
    }
    if (template != null && suffix != null) {
      throw new Fail("--suffix= and --template= may not be combined.");
    }
    if ((template != null || suffix != null) && action == Action.MANGLE) {
      throw new Fail("--suffix= and --template= are not compatible with --mangle.");
    }
    if (suffix != null && action == Action.UNESCAPE) {
      throw new Fail("--suffix is not compatible with --unescape.");
    }
    if (path && action == Action.MANGLE) {
      throw new Fail("--path may not be combined with --mangle.");
    }
    if (instance && action != Action.UNESCAPE) {
      throw new Fail("--instance must be used in conjunction with --unescape.");
    }
    if (instance && template != null) {
      throw new Fail("--instance may not be combined with --template.");
    }
  }

  /** Handles one input; returns the bytes to print. */
  private byte[] one(byte[] input) throws Fail, IOException {
    byte[] arg = SystemdEscape.cString(input);
    if (action == Action.MANGLE) {
      Optional<String> m = SystemdEscape.mangle(arg);
      if (m.isEmpty()) {
        throw new Fail("Failed to mangle name: Invalid argument");
      }
      return m.get().getBytes(StandardCharsets.US_ASCII);
    }
    if (action == Action.ESCAPE) {
      String e;
      if (path) {
        SystemdEscape.PathEscape r = SystemdEscape.escapePathDetailed(arg);
        byte[] msg = r.verdict().systemdMessage(arg);
        if (r.escaped().isEmpty()) {
          throw new Fail(msg);
        }
        if (msg.length > 0) {
          err.write(msg);
          err.write('\n');
        }
        e = r.escaped().get();
      } else {
        e = SystemdEscape.escape(arg);
      }
      if (template != null) {
        // unit_name_replace_instance(): the instance must be non-empty, the result a valid name
        String name = template.substring(0, template.indexOf('@') + 1) + e
            + template.substring(template.lastIndexOf('.'));
        if (e.isEmpty() || !UnitName.isValid(name)) {
          throw new Fail("Failed to replace instance: Invalid argument");
        }
        e = name;
      } else if (suffix != null) {
        e = e + "." + suffix;
      }
      return e.getBytes(StandardCharsets.US_ASCII);
    }
    byte[] name = arg;
    if (template != null || instance) {
      String s = str(arg);
      if (!wellFormed(arg) || !UnitName.isValid(s)) {
        throw new Fail("Failed to extract instance: Invalid argument");
      }
      UnitName u = new UnitName(s);
      Optional<String> inst = u.instance();
      if (inst.isEmpty()) {
        throw new Fail(cat("Unit ", arg, " is missing the instance name."));
      }
      String t = u.template().orElseThrow().value();
      if (template != null && !template.equals(t)) {
        throw new Fail(
            "Unit " + s + " template " + t + " does not match specified template " + template + ".");
      }
      name = inst.get().getBytes(StandardCharsets.US_ASCII);
    }
    try {
      return path ? SystemdEscape.unescapePath(name) : SystemdEscape.unescape(name);
    } catch (UnitException ex) {
      throw new Fail("Failed to unescape string: Invalid argument");
    }
  }

  private static int indexOf(byte[] b, byte c) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  static String help() {
    return "kvmount escape [OPTIONS...] [NAME...]\n"
        + "\n"
        + "Escape strings for usage in systemd unit names (same output and exit status as\n"
        + "systemd-escape 252).\n"
        + "\n"
        + "  -h --help               Show this help\n"
        + "     --version            Show the kvmount version\n"
        + "     --suffix=SUFFIX      Unit suffix to append to escaped strings\n"
        + "     --template=TEMPLATE  Insert strings as instance into template\n"
        + "     --instance           With --unescape, show just the instance part\n"
        + "  -u --unescape           Unescape strings\n"
        + "  -m --mangle             Mangle strings\n"
        + "  -p --path               When escaping/unescaping assume the string is a path\n"
        + "\n"
        + "Results are printed on one line, separated by spaces. Exit status: 0 on success,\n"
        + "1 for any refused input or bad option (as systemd-escape).\n";
  }
}
