package io.kvmount.apply;

import static io.kvmount.apply.Fixtures.file;
import static io.kvmount.apply.Fixtures.plan;
import static io.kvmount.apply.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.plan.Plan;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run at a time per stage1 rootfs: across processes and across threads of one JVM. */
class LockTest {

  @TempDir Path tmp;
  Path root;
  Process holder;

  private static final Plan PLAN =
      plan(file("mnt-a.mount", unit("/mnt/a")), file("mnt-b.mount", unit("/mnt/b")));

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
  }

  @AfterEach
  void stopHolder() throws InterruptedException {
    if (holder != null) {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Starts {@link LockHolderMain} in another JVM and waits until it holds the lock. */
  private void holdLockInAnotherProcess() throws Exception {
    String cp =
        Path.of(PlanWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + File.pathSeparator
            + Path.of(
                LockHolderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                cp,
                LockHolderMain.class.getName(),
                root.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("lock holder output").isEqualTo("LOCKED");
  }

  @Test
  void lockHeldByAnotherProcess_failsAfterTheWaitAndWritesNothing() throws Exception {
    holdLockInAnotherProcess();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> PlanWriter.apply(PLAN, root, Duration.ofMillis(400)))
        .isInstanceOf(IOException.class)
        .hasMessage("another kvmount run holds the lock on \"" + root.toRealPath() + "\"");
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
    assertThat(root.resolve("usr")).doesNotExist();
    assertThat(root.resolve(".kvmount/state")).doesNotExist();
  }

  @Test
  void lockHeldByAnotherProcess_waitsForItsRelease() throws Exception {
    holdLockInAnotherProcess();
    CompletableFuture<ApplyResult> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return PlanWriter.apply(PLAN, root, Duration.ofSeconds(60));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    Thread.sleep(500);
    assertThat(run).isNotDone();
    assertThat(root.resolve("usr")).doesNotExist();
    holder.getOutputStream().close(); // the holder exits and its lock goes with it
    ApplyResult r = run.get(60, TimeUnit.SECONDS);
    assertThat(r.written()).hasSize(2);
  }

  @Test
  void lockHeldByAnotherThread_failsWithTheSameMessage() throws Exception {
    Path meta = Files.createDirectory(root.resolve(PlanWriter.META_DIR));
    ApplyLock held = ApplyLock.acquire(root.toRealPath(), meta, Duration.ZERO);
    try {
      assertThatThrownBy(() -> PlanWriter.apply(PLAN, root, Duration.ofMillis(200)))
          .isInstanceOf(IOException.class)
          .hasMessage("another kvmount run holds the lock on \"" + root.toRealPath() + "\"");
    } finally {
      held.close();
    }
    // Released: a run now gets it at once.
    assertThat(PlanWriter.apply(PLAN, root, Duration.ZERO).written()).hasSize(2);
  }

  @Test
  void concurrentRunsInOneJvm_areSerialisedAndWriteEachFileOnce() throws Exception {
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<ApplyResult>> tasks = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        tasks.add(() -> PlanWriter.apply(PLAN, root));
      }
      int written = 0;
      int unchanged = 0;
      for (Future<ApplyResult> f : pool.invokeAll(tasks)) {
        ApplyResult r = f.get();
        written += r.written().size();
        unchanged += r.unchanged().size();
      }
      assertThat(written).isEqualTo(2);
      assertThat(unchanged).isEqualTo(2 * (threads - 1));
    } finally {
      pool.shutdownNow();
    }
    Path clean = Files.createDirectory(tmp.resolve("clean"));
    PlanWriter.apply(PLAN, clean);
    assertThat(Fixtures.snapshot(root, false)).isEqualTo(Fixtures.snapshot(clean, false));
  }
}
