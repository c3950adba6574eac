package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden tests of what people read: the text report and the Graphviz graph of {@code generate}
 * for the corpus pods (see {@code src/test/resources/golden-output/README.md}), and the real
 * {@code dot -Tsvg} accepting every graph.
 */
class GoldenOutputTest {
  static final Path DIR = Path.of("src/test/resources/golden-output");
  /**
   * The stage1 rootfs the goldens show. A dry run checks what a run checks, so the runs use an
   * empty directory of their own ({@link #STAGE1_DIR}), shown under this name.
   */
  static final String STAGE1 = "/nonexistent/stage1-rootfs";

  /** The empty stage1 rootfs the runs use, in a temp directory of this JVM's (never written). */
  static final Path STAGE1_DIR;

  static {
    try {
      Path dir = Files.createTempDirectory("kvmount-golden-");
      STAGE1_DIR = Files.createDirectory(dir.resolve("stage1-rootfs"));
      dir.toFile().deleteOnExit();
      STAGE1_DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TempDir Path tmp;

  static List<Path> cases() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  /** Runs {@code generate} for a case in one format. */
  static CliRunner.Result run(Path caseDir, String format) throws IOException {
    return run(caseDir, format, STAGE1);
  }

  /**
   * The directory every case's host sources are moved below, as shown in the golden files: the
   * real one has the same length ({@code /tmp/kvmount-golden-} and 8 hex digits), so the text
   * report's columns line up the same.
   */
  static final String HOST_ROOT_SHOWN = "/tmp/kvmount-golden-XXXXXXXX";

  private static Path hostRoot;

  /**
   * This JVM's host root: created once, empty but for what the cases make in it, deleted at exit.
   * A case's outputs must not depend on what the machine holds at its sources' paths (an
   * {@code /opt/tenant1/database} that exists would drop a warning), so every source is read
   * below it.
   */
  static synchronized Path hostRoot() throws IOException {
    if (hostRoot == null) {
      SecureRandom random = new SecureRandom();
      while (hostRoot == null) {
        Path p = Path.of("/tmp", String.format("kvmount-golden-%08x", random.nextInt()));
        try {
          hostRoot = Files.createDirectory(p);
        } catch (FileAlreadyExistsException taken) {
          // another run's: draw again
        }
      }
      assertThat(hostRoot.toString()).hasSameSizeAs(HOST_ROOT_SHOWN);
      Path root = hostRoot;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
    }
    return hostRoot;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort at exit; the directory is the test's own
    }
  }

  private static final Pattern SOURCE = Pattern.compile("(\"source\"\\s*:\\s*\")(/)");

  /**
   * A case's {@code pod.json} with every absolute host {@code source} moved below {@link
   * #hostRoot()}, written there; the case's {@code host-dirs} are made below it too.
   */
  static Path movedManifest(Path caseDir) throws IOException {
    Path root = hostRoot();
    String json = Files.readString(caseDir.resolve("pod.json"), StandardCharsets.UTF_8);
    String moved = SOURCE.matcher(json).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + root + "/"));
    Path dir = Files.createDirectories(root.resolve(".manifests").resolve(caseDir.getFileName().toString()));
    Path manifest = dir.resolve("pod.json");
    Files.writeString(manifest, moved, StandardCharsets.UTF_8);
    Path hostDirs = caseDir.resolve("host-dirs");
    if (Files.exists(hostDirs)) {
      for (String d : Files.readAllLines(hostDirs)) {
        if (!d.isBlank()) {
          assertThat(d).as("host-dirs holds absolute paths").startsWith("/");
          Files.createDirectories(Path.of(root + d));
        }
      }
    }
    return manifest;
  }

  /** Shows the host root as {@link #HOST_ROOT_SHOWN} in a result's output and warnings. */
  static CliRunner.Result shown(CliRunner.Result r) throws IOException {
    String root = hostRoot().toString();
    return new CliRunner.Result(r.exit(), r.out().replace(root, HOST_ROOT_SHOWN), r.err().replace(root, HOST_ROOT_SHOWN));
  }

  /** Runs {@code generate --dry-run} for a case in one format on a stage1 rootfs, with more options. */
  static CliRunner.Result run(Path caseDir, String format, String stage1, String... more) throws IOException {
    Path manifest = movedManifest(caseDir);
    boolean shown = stage1.equals(STAGE1);
    List<String> args = new ArrayList<>(List.of("generate", "--dry-run", "--allow-missing-sources",
        "--pod-manifest", manifest.toString(), "--stage1-rootfs",
        shown ? STAGE1_DIR.toString() : stage1, "--format", format));
    args.addAll(List.of(more));
    Path images = caseDir.resolve("images");
    if (Files.isDirectory(images)) {
      try (Stream<Path> s = Files.list(images)) {
        for (Path p : s.sorted().toList()) {
          args.add("--image-manifest");
          args.add(p.getFileName().toString().replaceFirst("\\.json$", "") + "=" + p);
        }
      }
    }
    Path extra = caseDir.resolve("args");
    if (Files.exists(extra)) {
      args.addAll(Files.readAllLines(extra).stream().filter(l -> !l.isBlank()).toList());
    }
    // Messages name the manifest given; shown as the case's own, and the stage1 rootfs as STAGE1.
    CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
    String given = manifest.toString();
    String own = caseDir.resolve("pod.json").toString();
    String out = r.out().replace(given, own);
    String err = r.err().replace(given, own);
    if (shown) {
      out = out.replace(STAGE1_DIR.toString(), STAGE1);
      err = err.replace(STAGE1_DIR.toString(), STAGE1);
    }
    return shown(new CliRunner.Result(r.exit(), out, err));
  }

  @TestFactory
  Stream<DynamicTest> textDotAndWarnings() throws IOException {
    List<Path> cases = cases();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(5);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      CliRunner.Result text = run(c, "text");
      assertThat(text.exit()).as(text.err()).isZero();
      CliRunner.Result dot = run(c, "dot");
      assertThat(dot.exit()).as(dot.err()).isZero();
      String warnings = text.err().replace(c.toAbsolutePath().toString(), "<case>").replace(c.toString(), "<case>");
      compare(c.resolve("text.txt"), text.out());
      compare(c.resolve("dot.dot"), dot.out());
      compare(c.resolve("stderr.txt"), warnings);
      assertThat(dot.err()).isEqualTo(text.err()); // warnings do not depend on the format
    }));
  }

  static void compare(Path expected, String actual) throws IOException {
    if (UPDATE) {
      Files.writeString(expected, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(expected).as("golden file missing; run with -Dgolden.update=true").exists();
    assertThat(actual).as(expected.toString()).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
  }

  @TestFactory
  Stream<DynamicTest> graphvizAcceptsEveryGraph() throws IOException {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      Optional<Path> dot = onPath("dot");
      assumeTrue(dot.isPresent(),
          "Graphviz 'dot' is not installed (apt-get install graphviz); skipping the dot -Tsvg check");
      Path in = tmp.resolve(c.getFileName() + ".dot");
      Files.writeString(in, run(c, "dot").out(), StandardCharsets.UTF_8);
      Process p = new ProcessBuilder(dot.get().toString(), "-Tsvg", in.toString()).redirectErrorStream(false).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(err).isZero();
      assertThat(err).as("dot stderr").isEmpty();
      String svg = new String(out, StandardCharsets.UTF_8);
      assertThat(svg).contains("<svg").contains("</svg>");
    }));
  }

  static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
