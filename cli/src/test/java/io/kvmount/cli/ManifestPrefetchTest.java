package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.Kvmount;
import io.kvmount.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
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
   */
  @Test
  void podThatFailsToPlan_warmUpIsSilentAndThePodIsHandedOver() throws Exception {
    Path f = Files.writeString(tmp.resolve("unplannable.json"),
        "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": [{\"name\": \"a\","
            + " \"image\": {\"name\": \"example.com/a\", \"id\": \"sha512-0123\"},"
            + " \"mounts\": [{\"volume\": \"v\", \"path\": \"/\"}]}],"
            + " \"volumes\": [{\"name\": \"v\", \"kind\": \"empty\"}]}");
    io.kvmount.manifest.PodManifest direct = Kvmount.readPod(f);
    assertThatThrownBy(() -> Kvmount.plan(direct, null)).isInstanceOf(InvalidInputException.class);
    java.io.PrintStream oldErr = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(err, true));
    try {
      ManifestPrefetch.start(new String[] {"--pod-manifest", f.toString()});
      Thread prefetch = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("kvmount-read-manifest")).findFirst().orElse(null);
      assertThat(ManifestPrefetch.readPod(f)).isEqualTo(direct);
      if (prefetch != null) {
        prefetch.join(10_000);
        assertThat(prefetch.isAlive()).isFalse();
      }
    } finally {
      System.setErr(oldErr);
    }
    assertThat(err.toString()).isEmpty();
  }
}
