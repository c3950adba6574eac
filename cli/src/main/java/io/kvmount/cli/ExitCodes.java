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

  /** Usage errors: the message and a pointer to {@code --help}, exit code {@link #USAGE}. */
  private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      CommandLine c = ex.getCommandLine();
      PrintWriter err = c.getErr();
      err.println("kvmount: " + oneLine(ex.getMessage()));
      err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return USAGE;
    }
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
