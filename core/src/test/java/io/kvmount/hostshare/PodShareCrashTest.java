package io.kvmount.hostshare;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's crash test of the pod share: a child JVM ({@link PodShareCrashMain}) runs {@code apply} or
 * {@code release} and kills itself with SIGKILL right after a seeded step ({@code
 * -Dkvmount.hostshare.crashAt=N}, see {@link CrashPoint}); then this JVM re-runs apply or release
 * and {@code /proc/self/mountinfo} must show exactly the spec's binds (one mount each, as the spec
 * says), or nothing after release, and the sources' own mounts untouched.
 *
 * <p>Why a self-kill at a counted step rather than an external kill after a delay: the steps of
 * one run take a few milliseconds in all, less than the jitter of a JVM's start, so delays would
 * land mostly before or after the run; a step number reaches every step boundary (journal
 * writes, each mount and unmount, each removal) with few trials. The mount processes still
 * running on other threads at that moment finish on their own, as after a real crash; the test
 * waits for them before the re-run.
 *
 * <p>Trials: {@code -Dkvmount.crashTrials} (default 10; CI passes 50), seed {@code
 * -Dkvmount.crashSeed} (default 19); every trial's scenario, step and re-run are in the failure
 * message. Root only.
 */
class PodShareCrashTest {

  private Path base;

  @BeforeEach
  void setUp() throws Exception {
    Mounts.assumeRoot();
    base = Files.createTempDirectory("kvmount-hostshare-crash-").toRealPath();
    for (String s : List.of("src-a", "src-b")) {
      Path sub = Files.createDirectories(base.resolve(s).resolve("sub"));
      Mounts.tmpfs(sub);
      Files.writeString(sub.resolve("in-submount"), s);
    }
    Files.writeString(base.resolve("file-c"), "c");
    Files.writeString(base.resolve("file-d"), "d");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (base != null) {
      Mounts.cleanUp(base);
    }
  }

