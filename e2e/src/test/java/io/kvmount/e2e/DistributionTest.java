package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution that {@code mvn package} builds ({@code cli/target/kvmount-VERSION/} and its
 * tar.gz), installed as the README's "Install" section says: unpacked into a temporary directory,
 * {@code bin/kvmount} linked onto a temporary {@code PATH} directory, run from another working
 * directory. Also a clone's {@code ./kvmount} through a symlink. Runs in every build (no VM); it
 * lives in this module because the reactor has packaged {@code cli} by the time it runs.
 */
class DistributionTest {
  @TempDir Path tmp;

  /** The commands that each have a man page (kvmount-NAME.1 or kvmount.1). */
  private static final List<String> MAN_PAGES = List.of(
      "kvmount", "kvmount-generate", "kvmount-verify", "kvmount-release", "kvmount-escape", "kvmount-completion");

  /** The project version, passed in by the pom (kvmount.version). */
  private static String version() {
    String v = System.getProperty("kvmount.version");
    assertThat(v).as("system property kvmount.version (set by e2e/pom.xml)").isNotBlank();
    return v;
  }

  private static Path target() {
    return E2eEnvironment.repoRoot().resolve("cli/target");
  }

  /** The outcome of one program run. */
  private record Run(int exit, String out, String err) {}

