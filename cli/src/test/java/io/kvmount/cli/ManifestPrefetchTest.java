package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.Kvmount;
import io.kvmount.error.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest read ahead gives exactly what reading it in place gives: the pod or the error. */
class ManifestPrefetchTest {

  @TempDir Path tmp;

  private static final String POD =
      "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": [], \"volumes\": []}";

  @Test
  void sameFile_prefetchedPodEqualsAReadNow() throws Exception {
    Path f = Files.writeString(tmp.resolve("pod.json"), POD);
    ManifestPrefetch.start(new String[] {"--stage1-rootfs", "x", "--pod-manifest", f.toString()});
    assertThat(ManifestPrefetch.readPod(f)).isEqualTo(Kvmount.readPod(f));
    ManifestPrefetch.start(new String[] {"--pod-manifest=" + f});
    assertThat(ManifestPrefetch.readPod(f)).isEqualTo(Kvmount.readPod(f));
  }

  @Test
  void badManifest_sameExceptionAndMessage() throws Exception {
    Path f = Files.writeString(tmp.resolve("bad.json"), "{\"acKind\": \"PodManifest\", \"apps\": [}");
    String expected = null;
    try {
      Kvmount.readPod(f);
    } catch (InvalidInputException e) {
      expected = e.getMessage();
    }
    assertThat(expected).isNotNull();
    ManifestPrefetch.start(new String[] {"--pod-manifest", f.toString()});
    assertThatThrownBy(() -> ManifestPrefetch.readPod(f)).isInstanceOf(InvalidInputException.class).hasMessage(expected);
  }

  @Test
  void otherFile_readsTheOneAskedFor() throws Exception {
    Path a = Files.writeString(tmp.resolve("a.json"), POD);
    Path missing = tmp.resolve("missing.json");
    ManifestPrefetch.start(new String[] {"--pod-manifest", missing.toString()});
    assertThat(ManifestPrefetch.readPod(a)).isEqualTo(Kvmount.readPod(a));
    // nothing left over for a later call
    assertThatThrownBy(() -> ManifestPrefetch.readPod(missing)).isInstanceOf(InvalidInputException.class);
  }

  /**
   * A pod that reads but does not plan: the warm-up after the read (planning it on the prefetch
   * thread) fails silently; the pod is handed over and the main thread reports the error itself.
   *
   * <p>The manifest is a FIFO, so the prefetch thread cannot finish before the test has found it:
   * its read blocks until the test writes the pod. The test then checks what the class promises:
   * the read runs on its own daemon thread, the pod handed over is the one a read in place gives,
   * and the failed warm-up ends the thread without a trace: nothing on stdout or stderr, no
   * uncaught exception.
   */
  @Test
  void podThatFailsToPlan_warmUpIsSilentAndThePodIsHandedOver() throws Exception {
    String json =
        "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": [{\"name\": \"a\","
            + " \"image\": {\"name\": \"example.com/a\", \"id\": \"sha512-0123\"},"
            + " \"mounts\": [{\"volume\": \"v\", \"path\": \"/\"}]}],"
            + " \"volumes\": [{\"name\": \"v\", \"kind\": \"empty\"}]}";
    Path f = tmp.resolve("unplannable.json");
    Process mkfifo = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).as("mkfifo exit code").isZero();

    Thread feeder = feed(f, json); // a read in place, for comparison
    io.kvmount.manifest.PodManifest direct = Kvmount.readPod(f);
    feeder.join(10_000);
    assertThatThrownBy(() -> Kvmount.plan(direct, null)).isInstanceOf(InvalidInputException.class);

    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler oldHandler = Thread.getDefaultUncaughtExceptionHandler();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread prefetch;
    try {
      Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));

      Set<Thread> earlier = threadsNamed("kvmount-read-manifest"); // of other tests, ending
      ManifestPrefetch.start(new String[] {"--pod-manifest", f.toString()});
      prefetch = awaitNewThread("kvmount-read-manifest", earlier); // blocked on the FIFO until fed
      assertThat(prefetch).as("the prefetch thread, blocked reading the FIFO").isNotNull();
      assertThat(prefetch.isDaemon()).as("a daemon: a hung read must not keep the JVM alive").isTrue();
      feeder = feed(f, json);
      assertThat(ManifestPrefetch.readPod(f)).isEqualTo(direct);
      feeder.join(10_000);
      prefetch.join(10_000);
      assertThat(prefetch.isAlive()).as("the prefetch thread ends after its warm-up").isFalse();
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      Thread.setDefaultUncaughtExceptionHandler(oldHandler);
    }
    assertThat(uncaught).as("exceptions that escaped the prefetch thread").isEmpty();
    assertThat(out.toString(StandardCharsets.UTF_8)).as("stdout").isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8)).as("stderr").isEmpty();
  }

  /** Writes {@code text} into the FIFO on a new thread (the write blocks until a reader opens it). */
  private static Thread feed(Path fifo, String text) {
    Thread t =
        new Thread(
            () -> {
              try {
                Files.writeString(fifo, text, StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            "test-feed-fifo");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static Set<Thread> threadsNamed(String name) {
    Set<Thread> r = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        r.add(t);
      }
    }
    return r;
  }

  /** A live thread with this name not in {@code earlier}, waiting up to 10 s; null if none. */
  private static Thread awaitNewThread(String name, Set<Thread> earlier) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (Thread t : threadsNamed(name)) {
        if (!earlier.contains(t) && t.isAlive()) {
          return t;
        }
      }
      Thread.sleep(10);
    }
    return null;
  }
}