  @Test
  void killedApplyOrRelease_thenReRun_converges() throws Exception {
    int trials = Integer.getInteger("kvmount.crashTrials", 10);
    long seed = Long.getLong("kvmount.crashSeed", 19L);
    List<String> sourceMounts = sourceMounts();
    assertThat(sourceMounts).hasSize(2);

    // Step counts of whole runs, to spread the crash points over them.
    int applyFromEmpty = child(-1, "apply", "0");
    int applyChanged = child(-1, "apply", "1");
    int release = child(-1, "release");
    assertThat(List.of(applyFromEmpty, applyChanged, release)).allMatch(n -> n > 3);

    Random rnd = new Random(seed);
    int killed = 0;
    List<String> log = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      int scenario = t % 3; // 0: apply 0 from empty; 1: apply 1 over 0; 2: release of 0
      if (scenario > 0) {
        PodShare.apply(PodShare.analyse(PodShareCrashMain.spec(base, 0), List.of()));
      }
      int steps = scenario == 0 ? applyFromEmpty : scenario == 1 ? applyChanged : release;
      int at = 1 + rnd.nextInt(steps);
      int status =
          scenario == 2 ? childStatus(at, "release") : childStatus(at, "apply", scenario == 0 ? "0" : "1");
      if (status == 137) {
        killed++;
      }
      awaitOrphanMounts();
      boolean reApply = rnd.nextBoolean();
      int variant = scenario == 0 ? 0 : 1;
      String what =
          String.format(
              "trial %d (seed %d): scenario %d killed after step %d of %d (status %d), re-run %s",
              t, seed, scenario, at, steps, status, reApply ? "apply " + variant : "release");
      log.add(what);
      ShareSpec spec = PodShareCrashMain.spec(base, variant);
      if (reApply) {
        PodShare.apply(PodShare.analyse(spec, List.of()));
        assertApplied(spec, what);
      } else {
        PodShare.release(PodShareCrashMain.shareDir(base));
        assertReleased(what);
      }
      assertThat(sourceMounts()).as(what + ": the sources' own mounts").isEqualTo(sourceMounts);
      PodShare.release(PodShareCrashMain.shareDir(base));
      assertReleased(what + ", then release");
    }
    assertThat(killed).as("trials killed mid-run: %s", log).isGreaterThan(trials / 2);
  }

  private List<String> sourceMounts() throws IOException {
    List<String> l = new ArrayList<>();
    for (MountInfo.Mount m : MountInfo.read().atOrBelow(base)) {
      if (!m.path().startsWith(PodShareCrashMain.shareDir(base))) {
        l.add(m.mountPoint() + " " + m.options());
      }
    }
    return l;
  }

  private void assertApplied(ShareSpec spec, String what) throws Exception {
    Path dir = PodShareCrashMain.shareDir(base);
    MountInfo mi = MountInfo.read();
    assertThat(PodShare.verify(spec)).as(what).isEmpty();
    for (HostBind b : spec.binds()) {
      assertThat(mi.at(dir.resolve(b.name()))).as(what + ": mounts at " + b.name()).hasSize(1);
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .as(what)
          .isEqualTo(spec.binds().stream().map(HostBind::name).sorted().toList());
    }
    // Recursive binds carry the source's submount, and nothing else is mounted in DIR.
    long expected =
        spec.binds().stream().mapToLong(b -> !b.file() && b.recursive() ? 2 : 1).sum();
    assertThat(mi.atOrBelow(dir)).as(what + ": mounts in the share directory").hasSize((int) expected);
    assertThat(mi.atOrBelow(Records.dirOf(dir))).as(what + ": staging mounts").isEmpty();
    assertThat(PodShare.analyse(spec, List.of()).isEmpty()).as(what + ": a re-run changes nothing").isTrue();
  }

  private void assertReleased(String what) throws IOException {
    Path dir = PodShareCrashMain.shareDir(base);
    assertThat(MountInfo.read().atOrBelow(dir)).as(what).isEmpty();
    assertThat(MountInfo.read().atOrBelow(Records.dirOf(dir))).as(what).isEmpty();
    assertThat(dir).as(what).doesNotExist();
    assertThat(Records.dirOf(dir)).as(what).doesNotExist();
  }

  /** Runs the child to its end (no crash) and returns its step count. */
  private int child(int crashAt, String... args) throws Exception {
    Process p = start(crashAt, args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    String last = out.strip().lines().reduce((x, y) -> y).orElse("");
    assertThat(last).as(out).startsWith("STEPS ");
    return Integer.parseInt(last.substring(6));
  }

  /** Runs the child with a crash point and returns its exit status (137 when it was killed). */
  private int childStatus(int crashAt, String... args) throws Exception {
    Process p = start(crashAt, args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child did not exit: " + out);
    }
    int status = p.exitValue();
    assertThat(status).as(out).isIn(0, 137);
    return status;
  }

  private Process start(int crashAt, String... args) throws Exception {
    String cp =
        Path.of(PodShare.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + File.pathSeparator
            + Path.of(PodShareCrashMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    if (crashAt > 0) {
      cmd.add("-D" + CrashPoint.PROPERTY + "=" + crashAt);
    }
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(PodShareCrashMain.class.getName());
    cmd.add(args[0]);
    cmd.add(base.toString());
    for (int i = 1; i < args.length; i++) {
      cmd.add(args[i]);
    }
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Waits until no mount or umount process left by a killed child still works in the base. */
  private void awaitOrphanMounts() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      boolean busy =
          ProcessHandle.allProcesses()
              .anyMatch(
                  ph -> {
                    String cmd = ph.info().command().orElse("");
                    String[] a = ph.info().arguments().orElse(new String[0]);
                    return (cmd.endsWith("/mount") || cmd.endsWith("/umount"))
                        && Stream.of(a).anyMatch(x -> x.startsWith(base.toString()));
                  });
      if (!busy) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("mount processes of a killed child still run after 10 s");
  }
}
