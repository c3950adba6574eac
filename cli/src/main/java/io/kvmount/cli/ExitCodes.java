package io.kvmount.cli;

import io.kvmount.error.InvalidInputException;
import io.kvmount.error.IoErrors;
import io.kvmount.json.Messages;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import picocli.CommandLine;

/** kvmount's exit codes and the handlers that map failures to them with one-line messages. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /** I/O or other runtime failure. */
  public static final int IO = 1;
  /** Usage error: bad options or arguments. */
  public static final int USAGE = 2;
  /** Invalid input: the manifest or plan was rejected. */
  public static final int INVALID = 3;
  /** Internal error: a bug. */
  public static final int INTERNAL = 4;

  private ExitCodes() {}

  /**
   * Installs the parameter and execution exception handlers on a command line.
   *
   * @param cl the command line
   * @return the same command line
   */
  static CommandLine install(CommandLine cl) {
    cl.setParameterExceptionHandler(new UsageErrors());
    cl.setExecutionExceptionHandler(new Failures());
    return cl;
  }

  // Named classes, not lambdas: a lambda for one of picocli's interfaces cannot be kept in the
  // class-data archive, so each would be spun and linked at start-up.

  /**
   * Usage errors: the message and a pointer to {@code --help}, exit code {@link #USAGE}. A word
   * the command line does not know is the error even when picocli found another one first (it
   * checks required options before unknown words, and a word before a subcommand's name would
   * otherwise vanish behind that subcommand's error: {@code kvmount frobnicate generate}).
   */
  private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      CommandLine c = ex.getCommandLine();
      String message = ex.getMessage();
      // The outermost command with an unknown word: its words come first on the command line.
      CommandLine unknownIn = null;
      for (CommandLine up = c; up != null; up = up.getParent()) {
        if (!up.getUnmatchedArguments().isEmpty()) {
          unknownIn = up;
        }
      }
      if (unknownIn != null) {
        c = unknownIn;
        message = unknownWords(c, c.getUnmatchedArguments());
      } else if (ex instanceof CommandLine.UnmatchedArgumentException
          && !((CommandLine.UnmatchedArgumentException) ex).getUnmatched().isEmpty()) {
        message = unknownWords(c, ((CommandLine.UnmatchedArgumentException) ex).getUnmatched());
      }
      PrintWriter err = c.getErr();
      err.println("kvmount: " + oneLine(keyValue(message)));
      err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return USAGE;
    }
  }

  /**
   * The message for words a command does not know: the first one named, with the nearest option
   * or subcommand name when one is close ({@code unknown option "--pod-manfest" for kvmount
   * generate; did you mean "--pod-manifest"?}), and how many more there are.
   *
   * @param c the command whose words they are
   * @param words the unknown words, in command-line order (not empty)
   * @return the message, one line
   */
  static String unknownWords(CommandLine c, java.util.List<String> words) {
    String word = words.get(0);
    CommandLine.Model.CommandSpec spec = c.getCommandSpec();
    String name = spec.qualifiedName();
    // An unknown option written without "=" takes the word after it as its value, not as another
    // unknown word.
    boolean valueNext = word.startsWith("-") && !word.contains("=") && words.size() > 1
        && !words.get(1).startsWith("-");
    int others = words.size() - 1 - (valueNext ? 1 : 0);
    String more = others == 0 ? "" : " (and " + others + " more unknown word" + (others == 1 ? "" : "s") + ")";
    if (word.startsWith("-") && word.length() > 1) {
      String key = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      java.util.List<String> names = new java.util.ArrayList<>();
      for (CommandLine.Model.OptionSpec o : spec.options()) {
        if (!o.hidden()) {
          names.addAll(java.util.Arrays.asList(o.names()));
        }
      }
      return "unknown option \"" + word + "\" for " + name + io.kvmount.error.NearestName.hint(key, names) + more;
    }
    if (!spec.subcommands().isEmpty()) {
      java.util.List<String> subs = new java.util.ArrayList<>(spec.subcommands().keySet());
      return "unknown word \"" + word + "\": not a subcommand of " + name + " (" + String.join(", ", subs) + ")"
          + io.kvmount.error.NearestName.hint(word, subs) + more;
    }
    // A manifest given without its option: say which option takes it.
    String hint = word.endsWith(".json") && spec.findOption("--pod-manifest") != null
        ? "; a pod manifest is given as --pod-manifest " + word : "";
    return "unknown word \"" + word + "\": " + name + " takes " + (spec.positionalParameters().isEmpty()
        ? "no words besides its options" : "no more words here") + hint + more;
  }

  /**
   * picocli's message for a map option's value without {@code =} ({@code Value for option option
   * '--image-manifest' (APP=FILE) should be in KEY=VALUE format but was x.json}), said as kvmount
   * says it; any other message unchanged.
   *
   * @param message picocli's message
   * @return the message, one line
   */
  static String keyValue(String message) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "Value for option option '([^']+)' \\(([^=)]+)=([^)]+)\\) should be in KEY=VALUE format but was (.*)")
        .matcher(message);
    if (!m.matches()) {
      return message;
    }
    return m.group(1) + " takes " + m.group(2) + "=" + m.group(3) + ", not \"" + m.group(4) + "\": name the "
        + m.group(2).toLowerCase(java.util.Locale.ROOT) + " it is for, as in " + m.group(1) + " " + m.group(2) + "="
        + m.group(4);
  }

  /** Failures of a command: one line (a stack trace with {@code --stacktrace}), mapped exit code. */
  private static final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine c, CommandLine.ParseResult parseResult) {
      PrintWriter err = c.getErr();
      int code = forException(ex);
      if (code == INTERNAL) {
        err.println("kvmount: internal error: " + ex + " (please report this)");
      } else {
        err.println("kvmount: " + oneLine(message(ex)));
      }
      if (parseResult.originalArgs().contains("--stacktrace")) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    }
  }

  /**
   * Maps an exception to an exit code.
   *
   * @param ex the failure
   * @return {@link #INVALID} for invalid input and files in the way ({@link
   *     io.kvmount.apply.ConflictException}), {@link #IO} for I/O failures, else {@link
   *     #INTERNAL}
   */
  static int forException(Throwable ex) {
    if (ex instanceof InvalidInputException || ex instanceof io.kvmount.apply.ConflictException) {
      return INVALID; // a conflict is the user's to resolve (move the files away, or --force)
    }
    if (ex instanceof IOException || ex instanceof UncheckedIOException) {
      return IO;
    }
    return INTERNAL;
  }

  /**
   * The text of a failure's one-line message. kvmount's own exceptions carry a complete message;
   * a JDK file-system exception that reached here without kvmount's context carries only a path
   * ({@code AccessDeniedException}'s message is the path alone), so it gets its reason added:
   * {@code "<path>": permission denied}.
   *
   * @param ex the failure
   * @return the message, or {@code null} when it has none
   */
  static String message(Throwable ex) {
    Throwable t = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
    if (t instanceof FileSystemException) {
      FileSystemException f = (FileSystemException) t;
      String where = f.getFile() == null ? "" : "\"" + f.getFile() + "\"";
      if (f.getOtherFile() != null) {
        where += " and \"" + f.getOtherFile() + "\"";
      }
      String why = IoErrors.reason(f);
      return where.isEmpty() ? why : where + ": " + why;
    }
    return ex.getMessage();
  }

  /**
   * A message as one printable line: line breaks become spaces, and other control characters
   * (which can come from a hostile file's content: ESC sequences would drive the terminal) are
   * escaped as {@code \xNN} ({@link Messages#oneLine}). Used for everything kvmount prints that
   * may carry text read from input.
   *
   * @param s the message, or {@code null}
   * @return the printable line
   */
  static String oneLine(String s) {
    return s == null ? "(no message)" : Messages.oneLine(s.replace('\n', ' ').replace('\r', ' '));
  }
}
