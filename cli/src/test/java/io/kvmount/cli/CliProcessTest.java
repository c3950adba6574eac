package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 through real processes: {@code java -cp <test class path> io.kvmount.cli.Main generate
 * ...} (real {@code System.exit}, real stderr), and the {@code ./kvmount} launcher where it is
 * already built.
 *
 * <ul>
 *   <li>Crash (fault class 29): a generate of a 300-app x 5-mount pod is killed with SIGKILL after
 *       a seeded random delay; a re-run must give exactly the tree of a clean run (paths, modes,
 *       owners, contents, link targets), whether the killed run started from an empty stage1
 *       rootfs or from another pod's tree. Trials: {@code -Dkvmount.crashTrials=N} (default 2; {@code
 *       -Dkvmount.cliCrashTrials=N} sets this test alone;
 *       CI runs 50), seed {@code -Dkvmount.crashSeed} (default 7).
 *   <li>Concurrency: two generates on one stage1 rootfs at once; each ends with exit 0 (it waited
 *       for the lock) or exit 1 naming the lock, and the tree equals a clean run's.
 *   <li>Read-only stage1 rootfs and a full disk (tmpfs mounts; root only, skipped otherwise):
 *       exit 1 with one clear line, the earlier state intact, and a re-run once the disk has
 *       room gives the clean tree.
 * </ul>
 */
class CliProcessTest {

  static final int APPS = 300;
  static final int MOUNTS = 5;

  /** Heap of every kvmount process here: hostile inputs must be refused within it. */
  static final int HEAP_MB = 256;

  @TempDir Path tmp;

  /** A finished or killed kvmount process. */
  record Run(int exit, String out, String err, long millis) {}

