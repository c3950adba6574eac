package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** In-process tests of {@code kvmount escape} through {@link Main#commandLine()}. */
class EscapeCommandTest {

  record Run(int rc, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        Main.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  @ParameterizedTest(name = "[{index}] escape {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "--path /mnt/foo-bar                      | mnt-foo\\x2dbar",
        "--path --suffix=mount /mnt/foo-bar       | mnt-foo\\x2dbar.mount",
        "-p --suffix mount /                      | -.mount",
        "--suffix=service a@b                     | a\\x40b.service",
        "a b c                                    | a b c",
        "-- --path                                | \\x2d\\x2dpath",
        "/foo --path /x                           | foo x",
        "-pu mnt-a\\x20b                          | /mnt/a b",
        "--unescape a-b\\x2dc                     | a/b-c",
        "--unescape --path -                      | /",
        "--template=foo@.service /x/y             | foo@-x-y.service",
        "--pa --suf=mount /.hidden                | \\x2ehidden.mount",
        "-u --instance foo@a-b.service            | a/b",
        "-u --template=foo@.service foo@x.service | x",
        "--mangle foo /dev/sda1 /mnt/a-b a@b.socket | foo.service dev-sda1.device mnt-a\\x2db.mount a@b.socket",
      })
  void matchesSystemdEscape(String args, String expected) {
    Run r = run(("escape " + args).split(" "));
    assertThat(r.err()).isEmpty();
    assertThat(r.rc()).isZero();
    assertThat(r.out()).isEqualTo(expected + "\n");
  }

  @ParameterizedTest(name = "[{index}] escape {0} -> exit 1: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--path /a /.. /b          | a | Input '/..' is not a normalized file system path, failed to escape.",
        "--path .                  |   | Input '.' is not an absolute file system path, failed to escape.",
        "--suffix=foo a            |   | Invalid unit suffix type \"foo\".",
        "--unescape --suffix=mount a |  | --suffix is not compatible with --unescape.",
        "--path                    |   | Not enough arguments.",
        "--suffix=mount --template=a@.service x | | --suffix= and --template= may not be combined.",
        "--template=a.service x    |   | Template name a.service is not valid.",
        "-u -p mnt--foo            |   | Failed to unescape string: Invalid argument",
        "-u a\\x9                  |   | Failed to unescape string: Invalid argument",
        "--instance x              |   | --instance must be used in conjunction with --unescape.",
        "-u --instance b.service   |   | Unit b.service is missing the instance name.",
        "--foo                     |   | kvmount escape: unrecognized option '--foo'",
        "-x a                      |   | kvmount escape: invalid option -- 'x'",
        "--path=x a                |   | kvmount escape: option '--path' doesn't allow an argument",
        "--suffix                  |   | kvmount escape: option '--suffix' requires an argument",
        "-m -p x                   |   | --path may not be combined with --mangle.",
      })
  void refusesLikeSystemdEscape(String args, String out, String err) {
    Run r = run(("escape " + args.strip()).split(" +"));
    assertThat(r.rc()).isEqualTo(1);
    assertThat(r.out()).isEqualTo(out == null ? "" : out);
    assertThat(r.err()).isEqualTo(err + "\n");
  }

  @Test
  void warnsButEscapesRelativePaths() {
    Run r = run("escape", "--path", "foo/");
    assertThat(r.rc()).isZero();
    assertThat(r.out()).isEqualTo("foo\n");
    assertThat(r.err())
        .isEqualTo(
            "Input 'foo/' is not an absolute file system path, escaping is likely not going to be"
                + " reversible.\n");
  }

  @Test
  void helpAndVersionWinOverLaterErrors() {
    Run r = run("escape", "-h", "--foo");
    assertThat(r.rc()).isZero();
    assertThat(r.out()).startsWith("kvmount escape [OPTIONS...] [NAME...]");
    Run v = run("escape", "--version");
    assertThat(v.rc()).isZero();
    assertThat(v.out()).startsWith("kvmount ");
  }

  @Test
  void emptyStringsAreInputsToo() {
    assertThat(run("escape", "").out()).isEqualTo("\n");
    assertThat(run("escape", "a", "", "b").out()).isEqualTo("a  b\n");
    assertThat(run("escape", "-p", "").out()).isEqualTo("-\n");
  }
}
