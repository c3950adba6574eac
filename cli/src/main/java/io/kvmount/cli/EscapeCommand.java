package io.kvmount.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code kvmount escape}: a drop-in for {@code systemd-escape} 252 (see {@link EscapeTool}).
 *
 * <p>Options are parsed by {@link EscapeTool} exactly like systemd-escape's {@code getopt_long},
 * not by picocli: picocli only collects the arguments. Java decodes command-line arguments with
 * the locale's charset and replaces invalid UTF-8, so on Linux the exact argument bytes are read
 * from {@code /proc/self/cmdline} (the last entries, checked against picocli's strings) and the
 * results are written to the process's stdout as raw bytes. When run in-process with other
 * arguments (tests), the strings and the command line's writers are used.
 */
@Command(
    name = "escape",
    description = "Escape strings for systemd unit names (same output and exit status as systemd-escape).",
    usageHelpAutoWidth = true)
final class EscapeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  // Everything goes to these two; EscapeTool re-parses the original arguments itself.
  @Parameters(arity = "0..*", paramLabel = "STRING", hidden = true)
  List<String> strings = new ArrayList<>();

  @Unmatched List<String> unmatched = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    List<String> all = spec.root().commandLine().getParseResult().originalArgs();
    int at = all.indexOf("escape");
    List<byte[]> raw = RawArgs.of(all);
    String version = new VersionProvider().getVersion()[0];
    boolean posix = System.getenv("POSIXLY_CORRECT") != null;
    if (raw != null) {
      // The real process: write raw bytes (unescaping can produce any byte) to fd 1 and 2.
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().flush();
      return new EscapeTool(System.out, System.err, version, posix)
          .run(raw.subList(at + 1, raw.size()));
    }
    List<byte[]> args = new ArrayList<>();
    for (String s : all.subList(at + 1, all.size())) {
      args.add(s.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = new EscapeTool(out, err, version, posix).run(args);
    write(spec.commandLine().getOut(), out);
    write(spec.commandLine().getErr(), err);
    return rc;
  }

  private static void write(PrintWriter w, ByteArrayOutputStream b) {
    w.write(b.toString(StandardCharsets.UTF_8));
    w.flush();
  }

  /** The exact argument bytes of this process, when they can be matched to Java's strings. */
  static final class RawArgs {
    private RawArgs() {}

    /**
     * Returns the raw bytes of {@code javaArgs}, read from {@code /proc/self/cmdline}, or null if
     * unavailable or if the last entries there do not match {@code javaArgs}.
     */
    static List<byte[]> of(List<String> javaArgs) {
      byte[] all;
      try {
        all = Files.readAllBytes(Path.of("/proc/self/cmdline"));
      } catch (IOException | RuntimeException e) {
        return null;
      }
      List<byte[]> entries = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < all.length; i++) {
        if (all[i] == 0) {
          byte[] e = new byte[i - start];
          System.arraycopy(all, start, e, 0, e.length);
          entries.add(e);
          start = i + 1;
        }
      }
      int n = javaArgs.size();
      if (entries.size() < n + 1) {
        return null;
      }
      List<byte[]> tail = entries.subList(entries.size() - n, entries.size());
      for (int i = 0; i < n; i++) {
        if (!matches(tail.get(i), javaArgs.get(i))) {
          return null;
        }
      }
      return new ArrayList<>(tail);
    }

    /** Exact for valid UTF-8; otherwise the ASCII characters must agree (Java replaced the rest). */
    static boolean matches(byte[] raw, String java) {
      if (new String(raw, StandardCharsets.UTF_8).equals(java)
          && java.indexOf('\ufffd') < 0) {
        return true;
      }
      StringBuilder a = new StringBuilder();
      for (byte b : raw) {
        if (b >= 0) {
          a.append((char) b);
        }
      }
      StringBuilder j = new StringBuilder();
      for (char c : java.toCharArray()) {
        if (c < 0x80) {
          j.append(c);
        }
      }
      return a.toString().equals(j.toString()) && !java.isEmpty() == (raw.length > 0);
    }
  }
}
