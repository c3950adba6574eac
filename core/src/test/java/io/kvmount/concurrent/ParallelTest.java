package io.kvmount.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Parallel#map} and {@link Background}: input order, first failure, the serial switch. */
class ParallelTest {

  @AfterEach
  void serialOff() {
    System.clearProperty(Parallel.SERIAL_PROPERTY);
  }

  static LongStream seeds() {
    return LongStream.range(0, 40).map(i -> 0x5eed0000L + i);
  }

  @Test
  void map_largeInput_resultsInInputOrderAndSeveralThreads() throws Exception {
    // Each thread's first step waits until a second thread has run a step too: with one thread
    // only, map would never finish (the test times out). Without the wait, one warm pool thread
    // may claim every chunk before the caller starts, which is correct but proves nothing.
    Set<String> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch two = new CountDownLatch(2);
    List<Integer> out =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () ->
                Parallel.map(
                    10_000,
                    16,
                    4,
                    i -> {
                      if (threads.add(Thread.currentThread().getName())) {
                        two.countDown();
                      }
                      two.await();
                      busy(200);
                      return i * 3;
                    }));
    assertThat(out).hasSize(10_000);
    for (int i = 0; i < out.size(); i++) {
      assertThat(out.get(i)).isEqualTo(i * 3);
    }
    assertThat(threads).as("threads used").hasSizeGreaterThan(1);
  }

  @Test
  void map_belowThreshold_runsOnCallerInOrder() throws Exception {
    List<String> seen = new ArrayList<>(); // not thread-safe on purpose: one thread only
    String me = Thread.currentThread().getName();
    List<String> out =
        Parallel.map(
            15,
            16,
            8,
            i -> {
              seen.add(Thread.currentThread().getName() + "#" + i);
              return "r" + i;
            });
    assertThat(out).hasSize(15).startsWith("r0", "r1").endsWith("r14");
    for (int i = 0; i < 15; i++) {
      assertThat(seen.get(i)).isEqualTo(me + "#" + i);
    }
  }

  @Test
  void map_serialSwitch_runsEverythingOnCallerInOrder() throws Exception {
    System.setProperty(Parallel.SERIAL_PROPERTY, "true");
    String me = Thread.currentThread().getName();
    AtomicInteger expected = new AtomicInteger();
    List<Boolean> out =
        Parallel.map(
            5_000,
            16,
            8,
            i ->
                Thread.currentThread().getName().equals(me) && expected.getAndIncrement() == i);
    assertThat(out).hasSize(5_000).containsOnly(true);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void map_failures_firstInInputOrderWins_earlierItemsAllRan_noStepAfterReturn(long seed) {
    Random r = new Random(seed);
    int n = 500 + r.nextInt(5_000);
    int failures = 1 + r.nextInt(5);
    boolean[] fails = new boolean[n];
    int first = n;
    for (int k = 0; k < failures; k++) {
      int at = r.nextInt(n);
      fails[at] = true;
      first = Math.min(first, at);
    }
    boolean unchecked = r.nextBoolean();
    AtomicIntegerArray ran = new AtomicIntegerArray(n);
    AtomicInteger inFlight = new AtomicInteger();
    int expectedFirst = first;
    assertThatThrownBy(
            () ->
                Parallel.map(
                    n,
                    64,
                    1 + r.nextInt(8),
                    i -> {
                      inFlight.incrementAndGet();
                      try {
                        busy(50);
                        ran.set(i, 1);
                        if (fails[i]) {
                          if (unchecked) {
                            throw new IllegalStateException("item " + i);
                          }
                          throw new IOException("item " + i);
                        }
                        return i;
                      } finally {
                        inFlight.decrementAndGet();
                      }
                    }))
        .isInstanceOf(unchecked ? IllegalStateException.class : IOException.class)
        .hasMessage("item " + expectedFirst);
    assertThat(inFlight.get()).as("steps still running after map returned").isZero();
    for (int i = 0; i < expectedFirst; i++) {
      assertThat(ran.get(i)).as("item %d before the first failure ran", i).isEqualTo(1);
    }
  }

  @Test
  void map_nestedCallsFromEveryThread_doNotDeadlock() {
    List<Integer> out =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () ->
                Parallel.map(
                    64,
                    2,
                    8,
                    i -> {
                      List<Integer> inner = Parallel.map(64, 2, 8, j -> j);
                      return inner.size() + i;
                    }));
    assertThat(out.get(0)).isEqualTo(64);
    assertThat(out.get(63)).isEqualTo(127);
  }

  @Test
  void background_handsOverValueThenRunsAfterwards() throws Exception {
    AtomicInteger after = new AtomicInteger();
    Background<String, IOException> b =
        Background.start("test-bg", () -> "value", v -> after.set(v.length()));
    assertThat(b.join()).isEqualTo("value");
    assertThat(b.join()).as("joined twice").isEqualTo("value");
    for (int i = 0; i < 500 && after.get() == 0; i++) {
      Thread.sleep(10);
    }
    assertThat(after.get()).isEqualTo(5);
  }

  @Test
  void background_failure_rethrownOnJoin_afterwardsSkipped() {
    AtomicInteger after = new AtomicInteger();
    Background<String, IOException> b =
        Background.start(
            "test-bg",
            () -> {
              throw new IOException("cannot read");
            },
            v -> after.incrementAndGet());
    assertThatThrownBy(b::join).isInstanceOf(IOException.class).hasMessage("cannot read");
    assertThat(after.get()).isZero();
  }

  @Test
  void background_serialSwitch_runsInsideStart() throws Exception {
    System.setProperty(Parallel.SERIAL_PROPERTY, "true");
    String me = Thread.currentThread().getName();
    AtomicInteger ranBeforeStartReturned = new AtomicInteger();
    Background<String, RuntimeException> b =
        Background.start(
            "test-bg",
            () -> {
              ranBeforeStartReturned.incrementAndGet();
              return Thread.currentThread().getName();
            });
    assertThat(ranBeforeStartReturned.get()).isEqualTo(1);
    assertThat(b.join()).isEqualTo(me);
  }

  /** Some work that takes a little CPU, so threads overlap. */
  private static void busy(int rounds) {
    long x = 0;
    for (int i = 0; i < rounds; i++) {
      x += Long.rotateLeft(x ^ i, 7);
    }
    if (x == 42) {
      throw new AssertionError("unreachable");
    }
  }
}
