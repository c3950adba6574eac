package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7: runs every case of the committed hostile corpus ({@code hostile/cases.tsv}, see {@link
 * HostileCorpus}) through the real command line ({@link Main#commandLine()}, in-process, with
 * {@code System.out}/{@code System.err} captured as well) against a real stage1 rootfs in a temp
 * directory, and asserts:
 *
 * <ul>
 *   <li>the exit code;
 *   <li>for a failure: exactly one line on stderr, starting {@code kvmount: } and containing the
 *       case's fragment; the whole temp directory (stage1 rootfs, host directories, the manifest)
 *       is unchanged, compared by type, mode, owner, size, modification time, content and link
 *       target of every entry (so even a file created and removed again is caught by its parent's
 *       modification time);
 *   <li>for a success (hostile symlinks that resolve inside the app rootfs): stdout contains the
 *       fragment (the confined path) and nothing outside the stage1 rootfs changed;
 *   <li>never "Exception" or a stack-trace line in any output, never a probe directory in the
 *       host's {@code /etc}, and every run ends within {@link #MAX_SECONDS} seconds.
 * </ul>
 */
class HostileCorpusTest {

  /** Time limit of one case, in seconds (the largest documents take well under one second). */
  static final int MAX_SECONDS = 20;

  private static final String PROBE = "kvmount-hostile-probe";

  @TempDir Path tmp;

  record Entry(String file, int exit, String fixture, List<String> args, String fragment) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Path corpusDir() {
    try {
      return Path.of(HostileCorpusTest.class.getResource("/hostile/cases.tsv").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Entry> entries() throws IOException {
    List<Entry> r = new ArrayList<>();
    for (String line : Files.readAllLines(corpusDir().resolve("cases.tsv"), StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", 5);
      List<String> args = f[3].equals("-") ? List.of() : List.of(f[3].split(" "));
      r.add(new Entry(f[0], Integer.parseInt(f[1]), f[2], args, f[4]));
    }
    return r;
  }

  static Stream<Arguments> cases() throws IOException {
    return entries().stream().map(Arguments::of);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void committedCorpus_isExactlyWhatTheGeneratorWrites() throws Exception {
    if (Boolean.getBoolean("kvmount.regenerateCorpus")) {
      HostileCorpus.write(Path.of("src/test/resources/hostile"));
      HostileCorpus.write(corpusDir());
    }
    Path dir = corpusDir();
    List<HostileCorpus.Case> expected = HostileCorpus.cases();
    Set<String> committed = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).forEach(committed::add);
    }
    Set<String> generated = new TreeSet<>();
    for (HostileCorpus.Case c : expected) {
      generated.add(c.name());
      assertThat(Files.readAllBytes(dir.resolve(c.name())))
          .as("%s differs from the generator's output (regenerate with -Dkvmount.regenerateCorpus=true)", c.name())
          .isEqualTo(c.json());
    }
    assertThat(committed).isEqualTo(generated);
    assertThat(Files.readString(dir.resolve("cases.tsv"))).isEqualTo(HostileCorpus.index(expected));
  }

  @Test
  void corpus_hasAtLeast200CasesCoveringEveryClass() throws Exception {
    List<Entry> all = entries();
    assertThat(all).hasSizeGreaterThanOrEqualTo(200);
    assertThat(all.stream().filter(e -> e.file().contains("-gen-")).count()).isGreaterThanOrEqualTo(100);
    assertThat(all.stream().filter(e -> !e.fixture().equals("-")).count()).isGreaterThanOrEqualTo(20);
    assertThat(all).extracting(Entry::exit).doesNotContain(ExitCodes.INTERNAL, ExitCodes.USAGE);
    assertThat(all.stream().map(Entry::file).distinct().count()).isEqualTo(all.size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hostileCase(Entry e) throws Exception {
    Path host = Files.createDirectories(tmp.resolve("host"));
    Files.createDirectories(host.resolve("data"));
    Files.createDirectories(host.resolve("a,b"));
    Files.writeString(host.resolve("file"), "not a directory\n");
    Files.createSymbolicLink(host.resolve("dangling"), tmp.resolve("nowhere"));
    Files.createSymbolicLink(host.resolve("link-to-data"), host.resolve("data"));
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    StageFixtures.build(e.fixture(), stage1, tmp);
    byte[] json = replace(Files.readAllBytes(corpusDir().resolve(e.file())), "@HOST@", host.toString());
    Path manifest = Files.createDirectories(tmp.resolve("in")).resolve("pod.json");
    Files.write(manifest, json);
    Path etcProbe = Path.of("/etc", PROBE);
    assertThat(etcProbe).as("left over by an earlier run").doesNotExist();

    SortedMap<String, String> before = TreeSnapshot.of(tmp);

    List<String> argv = new ArrayList<>(List.of("generate", "--pod-manifest", manifest.toString(),
        "--stage1-rootfs", stage1.toString()));
    argv.addAll(e.args());
    long t0 = System.nanoTime();
    Captured r = Captured.run(argv.toArray(String[]::new));
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

    String all = r.out + r.err + r.sysOut + r.sysErr;
    assertThat(etcProbe).as("written through a symlink into the host's /etc").doesNotExist();
    assertThat(r.exit).as("exit code; stderr: %s", r.err).isEqualTo(e.exit());
    assertThat(all).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("internal error");
    assertThat(r.sysOut + r.sysErr).as("nothing printed around picocli's writers").isEmpty();
    assertThat(seconds).as("run time in seconds").isLessThan(MAX_SECONDS);
    SortedMap<String, String> after = TreeSnapshot.of(tmp);
    if (e.exit() == ExitCodes.OK) {
      assertThat(r.out).contains(e.fragment());
      assertThat(outside(after)).as("nothing outside the stage1 rootfs changes").isEqualTo(outside(before));
    } else {
      assertThat(r.out).as("stdout of a failure").isEmpty();
      assertThat(r.err).as("one line on stderr").endsWith("\n").startsWith("kvmount: ");
      assertThat(r.err.lines().count()).as("lines on stderr: %s", r.err).isEqualTo(1);
      assertThat(r.err).contains(e.fragment());
      assertThat(after).as("the tree is unchanged").isEqualTo(before);
    }
  }

  private static Map<String, String> outside(SortedMap<String, String> snapshot) {
    Map<String, String> r = new TreeMap<>(snapshot);
    r.keySet().removeIf(k -> k.equals("stage1") || k.startsWith("stage1/"));
    return r;
  }

  static byte[] replace(byte[] in, String what, String with) {
    byte[] w = what.getBytes(StandardCharsets.UTF_8);
    byte[] v = with.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < in.length) {
      if (i + w.length <= in.length && Arrays.equals(in, i, i + w.length, w, 0, w.length)) {
        out.writeBytes(v);
        i += w.length;
      } else {
        out.write(in[i++]);
      }
    }
    return out.toByteArray();
  }

  /** One in-process run with picocli's writers and System.out/err captured. */
  record Captured(int exit, String out, String err, String sysOut, String sysErr) {
    static synchronized Captured run(String... args) {
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      ByteArrayOutputStream so = new ByteArrayOutputStream();
      ByteArrayOutputStream se = new ByteArrayOutputStream();
      try {
        System.setOut(new PrintStream(so, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(se, true, StandardCharsets.UTF_8));
        CliRunner.Result r = CliRunner.run(args);
        return new Captured(r.exit(), r.out(), r.err(), so.toString(StandardCharsets.UTF_8),
            se.toString(StandardCharsets.UTF_8));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
  }
}
