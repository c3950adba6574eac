package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.plan.Plan;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bug class 29 (crash mid-write): a forked JVM applies a plan of about 2,000 unit files and
 * directories and is killed with SIGKILL ({@link Process#destroyForcibly()}) after a seeded delay;
 * a re-run in this JVM must then give exactly the tree a clean run gives (paths, contents, modes,
 * owners, and kvmount's own state file).
 *
 * <p>Half the trials start from an empty stage1 rootfs, half from the tree of a different earlier
 * plan (so the interrupted run was also replacing and removing files). Delays are stratified over
 * the time a whole run takes in a fresh JVM, so kills land at every phase.
 *
 * <p>Trials: 3 by default, so that {@code mvn verify} stays fast (each trial applies 2,000 fsynced
 * files up to three times); CI runs {@code mvn verify -Dkvmount.crashTrials=50}. Surefire passes
 * {@code -D} properties of the Maven command line to the test JVM. The seed is fixed ({@code
 * kvmount.crashSeed}, default 29), and every trial's seed, start tree and delay are in the failure
 * message.
 */
class CrashTest {

  private static final int UNITS = 2000;

  @TempDir Path tmp;

  @Test
  void killedRun_thenReRun_equalsCleanRun() throws Exception {
    int trials = Integer.getInteger("kvmount.crashTrials", 3);
    long seed = Long.getLong("kvmount.crashSeed", 29L);
    boolean root = Fixtures.isRoot(tmp);
    long uid = root ? 1234 : ownerOf(tmp, "uid");
    long gid = root ? 4321 : ownerOf(tmp, "gid");
    Plan p0 = CrashPlans.big(0, UNITS, uid, gid);
    Plan p1 = CrashPlans.big(1, UNITS, uid, gid);

    // References: clean runs. The first one in a forked JVM, to time a whole run there.
    Path fromEmpty = Files.createDirectory(tmp.resolve("ref-empty"));
    long t0 = System.nanoTime();
    Child ref = Child.start(fromEmpty, 1, uid, gid);
    long ready = ref.awaitReady();
    assertThat(ref.completed()).as("reference run completed").isTrue();
    long runNanos = Math.max(System.nanoTime() - ready, TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(ready).isGreaterThan(t0);
    Path fromP0 = Files.createDirectory(tmp.resolve("ref-p0"));
    PlanWriter.apply(p0, fromP0);
    PlanWriter.apply(p1, fromP0);
    SortedMap<String, String> expectEmpty = Fixtures.snapshot(fromEmpty, false);
    SortedMap<String, String> expectP0 = Fixtures.snapshot(fromP0, false);
    assertThat(expectEmpty).hasSizeGreaterThan(2 * UNITS);

    Random rnd = new Random(seed);
    int interrupted = 0;
    List<String> log = new ArrayList<>();
    for (int t = 0; t < trials; t++) {
      long trialStart = System.nanoTime();
      boolean startFromP0 = t % 2 == 1;
      Path work = Files.createDirectory(tmp.resolve("trial-" + t));
      if (startFromP0) {
        PlanWriter.apply(p0, work);
      }
      long delay = (long) (runNanos * ((t + rnd.nextDouble()) / trials));
      if (t == trials - 1 && interrupted == 0) {
        // Load varies between the timed run and the trials; make sure at least one run is cut.
        delay = 0;
      }
      Child c = Child.start(work, 1, uid, gid);
      c.awaitReady();
      TimeUnit.NANOSECONDS.sleep(delay);
      c.process.destroyForcibly();
      boolean killed = !c.completed();
      if (killed) {
        interrupted++;
      }
      log.add("trial " + t + " delay " + delay / 1_000_000 + " ms killed=" + killed);

      PlanWriter.apply(p1, work);

      assertThat(Fixtures.snapshot(work, false))
          .as(
              "trial %d (seed %d, from %s, delay %d ms)",
              t, seed, startFromP0 ? "p0" : "empty", delay / 1_000_000)
          .isEqualTo(startFromP0 ? expectP0 : expectEmpty);
      Fixtures.deleteTree(work);
      log.add("trial " + t + " took " + (System.nanoTime() - trialStart) / 1_000_000 + " ms");
    }
    assertThat(interrupted).as("trials killed before the run finished: %s", log).isPositive();
  }

  private static long ownerOf(Path p, String which) throws IOException {
    return Integer.toUnsignedLong((Integer) Files.getAttribute(p, "unix:" + which));
  }

  /** A forked JVM running {@link CrashApplyMain}; a thread collects its output. */
  private static final class Child {
    final Process process;
    final StringBuffer output = new StringBuffer();
    final CountDownLatch ready = new CountDownLatch(1);
    final Thread reader;

    private Child(Process process) {
      this.process = process;
      this.reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.equals("READY")) {
                      ready.countDown();
                    }
                  }
                } catch (IOException e) {
                  // destroyForcibly() closes the stream under us: the output ends here.
                }
              },
              "crash-child-output");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(Path root, int variant, long uid, long gid) throws Exception {
      String cp =
          Path.of(PlanWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              + File.pathSeparator
              + Path.of(
                  CrashApplyMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(
                  java,
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  cp,
                  CrashApplyMain.class.getName(),
                  root.toString(),
                  String.valueOf(variant),
                  String.valueOf(UNITS),
                  String.valueOf(uid),
                  String.valueOf(gid))
              .redirectErrorStream(true);
      return new Child(pb.start());
    }

    /** Waits for READY; returns the time it was seen. */
    long awaitReady() throws Exception {
      while (!ready.await(100, TimeUnit.MILLISECONDS)) {
        if (!process.isAlive()) {
          reader.join(5000);
          throw new IOException("child exited before READY: " + output);
        }
      }
      return System.nanoTime();
    }

    /** Waits for the exit; returns true if the run completed, false if SIGKILL cut it short. */
    boolean completed() throws Exception {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("child did not exit: " + output);
      }
      int status = process.exitValue();
      if (status == 0) {
        return true;
      }
      if (status == 128 + 9) {
        return false;
      }
      reader.join(5000);
      throw new AssertionError("child failed with status " + status + ": " + output);
    }
  }
}
