package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Benchmark, not a test (issue 19): guest boot until all of the app's mounts are active, per-volume
 * shares ({@code --share per-volume}, one 9p device per host volume) against the pod share ({@code
 * --share-dir}, one 9p device for the pod and a bind unit per mount), for pods of 1, 16 and 64 host
 * volumes, on QEMU with TCG.
 *
 * <p>Surefire's default includes do not match this class's name, so {@code mvn verify} never runs
 * it; it runs only when named and enabled:
 *
 * <pre>
 * mvn -B -o -Pe2e -pl picocli17,core,cli,e2e verify -Dtest=BootToMountsBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dkvmount.bench.boot=true \
 *     [-Dkvmount.bench.sizes=1,16,64] [-Dkvmount.bench.rounds=2]
 * </pre>
 *
 * <p>First one warm-up pair at the first size (round 0: in {@code boots.tsv}, not in the summary;
 * {@code -Dkvmount.bench.warmup=false} leaves it out). Then in each round, size by size, one boot
 * per strategy back to back (per-volume first, then the pod share), so each pair compared is a
 * minute or two apart on a machine whose speed drifts. Every boot has a fresh stage1 rootfs copy and
 * fresh host volume directories, synced to disk before QEMU starts; one app mounts every volume at
 * {@code /v/vNNN}. In the guest the app's probe reads, on the monotonic clock (microseconds; the
 * kernel starts at 0): systemd's start ({@code UserspaceTimestampMonotonic}), the latest {@code
 * ActiveEnterTimestampMonotonic} of the app's mount units (the 9p mount units per volume, or the
 * bind units of the pod share, which need the share's own mount first) and the app service's start
 * ({@code InactiveExitTimestampMonotonic}). QEMU's wall time and {@code generate}'s wall time (with
 * the host binds for the pod share) are recorded beside them.
 *
 * <p>Every pod share is released ({@code kvmount release --share-dir}) after its boot, also when
 * generate or the boot fails, and before the pod's files are deleted; the benchmark then checks that
 * nothing is left mounted below it. A boot that leaves no results (the guest hung until the boot
 * timeout) is retried once, in a directory named {@code ...-retry}. Output: one line per boot in {@code
 * target/e2e-work/boot-bench/boots.tsv}, and the medians with the pod/per-volume ratios (ratio of
 * medians and median of the pair ratios) in {@code summary.md} beside it, also printed on stderr.
 */
@ExtendWith(E2eCondition.class)
class BootToMountsBench {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static final String APP = "bench";

  /** The two strategies compared; {@code POD} uses {@code --share-dir}. */
  enum Strategy {
    PER_VOLUME("per-volume"),
    POD("pod");

    final String label;

    Strategy(String label) {
      this.label = label;
    }
  }

  /**
   * What one boot measured; times in milliseconds.
   *
   * @param round round number, 0 for the warm-up pair
   * @param volumes host volumes in the pod
   * @param strategy per-volume shares or the pod share
   * @param userspaceMs systemd's start after the kernel's (guest monotonic clock)
   * @param mountsActiveMs the latest of the app's mount units becoming active (guest monotonic)
   * @param appStartMs the app service's start (guest monotonic)
   * @param activeUnits how many of the app's mount units were active when the app ran
   * @param qemuMs QEMU's wall time, start to poweroff (host)
   * @param generateMs {@code kvmount generate}'s wall time, host binds included (host)
   * @param load1 the host's 1-minute load average just before the boot
   */
  record Sample(int round, int volumes, Strategy strategy, double userspaceMs, double mountsActiveMs,
      double appStartMs, int activeUnits, double qemuMs, double generateMs, double load1) {
    String tsv() {
      return String.format(Locale.ROOT, "%d\t%d\t%s\t%.1f\t%.1f\t%.1f\t%d\t%.1f\t%.1f\t%.2f", round, volumes,
          strategy.label, userspaceMs, mountsActiveMs, appStartMs, activeUnits, qemuMs, generateMs, load1);
    }
  }