  /**
   * Runs {@code argv} in {@code dir} with {@code PATH} set to {@code path} (through {@code env}, so
   * that the program itself is looked up on that {@code PATH}, as a shell does); at most 300 s.
   */
  private static Run run(Path dir, String path, String... argv) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    List<String> command = new ArrayList<>(List.of("env"));
    command.addAll(List.of(argv));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.put("PATH", path);
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", List.of(argv)).isTrue();
    Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  /** Files (not directories) below {@code root}, as relative paths with '/'. */
  private static TreeSet<String> files(Path root) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(f -> names.add(root.relativize(f).toString()));
    }
    return names;
  }

  /**
   * The example pod ({@code examples/pod.json}) with its host sources moved into {@code dir}
   * (created there, with an empty stage1 rootfs {@code dir/stage1}).
   */
  private static Path examplePod(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("host/site/uploads"));
    Files.createDirectories(dir.resolve("host/user uploads"));
    Files.createDirectories(dir.resolve("stage1"));
    String pod = Files.readString(E2eEnvironment.repoRoot().resolve("examples/pod.json"), StandardCharsets.UTF_8);
    assertThat(pod).contains("/tmp/kvmount-example/host/");
    Path p = dir.resolve("pod.json");
    Files.writeString(p, pod.replace("/tmp/kvmount-example", dir.toString()), StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void tarball_installedThroughSymlinkOnPath_runsFromAnotherDirectory_neverBuilds() throws Exception {
    String v = version();
    Path tarball = target().resolve("kvmount-" + v + ".tar.gz");
    assertThat(tarball).as("mvn package builds the tar.gz").isRegularFile();
    Path opt = Files.createDirectory(tmp.resolve("opt"));
    Run untar = run(tmp, System.getenv("PATH"), "tar", "-xzf", tarball.toString(), "-C", opt.toString());
    assertThat(untar.exit()).as(untar.err()).isZero();
    Path home = opt.resolve("kvmount-" + v);
    assertThat(home.resolve("bin/kvmount")).isExecutable();
    assertThat(home.resolve("lib/kvmount.jar")).isRegularFile();

    // ~/.local/bin/kvmount -> ../../opt/kvmount-V/bin/kvmount, and a second link to that link.
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("kvmount"), Path.of("../opt/kvmount-" + v + "/bin/kvmount"));
    Path bin2 = Files.createDirectory(tmp.resolve("bin2"));
    Files.createSymbolicLink(bin2.resolve("kvmount"), bin.resolve("kvmount"));
    // An installed launcher never builds: a mvn first on the PATH would leave a mark.
    Path mvn = bin2.resolve("mvn");
    Files.writeString(mvn, "#!/bin/sh\ntouch \"$0.ran\"\nexit 1\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    String path = bin2 + ":" + System.getenv("PATH");

    Path work = Files.createDirectory(tmp.resolve("work"));
    Run version = run(work, path, "kvmount", "--version");
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).contains(v);
    assertThat(version.err()).isEmpty();
    assertThat(home.resolve("lib/kvmount.jsa")).as("the class-data archive, recorded where lib/ is writable")
        .isRegularFile();

    Path pod = examplePod(work);
    Run dry = run(work, path, "kvmount", "generate", "--pod-manifest", "pod.json", "--stage1-rootfs", "stage1",
        "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("mnt-site.mount", "web.service.d/10-kvmount-volumes.conf", "mount_tag=uploads");
    assertThat(pod).isRegularFile();
    try (Stream<Path> s = Files.list(work.resolve("stage1"))) {
      assertThat(s.toList()).as("dry run writes nothing").isEmpty();
    }
    assertThat(bin2.resolve("mvn.ran")).as("the installed launcher ran mvn").doesNotExist();
  }

  @Test
  void directoryAndTarball_holdTheSameFiles_manPagesPerCommand_completion() throws Exception {
    String v = version();
    Path dir = target().resolve("kvmount-" + v);
    assertThat(dir).as("mvn package builds the directory").isDirectory();
    Run list = run(tmp, System.getenv("PATH"), "tar", "-tzf", target().resolve("kvmount-" + v + ".tar.gz").toString());
    assertThat(list.exit()).as(list.err()).isZero();
    TreeSet<String> inTar = new TreeSet<>();
    for (String line : list.out().lines().toList()) {
      assertThat(line).startsWith("kvmount-" + v + "/");
      if (!line.endsWith("/")) {
        inTar.add(line.substring(("kvmount-" + v + "/").length()));
      }
    }
    assertThat(files(dir)).isEqualTo(inTar);
    assertThat(inTar).contains("bin/kvmount", "lib/kvmount.jar", "share/bash-completion/completions/kvmount");

    List<String> problems = new ArrayList<>();
    for (String name : MAN_PAGES) {
      Path page = dir.resolve("share/man/man1/" + name + ".1");
      if (!Files.isRegularFile(page)) {
        problems.add(name + ".1 missing");
        continue;
      }
      String roff = Files.readString(page, StandardCharsets.UTF_8);
      if (!roff.contains(".TH \"" + name.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-") + "\" \"1\"")
          || !roff.contains(".SH \"SYNOPSIS\"") || !roff.contains(".SH \"DESCRIPTION\"")) {
        problems.add(name + ".1 is not a roff man page with NAME, SYNOPSIS and DESCRIPTION");
      }
    }
    assertThat(problems).isEmpty();
    assertThat(Files.readString(dir.resolve("share/man/man1/kvmount-generate.1"), StandardCharsets.UTF_8))
        .contains("stage1\\-rootfs", "dry\\-run", "hypervisor");
    assertThat(Files.readString(dir.resolve("share/man/man1/kvmount-verify.1"), StandardCharsets.UTF_8))
        .contains("no\\-systemd\\-analyze");

    // The completion script, sourced as bash-completion would, completes subcommands and values.
    Path completion = dir.resolve("share/bash-completion/completions/kvmount");
    String program = "source '" + completion + "' || exit 7\n"
        + "c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($#-1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE};"
        + " COMPREPLY=(); _complete_kvmount 2>/dev/null; echo \"${COMPREPLY[*]}\"; }\n"
        + "c kvmount gen; c ./kvmount ver; c kvmount generate --transport ''\n";
    Run r = run(tmp, System.getenv("PATH"), "bash", "--norc", "--noprofile", "-c", program);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly("generate", "verify", "9p virtiofs");
  }

  /**
   * README's install block, run as written (but its first line, {@code mvn -B package}, which this
   * build has done) with {@code HOME} a temporary directory whose {@code .local/bin} is on the
   * {@code PATH}; then kvmount, its man page and its completion are found as a user finds them.
   */
  @Test
  void readmeInstallSteps_runAsWritten() throws Exception {
    String readme = Files.readString(E2eEnvironment.repoRoot().resolve("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("<!-- install -->\n```\n");
    int end = readme.indexOf("```\n<!-- /install -->");
    assertThat(start).as("README.md has the install block").isNotNegative();
    assertThat(end).isGreaterThan(start);
    List<String> lines = readme.substring(start, end).lines().skip(2).toList();
    assertThat(lines.get(0)).isEqualTo("mvn -B package -DskipTests");
    String script = "set -euo pipefail\n" + String.join("\n", lines.subList(1, lines.size())) + "\n";
    assertThat(script).contains("kvmount-" + version() + ".tar.gz");

    Path home = Files.createDirectory(tmp.resolve("home"));
    String path = home.resolve(".local/bin") + ":" + System.getenv("PATH");
    Run install = run(E2eEnvironment.repoRoot(), path, "HOME=" + home, "bash", "--norc", "--noprofile", "-c", script);
    assertThat(install.exit()).as(install.err()).isZero();
    assertThat(install.out()).contains(version());

    Path work = Files.createDirectory(tmp.resolve("work"));
    Run version = run(work, path, "HOME=" + home, "kvmount", "--version");
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).contains(version());
    assertThat(home.resolve(".local/share/man/man1/kvmount-generate.1")).isRegularFile();
    Path completion = home.resolve(".local/share/bash-completion/completions/kvmount");
    assertThat(Files.readString(completion, StandardCharsets.UTF_8)).contains("complete -F _complete_kvmount");
    if (Files.isExecutable(Path.of("/usr/bin/man"))) {
      // man finds the page in ../share/man beside a PATH directory.
      Run man = run(work, path, "-u", "MANPATH", "HOME=" + home, "man", "-w", "kvmount-generate");
      assertThat(man.exit()).as(man.err()).isZero();
      assertThat(man.out().strip()).endsWith("/share/man/man1/kvmount-generate.1");
    }
  }

  @Test
  void cloneLauncher_throughSymlinkOnPath_fromAnotherDirectory() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("kvmount"), E2eEnvironment.repoRoot().resolve("kvmount"));
    Path work = Files.createDirectory(tmp.resolve("work"));
    Run version = run(work, bin + ":" + System.getenv("PATH"), "kvmount", "--version");
    List<String> err = version.err().lines().filter(l -> !l.startsWith("kvmount: building")).toList();
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).contains(version());
    assertThat(err).isEmpty();
  }
}
