package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Planner;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault class 29 for copies (issue 24): a forked JVM copies a Docker image's directory of 1,500
 * files into a volume and is killed with SIGKILL after a seeded delay; a re-run must give exactly
 * the tree a clean run gives (the image's content in the volume, with its times, no staging
 * directory left, the same state file). Four trials, delays spread over the time a whole run takes; seed fixed
 * ({@code kvmount.crashSeed}, default 29), each trial's delay in the failure message.
 */
class CopyCrashTest {

  private static final int FILES = 1500;

  @TempDir Path tmp;

  private Path stage1(String name) throws IOException {
    Path s = Files.createDirectory(tmp.resolve(name));
    Path r = DockerImage.build(s, Fixtures.isRoot(tmp));
    Path many = Files.createDirectories(r.resolve("dir1/many"));
    for (int i = 0; i < FILES; i++) {
      Files.writeString(many.resolve("f" + i), "file " + i + "\n");
    }
    return s;
  }

  @Test
  void killedCopy_thenReRun_equalsCleanRun() throws Exception {
    int trials = 4;
    long seed = Long.getLong("kvmount.crashSeed", 29L);
    Path ref = stage1("ref");
    long t0 = System.nanoTime();
    Process first = start(ref);
    awaitReady(first);
    long ready = System.nanoTime();
    assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).as(output(first)).isZero();
    long runNanos = Math.max(System.nanoTime() - ready, TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(ready).isGreaterThan(t0);
    SortedMap<String, String> expect = Fixtures.snapshot(ref, false);
    assertThat(expect.keySet()).filteredOn(k -> k.startsWith("mnt/db-data/many/")).hasSize(FILES);

    Random rnd = new Random(seed);
    int killed = 0;
    List<String> log = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      Path work = stage1("trial-" + t);
      long delay = (long) (runNanos * ((t + rnd.nextDouble()) / trials));
      if (t == trials - 1 && killed == 0) {
        delay = 0; // load varies: make sure at least one run is cut short
      }
      Process p = start(work);
      awaitReady(p);
      TimeUnit.NANOSECONDS.sleep(delay);
      p.destroyForcibly();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      boolean cut = p.exitValue() != 0;
      if (cut) {
        killed++;
      }
      log.add("trial " + t + " delay " + delay / 1_000_000 + " ms killed=" + cut);
      PlanWriter.apply(Planner.plan(DockerImage.pod(), Map.of("db", DockerImage.image()), PlanOptions.defaults(),
          new NioGuestFs(work)), work);
      assertThat(Fixtures.snapshot(work, false)).as("trial %d (seed %d, delay %d ms)", t, seed, delay / 1_000_000)
          .isEqualTo(expect);
      // Times too: the volume's are the image directory's.
      assertThat(Fixtures.snapshot(work.resolve("mnt/db-data"), true))
          .isEqualTo(Fixtures.snapshot(work.resolve("opt/stage2/db/rootfs/dir1"), true));
    }
    assertThat(killed).as("trials killed before the run finished: %s", log).isPositive();
  }

  private static Process start(Path stage1) throws Exception {
    String cp = Path.of(PlanWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + File.pathSeparator + Path.of(CopyApplyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + File.pathSeparator + System.getProperty("java.class.path");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", cp, CopyApplyMain.class.getName(),
        stage1.toString()).redirectErrorStream(true).start();
  }

  /** Reads the child's output up to READY (the rest is read by {@link #output} if needed). */
  private static void awaitReady(Process p) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = p.getInputStream().read()) >= 0) {
      if (c == '\n') {
        if (line.toString().equals("READY")) {
          return;
        }
        line.setLength(0);
      } else {
        line.append((char) c);
      }
    }
    throw new IOException("child exited before READY: " + line);
  }

  private static String output(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