  @Test
  void bootToAllMountsActive_perVolumeAgainstPodShare() throws IOException {
    assumeTrue(Boolean.getBoolean("kvmount.bench.boot"),
        "boot benchmark: run with -Dtest=BootToMountsBench -Dkvmount.bench.boot=true");
    ENV.requireReady();
    int[] sizes = Arrays.stream(System.getProperty("kvmount.bench.sizes", "1,16,64").split(","))
        .map(String::trim).mapToInt(Integer::parseInt).toArray();
    int rounds = Integer.getInteger("kvmount.bench.rounds", 2);
    Path work = E2eEnvironment.workDir("boot-bench");
    Path tsv = work.resolve("boots.tsv");
    Files.writeString(tsv, "round\tvolumes\tstrategy\tuserspace_ms\tmounts_active_ms\tapp_start_ms\tactive_units"
        + "\tqemu_ms\tgenerate_ms\tload1\n", StandardCharsets.UTF_8);
    String startLoad = loadAverage();
    Instant started = Instant.now();
    List<Sample> samples = new ArrayList<>();
    // Round 0 is one warm-up pair at the first size (host caches, JIT of the launcher): recorded, not summarised.
    for (int round = Boolean.parseBoolean(System.getProperty("kvmount.bench.warmup", "true")) ? 0 : 1;
        round <= rounds; round++) {
      for (int n : round == 0 ? new int[] {sizes[0]} : sizes) {
        for (Strategy s : Strategy.values()) {
          Sample sample;
          try {
            sample = bootOnce(work, round, n, s, "");
          } catch (AssertionError e) {
            // A TCG guest on a loaded host sometimes stalls in the kernel (RCU stall, timers not
            // firing) and is killed by the boot timeout: say so and boot that pod once more.
            System.err.println("kvmount bench: boot failed, once more: " + e.getMessage().lines().findFirst().orElse(""));
            sample = bootOnce(work, round, n, s, "-retry");
          }
          samples.add(sample);
          Files.writeString(tsv, sample.tsv() + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
          System.err.println("kvmount bench: " + sample.tsv());
        }
      }
    }
    String summary = summary(samples, sizes, rounds, startLoad, loadAverage(),
        Duration.between(started, Instant.now()));
    Files.writeString(work.resolve("summary.md"), summary, StandardCharsets.UTF_8);
    System.err.println(summary);
    for (Sample s : samples) {
      assertThat(s.activeUnits()).as("active mount units, %s", s).isEqualTo(s.volumes());
      assertThat(s.appStartMs()).as("app started after its mounts, %s", s).isGreaterThanOrEqualTo(s.mountsActiveMs());
    }
  }

  /** One pod of {@code n} volumes booted with strategy {@code s}; the pod share released after. */
  private static Sample bootOnce(Path work, int round, int n, Strategy s, String suffix) throws IOException {
    Path dir = work.resolve(String.format(Locale.ROOT, "r%d-%s-%d%s", round, s.label, n, suffix));
    Files.createDirectories(dir);
    GuestPod pod = GuestPod.create(ENV, dir);
    Path share = dir.resolve("share");
    try {
      GuestPod.App app = pod.app(APP);
      StringBuilder paths = new StringBuilder();
      for (int i = 0; i < n; i++) {
        String name = String.format(Locale.ROOT, "v%03d", i);
        Path host = pod.hostDir(name);
        Files.writeString(host.resolve("id.txt"), name);
        pod.hostVolume(name, host, i % 2 == 1);
        app.mount(name, "/v/" + name);
        paths.append(" \"$R/v/").append(name).append('"');
      }
      // One systemctl call for every unit: under TCG each process start costs tens of ms.
      app.line("retry() { i=0; until out=$(\"$@\" 2>/dev/null); do i=$((i + 1)); [ $i -ge 10 ] && { out=SYSTEMCTL-FAILED; break; }; sleep 2; done; printf '%s\\n' \"$out\"; }")
          .line("say userspace \"$(retry systemctl show -P UserspaceTimestampMonotonic)\"")
          .serviceProperty("app.start", "InactiveExitTimestampMonotonic")
          .line("units=$(systemd-escape --path --suffix=mount --" + paths + ")")
          .line("retry systemctl show -p ActiveEnterTimestampMonotonic -p ActiveState -- $units | sed -n 's/^/unit./p'");
      List<String> options = s == Strategy.POD ? List.of("--share-dir", share.toString()) : List.of();
      long g0 = System.nanoTime();
      GuestPod.Generated generated = pod.generate(options);
      double generateMs = (System.nanoTime() - g0) / 1e6;
      // The stage1 copy and generate's files reach the disk before the boot, not during it.
      Shell.check(dir, Duration.ofMinutes(5), List.of("sync"));
      double load1 = Double.parseDouble(loadAverage().split(" ")[0]);
      GuestPod.Boot boot = pod.boot(generated);
      return sample(boot, round, n, s, generateMs, load1);
    } finally {
      try {
        if (s == Strategy.POD) {
          Shell.Result r = Shell.run(ENV.repo(), Duration.ofMinutes(5),
              List.of(ENV.repo().resolve("kvmount").toString(), "release", "--share-dir", share.toString()));
          assertThat(r.exitCode()).as("kvmount release: %s", r.stderr()).isZero();
          assertThat(PodShareInGuestBase.mountPointsUnder(share)).as("mounts left below %s", share).isEmpty();
        }
      } finally {
        pod.cleanUp();
      }
    }
  }

  private static Sample sample(GuestPod.Boot boot, int round, int n, Strategy s, double generateMs, double load1)
      throws IOException {
    Map<String, String> r = boot.results(APP);
    long maxActive = -1;
    int active = 0;
    for (String line : Files.readAllLines(boot.results().resolve(APP + ".txt"), StandardCharsets.UTF_8)) {
      if (line.startsWith("unit.ActiveEnterTimestampMonotonic=")) {
        maxActive = Math.max(maxActive, Long.parseLong(line.substring(line.indexOf('=') + 1)));
      } else if (line.equals("unit.ActiveState=active")) {
        active++;
      }
    }
    if (maxActive < 0) {
      throw new AssertionError("no mount unit timestamps from the guest\n" + boot.diagnostics());
    }
    return new Sample(round, n, s, micros(boot, r, "userspace") / 1e3, maxActive / 1e3,
        micros(boot, r, "app.start") / 1e3, active, boot.elapsed().toNanos() / 1e6, generateMs, load1);
  }

  private static long micros(GuestPod.Boot boot, Map<String, String> r, String key) {
    String v = r.get(key);
    if (v == null || !v.matches("[0-9]+")) {
      throw new AssertionError(key + "=" + v + " from the guest\n" + boot.diagnostics());
    }
    return Long.parseLong(v);
  }

  /** The first three fields of {@code /proc/loadavg}. */
  private static String loadAverage() throws IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  /** The median of {@code values} (mean of the middle two for an even count). */
  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  /** Markdown: medians per size and strategy, and pod/per-volume ratios. */
  private static String summary(List<Sample> samples, int[] sizes, int rounds, String load0, String load1,
      Duration took) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%d rounds, %s UTC, took %d min %d s, load average %s at the start,"
        + " %s at the end%n%n", rounds, Instant.now().toString(), took.toMinutes(), took.toSecondsPart(), load0, load1));
    b.append("| volumes | measurement | per-volume (median) | pod share (median) | pod / per-volume:"
        + " ratio of medians (median of pair ratios; pairs) |\n| --- | --- | --- | --- | --- |\n");
    for (int n : sizes) {
      row(b, samples, n, "all mounts active (guest)", Sample::mountsActiveMs);
      row(b, samples, n, "all mounts active, from systemd start (guest)", x -> x.mountsActiveMs() - x.userspaceMs());
      row(b, samples, n, "app start (guest)", Sample::appStartMs);
      row(b, samples, n, "systemd start (guest)", Sample::userspaceMs);
      row(b, samples, n, "QEMU start to poweroff (host)", Sample::qemuMs);
      row(b, samples, n, "generate (host)", Sample::generateMs);
    }
    return b.toString();
  }

  private static void row(StringBuilder b, List<Sample> samples, int n, String what,
      java.util.function.ToDoubleFunction<Sample> f) {
    List<Double> pv = new ArrayList<>();
    List<Double> pod = new ArrayList<>();
    List<Double> pairs = new ArrayList<>();
    List<String> pairText = new ArrayList<>();
    for (Sample s : samples) {
      if (s.volumes() != n || s.strategy() != Strategy.PER_VOLUME || s.round() == 0) {
        continue;
      }
      for (Sample t : samples) {
        if (t.volumes() == n && t.round() == s.round() && t.strategy() == Strategy.POD) {
          pv.add(f.applyAsDouble(s));
          pod.add(f.applyAsDouble(t));
          double ratio = f.applyAsDouble(t) / f.applyAsDouble(s);
          pairs.add(ratio);
          pairText.add(String.format(Locale.ROOT, "%.2f", ratio));
        }
      }
    }
    if (pv.isEmpty()) {
      return;
    }
    b.append(String.format(Locale.ROOT, "| %d | %s | %.2f s | %.2f s | **%.2fx** (%.2fx; %s) |%n", n, what,
        median(pv) / 1e3, median(pod) / 1e3, median(pod) / median(pv), median(pairs), String.join(", ", pairText)));
  }
}