  static ProcessBuilder kvmount(String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + HEAP_MB + "m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LC_ALL", "C.UTF-8");
    return pb;
  }

  static Run finish(Process p, long t0) throws Exception {
    // Outputs go to files (see start), so a full pipe cannot block the child.
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("process finished").isTrue();
    return new Run(p.exitValue(), "", "", (System.nanoTime() - t0) / 1_000_000);
  }

  Run runProcess(String... args) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    long t0 = System.nanoTime();
    Process p = kvmount(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    Run r = finish(p, t0);
    return new Run(r.exit(), Files.readString(out), Files.readString(err), r.millis());
  }

  static String[] generate(Path pod, Path stage1, String... more) {
    List<String> a = new ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--format", "args", "-q"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  /** Snapshot without modification times, and without the lock file (its presence is not state). */
  static SortedMap<String, String> tree(Path root) throws IOException {
    SortedMap<String, String> s = TreeSnapshot.of(root, false);
    s.remove(".kvmount/lock");
    return s;
  }

  static void assertClean(Run r) {
    assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Start-up (BENCHMARKS.md): no record's {@code equals}, {@code hashCode} or {@code toString}
   * generated through invokedynamic ({@code ObjectMethods}) runs in {@code generate}, for a small
   * pod and for a large one (the parallel paths) into an empty and into an existing tree: each
   * such first call spins method handles, about 20 ms for one record. Records used as keys or
   * compared write those methods out. Checked with the JDK's method-linkage trace.
   */
  @Test
  void subprocess_generate_linksNoRecordObjectMethods() throws Exception {
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path small = BigPod.write(tmp.resolve("small.json"), tmp.resolve("host-small"), 0, 3, 3);
    Path large = BigPod.write(tmp.resolve("large.json"), tmp.resolve("host-large"), 1, 40, 6);
    for (Path pod : List.of(small, large, small)) {
      ProcessBuilder pb = kvmount(generate(pod, stage1));
      pb.command().add(1, "-Djava.lang.invoke.MethodHandle.TRACE_METHOD_LINKAGE=true");
      Path out = Files.createTempFile(tmp, "trace", ".txt");
      Process p = pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      assertThat(finish(p, System.nanoTime()).exit()).isZero();
      String trace = Files.readString(out);
      assertThat(trace).as("the trace is on").contains("linkCallSite");
      assertThat(trace.lines().filter(l -> l.contains("java.lang.runtime.ObjectMethods")))
          .as(pod.getFileName() + ": record methods linked at run time").isEmpty();
    }
  }

  @Test
  void subprocess_hostileInputs_exit3OneLineNothingWritten() throws Exception {
    // The snapshot covers work/ (stage1 rootfs and manifest); process outputs go next to it.
    Path work = Files.createDirectory(tmp.resolve("work"));
    Path stage1 = Files.createDirectory(work.resolve("stage1"));
    Path pod = work.resolve("pod.json");
    String[][] docs = {
      {"{", "truncated document"},
      {"{\"acKind\":\"PodManifest\",\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-a\"},\"mounts\":"
          + "[{\"volume\":\"v\",\"path\":\"/etc/../..\"}]}],\"volumes\":[{\"name\":\"v\",\"kind\":\"empty\"}]}",
          "would hide the whole app rootfs"},
      {"{\"acKind\":\"PodManifest\",\"volumes\":[{\"name\":\"v\",\"kind\":\"empty\",\"uid\":\"0\"}]}", "expected an integer"},
    };
    SortedMap<String, String> before = TreeSnapshot.of(work);
    for (String[] d : docs) {
      Files.writeString(pod, d[0]);
      before = TreeSnapshot.of(work);
      Run r = runProcess(generate(pod, stage1));
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      assertThat(r.err().lines().toList()).hasSize(1).first(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith("kvmount: ").contains(d[1]);
      assertThat(r.out()).isEmpty();
      assertClean(r);
      assertThat(TreeSnapshot.of(work)).isEqualTo(before);
    }
    // The largest documents of the corpus, in a process with a 256 MiB heap.
    for (String name : List.of("deep-arrays", "deep-objects", "huge-string", "huge-key", "huge-number", "too-many-volumes",
        "too-many-apps", "too-many-mounts")) {
      String file = HostileCorpusTest.entries().stream().map(HostileCorpusTest.Entry::file)
          .filter(f -> f.matches("\\d{3}-" + name + "\\.json")).findFirst().orElseThrow();
      Files.write(pod, HostileCorpusTest.replace(Files.readAllBytes(HostileCorpusTest.corpusDir().resolve(file)), "@HOST@",
          work.toString()));
      before = TreeSnapshot.of(work);
      Run r = runProcess(generate(pod, stage1));
      assertThat(r.exit()).as("%s: %s", file, r.err()).isEqualTo(3);
      assertThat(r.err().lines().toList()).as(file).hasSize(1);
      assertThat(r.millis()).as(file).isLessThan(60_000);
      assertClean(r);
      assertThat(TreeSnapshot.of(work)).isEqualTo(before);
    }
    // Unbounded inputs end within bounded time and memory.
    for (String[] a : new String[][] {{"--pod-manifest", "/dev/zero"}, {"--image-manifest", "web=/dev/zero"}}) {
      List<String> args = new ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
          stage1.toString()));
      Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-a\"}}]}");
      if (a[0].equals("--pod-manifest")) {
        args.set(2, a[1]);
      } else {
        args.addAll(List.of(a));
      }
      before = TreeSnapshot.of(work);
      Run r = runProcess(args.toArray(String[]::new));
      assertThat(r.exit()).as(r.err()).isEqualTo(3);
      assertThat(r.err()).contains("/dev/zero").contains("larger than 67108864 bytes");
      assertThat(r.millis()).isLessThan(60_000);
      assertClean(r);
      assertThat(TreeSnapshot.of(work)).isEqualTo(before);
    }
  }

  // The ./kvmount launcher itself is tested in e2e (LauncherTest), after cli is packaged.

  @Test
  void crash_killedGenerate_thenReRun_equalsCleanRun() throws Exception {
    int trials = Integer.getInteger("kvmount.cliCrashTrials", Integer.getInteger("kvmount.crashTrials", 2));
    long seed = Long.getLong("kvmount.crashSeed", 7L);
    Path host = Files.createDirectories(tmp.resolve("host"));
    Path pod0 = BigPod.write(tmp.resolve("pod0.json"), host, 0, APPS, MOUNTS);
    Path pod1 = BigPod.write(tmp.resolve("pod1.json"), host, 1, APPS, MOUNTS);

    // References: clean runs in fresh processes (also times a whole run).
    Path refEmpty = Files.createDirectory(tmp.resolve("ref-empty"));
    Run ref = runProcess(generate(pod1, refEmpty));
    assertThat(ref.exit()).as(ref.err()).isZero();
    Path refFrom0 = Files.createDirectory(tmp.resolve("ref-from0"));
    assertThat(runProcess(generate(pod0, refFrom0)).exit()).isZero();
    SortedMap<String, String> earlier = tree(refFrom0);
    assertThat(runProcess(generate(pod1, refFrom0)).exit()).isZero();
    SortedMap<String, String> expectEmpty = tree(refEmpty);
    SortedMap<String, String> expectFrom0 = tree(refFrom0);
    assertThat(expectEmpty.keySet().stream().filter(k -> k.endsWith(".mount")).count())
        .as("units in the reference tree").isGreaterThan(APPS * MOUNTS);

    Random rnd = new Random(seed);
    List<String> log = new ArrayList<>();
    int partial = 0;
    for (int t = 0; t < trials; t++) {
      boolean from0 = t % 2 == 1;
      Path work = Files.createDirectory(tmp.resolve("trial-" + t));
      if (from0) {
        assertThat(CliRunner.run(generate(pod0, work)).exit()).isZero();
      }
      SortedMap<String, String> start = tree(work);
      long delay = (long) (ref.millis() * 1.1 * ((t + rnd.nextDouble()) / trials));
      Path err = tmp.resolve("kill-err-" + t + ".txt");
      Process p = kvmount(generate(pod1, work)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(err.toFile()).start();
      boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      SortedMap<String, String> killed = tree(work);
      boolean isPartial = !killed.equals(start) && !killed.equals(from0 ? expectFrom0 : expectEmpty);
      if (isPartial) {
        partial++;
      }
      log.add("trial " + t + " delay " + delay + " ms exited=" + exited + " exit=" + p.exitValue() + " partial="
          + isPartial);

      CliRunner.Result again = CliRunner.run(generate(pod1, work));
      assertThat(again.exit()).as("re-run after trial %d: %s", t, again.err()).isZero();
      assertThat(tree(work))
          .as("trial %d (seed %d, from %s, delay %d ms)", t, seed, from0 ? "pod0" : "empty", delay)
          .isEqualTo(from0 ? expectFrom0 : expectEmpty);
      assertThat(Files.readString(err)).doesNotContain("Exception");
    }
    assertThat(earlier).isNotEqualTo(expectFrom0);
    if (trials >= 20) {
      assertThat(partial).as("trials killed in the middle of writing: %s", log).isPositive();
    }
    System.out.println("CliProcessTest crash trials (seed " + seed + "): " + String.join("; ", log));
  }

  @Test
  void concurrent_twoGeneratesOnOneStage1_oneWaitsOrFailsClearly_treeEqualsCleanRun() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("host"));
    Path pod = BigPod.write(tmp.resolve("pod.json"), host, 0, APPS, MOUNTS);
    Path ref = Files.createDirectory(tmp.resolve("ref"));
    assertThat(CliRunner.run(generate(pod, ref)).exit()).isZero();
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    List<Process> ps = new ArrayList<>();
    List<Path> errs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path err = tmp.resolve("err-" + i + ".txt");
      errs.add(err);
      ps.add(kvmount(generate(pod, stage1)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(err.toFile()).start());
    }
    int ok = 0;
    for (int i = 0; i < 2; i++) {
      assertThat(ps.get(i).waitFor(180, TimeUnit.SECONDS)).isTrue();
      int exit = ps.get(i).exitValue();
      String err = Files.readString(errs.get(i));
      assertThat(exit).as("run %d: %s", i, err).isIn(0, 1);
      assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
      if (exit == 0) {
        ok++;
        assertThat(err).isEmpty();
      } else {
        assertThat(err.lines().toList()).hasSize(1);
        assertThat(err).contains("lock");
      }
    }
    assertThat(ok).as("at least one run succeeds").isPositive();
    assertThat(tree(stage1)).isEqualTo(tree(ref));
  }

  // ---------------------------------------------------------------------------------------------
  // Read-only stage1 rootfs and full disk: tmpfs mounts, root only.

  private static boolean isRoot() throws IOException {
    return "0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
  }

  private static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assumeTrue(p.exitValue() == 0, "skipped: " + String.join(" ", cmd) + " failed: " + out);
  }

  @Test
  void readOnlyStage1_exit1ClearMessage_earlierStateIntact() throws Exception {
    assumeTrue(isRoot(), "skipped: mounting a read-only tmpfs needs root");
    Path mnt = Files.createDirectory(tmp.resolve("ro"));
    sh("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt.toString());
    try {
      Path host = Files.createDirectories(tmp.resolve("host"));
      Path stage1 = Files.createDirectory(mnt.resolve("stage1"));
      Path pod0 = BigPod.write(tmp.resolve("pod0.json"), host, 0, 4, 3);
      Path pod1 = BigPod.write(tmp.resolve("pod1.json"), host, 1, 4, 3);
      assertThat(CliRunner.run(generate(pod0, stage1)).exit()).isZero();
      SortedMap<String, String> earlier = TreeSnapshot.of(stage1);
      sh("mount", "-o", "remount,ro", mnt.toString());
      CliRunner.Result r = CliRunner.run(generate(pod1, stage1));
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err().lines().toList()).hasSize(1);
      assertThat(r.err()).startsWith("kvmount: ").containsIgnoringCase("read-only").doesNotContain("Exception");
      assertThat(TreeSnapshot.of(stage1)).isEqualTo(earlier);
    } finally {
      new ProcessBuilder("umount", mnt.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void fullDisk_exit1ClearMessage_earlierFilesIntact_reRunWithRoomConverges() throws Exception {
    assumeTrue(isRoot(), "skipped: mounting a small tmpfs needs root");
    Path mnt = Files.createDirectory(tmp.resolve("small"));
    sh("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt.toString());
    try {
      Path host = Files.createDirectories(tmp.resolve("host"));
      Path stage1 = Files.createDirectory(mnt.resolve("stage1"));
      Path small = BigPod.write(tmp.resolve("small.json"), host, 0, 2, 2);
      Path big = BigPod.write(tmp.resolve("big.json"), host, 1, 60, 5);
      assertThat(CliRunner.run(generate(small, stage1)).exit()).isZero();
      SortedMap<String, String> earlier = TreeSnapshot.of(stage1, false);
      CliRunner.Result r = CliRunner.run(generate(big, stage1));
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err().lines().toList()).hasSize(1);
      assertThat(r.err()).startsWith("kvmount: ").containsIgnoringCase("no space left").doesNotContain("Exception");
      // Every file of the earlier state is still there with its content, mode and owner.
      SortedMap<String, String> now = TreeSnapshot.of(stage1, false);
      Map<String, String> earlierFiles = new TreeMap<>(earlier);
      earlierFiles.entrySet().removeIf(e -> !e.getValue().startsWith("file"));
      assertThat(now).containsAllEntriesOf(earlierFiles);
      assertThat(now.keySet()).noneMatch(k -> k.contains(".kvmount-staging-"));

      sh("mount", "-o", "remount,size=64m", mnt.toString());
      assertThat(CliRunner.run(generate(big, stage1)).exit()).isZero();
      Path ref = Files.createDirectory(tmp.resolve("ref"));
      assertThat(CliRunner.run(generate(small, ref)).exit()).isZero();
      assertThat(CliRunner.run(generate(big, ref)).exit()).isZero();
      assertThat(tree(stage1)).isEqualTo(tree(ref));
    } finally {
      new ProcessBuilder("umount", mnt.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
