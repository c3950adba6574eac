package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./kvmount} launcher itself, run as a user runs it: a hostile manifest (invalid UTF-8)
 * gives exit 3 and one line on stderr, and nothing is written. Runs in every build (no VM needed);
 * it lives in this module because the reactor has packaged {@code cli} by the time it runs, so the
 * launcher finds an up-to-date jar and never starts a Maven build inside this one.
 *
 * <p>The launcher picks the JVM's options by the pod manifest's size and the kernel: G1 for a
 * manifest under 65,536 characters, the parallel collector otherwise, and transparent huge pages
 * (with a 128 MiB young generation for the parallel collector) exactly where the kernel offers
 * them on request. Those options are read back from the JVM itself ({@code
 * -XX:+PrintCommandLineFlags}, given through {@code JDK_JAVA_OPTIONS}, which only the launcher's
 * {@code java} reads), and a run on each path must print no JVM warning.
 */
class LauncherTest {
  @TempDir Path tmp;

  @Test
  void launcher_hostileInput_exit3OneLineNothingWritten() throws Exception {
    Path launcher = E2eEnvironment.repoRoot().resolve("kvmount");
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path pod = tmp.resolve("pod.json");
    Files.write(pod, new byte[] {'{', '"', 'a', (byte) 0xff, '"', ':', '1', '}'});
    Path err = Files.createTempFile("launcher-err", ".txt");
    Process p = new ProcessBuilder(launcher.toString(), "generate", "--pod-manifest", pod.toString(),
            "--stage1-rootfs", stage1.toString())
        .redirectError(err.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    List<String> lines = Files.readAllLines(err).stream()
        .filter(l -> !l.startsWith("kvmount: building")).toList();
    Files.delete(err);
    assertThat(p.exitValue()).as(String.join("\n", lines)).isEqualTo(3);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("kvmount: ").contains("invalid UTF-8").doesNotContain("Exception");
    try (Stream<Path> s = Files.list(stage1)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void launcher_largePod_parallelCollector_hugePagesWhereOffered_noJvmWarning() throws Exception {
    List<String> flags = runFlags("large.json", 120, "");
    assertThat(flags).contains("-XX:+UseParallelGC").doesNotContain("-XX:+UseG1GC");
    // With huge pages the JVM sizes the young generation itself (a third of the initial heap);
    // without them it is 32 MiB.
    assertHugePagesAsOffered(flags, null, "-XX:MaxNewSize=33554432");
    if (kernelOffersHugePages()) {
      assertThat(flags).noneMatch(f -> f.startsWith("-XX:MaxNewSize=") || f.startsWith("-XX:NewSize="));
    }
  }

  @Test
  void launcher_smallPod_g1_hugePagesWhereOffered_noJvmWarning() throws Exception {
    List<String> flags = runFlags("small.json", 2, "");
    assertThat(flags).contains("-XX:+UseG1GC").doesNotContain("-XX:+UseParallelGC");
    assertHugePagesAsOffered(flags, null, null);
  }

  @Test
  void launcher_smallMachine_largePod_noJvmWarning() throws Exception {
    // A machine or container with 512 MiB: a 128 MiB heap, which a fixed 128 MiB young generation
    // would not fit (the JVM then warned, on stdout).
    List<String> flags = runFlags("large-small-machine.json", 120, "-XX:MaxRAM=512m");
    assertThat(flags).contains("-XX:+UseParallelGC", "-XX:MaxHeapSize=134217728");
  }

  @Test
  void launcher_collectorChosenByTheUser_isKept() throws Exception {
    for (String gc : List.of("-XX:+UseSerialGC", "-XX:+UseG1GC")) {
      List<String> flags = runFlags("large" + gc.substring(8) + ".json", 120, gc);
      assertThat(flags).contains(gc);
      assertThat(flags.stream().filter(f -> f.matches("-XX:\\+Use[A-Za-z0-9]*GC"))).containsExactly(gc);
    }
    // An option that ends in "GC" but chooses no collector leaves the choice to the launcher.
    List<String> flags = runFlags("large-compaction.json", 120, "-XX:+UseMaximumCompactionOnSystemGC");
    assertThat(flags).contains("-XX:+UseMaximumCompactionOnSystemGC", "-XX:+UseParallelGC");
  }

  /**
   * Huge pages are on exactly where the kernel offers them; then {@code whenOffered} is among the
   * flags, else {@code otherwise} (either may be null: nothing more to check).
   */
  private static void assertHugePagesAsOffered(List<String> flags, String whenOffered, String otherwise)
      throws Exception {
    boolean offered = kernelOffersHugePages();
    if (offered) {
      assertThat(flags).contains("-XX:+UseTransparentHugePages");
    } else {
      assertThat(flags).doesNotContain("-XX:+UseTransparentHugePages");
    }
    String expected = offered ? whenOffered : otherwise;
    if (expected != null) {
      assertThat(flags).contains(expected);
    }
  }

  /** Whether the kernel gives transparent huge pages on request ("always" or "madvise"). */
  private static boolean kernelOffersHugePages() throws Exception {
    Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    if (!Files.isReadable(setting)) {
      return false;
    }
    String s = Files.readString(setting);
    return s.contains("[always]") || s.contains("[madvise]");
  }

  /**
   * Writes a pod of {@code apps} apps (large, 65,536 characters or more, when over 10 apps) and
   * runs {@code ./kvmount generate --format args} on it into a new stage1 rootfs, with {@code
   * JDK_JAVA_OPTIONS} set to {@code userOptions} plus {@code -XX:+PrintCommandLineFlags}. Checks
   * exit 0, that the units were written, that stdout holds exactly the hypervisor arguments (no
   * JVM output), and that stderr holds only the java launcher's note and the JVM's flags.
   *
   * @return the JVM's flags, one per element
   */
  private List<String> runFlags(String name, int apps, String userOptions) throws Exception {
    Path pod = tmp.resolve(name);
    Files.writeString(pod, pod(tmp, apps));
    boolean large = apps > 10;
    assertThat(Files.size(pod) >= 65_536).as("manifest of %d apps is large", apps).isEqualTo(large);
    Path stage1 = Files.createDirectory(tmp.resolve("stage1-" + pod.getFileName()));
    Path out = tmp.resolve("out-" + pod.getFileName());
    Path err = tmp.resolve("err-" + pod.getFileName());
    String options = (userOptions + " -XX:+PrintCommandLineFlags").strip();
    ProcessBuilder pb = new ProcessBuilder(E2eEnvironment.repoRoot().resolve("kvmount").toString(),
            "generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString(), "--format", "args")
        .redirectError(err.toFile())
        .redirectOutput(out.toFile());
    pb.environment().put("JDK_JAVA_OPTIONS", options);
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    List<String> errLines = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.startsWith("kvmount: building")).toList();
    assertThat(p.exitValue()).as(String.join("\n", errLines)).isZero();
    assertThat(errLines).hasSize(2);
    assertThat(errLines.get(0)).isEqualTo("NOTE: Picked up JDK_JAVA_OPTIONS: " + options);
    assertThat(errLines.get(1)).startsWith("-XX:");
    List<String> outLines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(outLines).hasSize(2 * 10 * 2); // -fsdev, its value, -device, its value per volume
    assertThat(outLines).allMatch(l -> !l.startsWith("[") && !l.contains("warning"));
    assertThat(outLines.get(0)).isEqualTo("-fsdev");
    assertThat(stage1.resolve("usr/lib/systemd/system/mnt-vol0.mount")).isRegularFile();
    return List.of(errLines.get(1).trim().split(" +"));
  }
  /** A pod of {@code apps} apps with 10 mounts each over 10 host volumes (sources under dir). */
  private static String pod(Path dir, int apps) throws Exception {
    List<String> volumes = new ArrayList<>();
    for (int v = 0; v < 10; v++) {
      Path src = Files.createDirectories(dir.resolve("src/vol" + v));
      volumes.add("{\"name\": \"vol" + v + "\", \"kind\": \"host\", \"source\": \"" + src + "\"}");
    }
    List<String> appList = new ArrayList<>();
    for (int a = 0; a < apps; a++) {
      List<String> mounts = new ArrayList<>();
      for (int k = 0; k < 10; k++) {
        mounts.add("{\"volume\": \"vol" + k + "\", \"path\": \"/data/with-a-longer-path-name/m" + k + "\"}");
      }
      appList.add("{\"name\": \"app-" + a + "\", \"image\": {\"name\": \"example.com/app\", \"id\": \"sha512-"
          + "0".repeat(40) + "\"}, \"mounts\": [" + String.join(", ", mounts) + "]}");
    }
    return "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": [\n"
        + String.join(",\n", appList) + "\n], \"volumes\": [" + String.join(", ", volumes) + "]}\n";
  }
}
