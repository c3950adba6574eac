package io.kvmount.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestException;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;

/**
 * Fuzzes the appc manifest readers with raw bytes: any bytes give a manifest or a {@link
 * ManifestException} with a one-line message, nothing else (no runtime exception, no stack
 * overflow, no out-of-memory), each within {@link Contract#MAX_NANOS_PER_INPUT}. Seeds: the hostile
 * corpus, golden pods and the appc specification's examples.
 */
class ManifestFuzzTest {

  @FuzzTest(maxDuration = "25s")
  void readPod(byte[] json) {
    long start = System.nanoTime();
    try {
      PodManifest pod = ManifestReader.readPod(json, "pod.json");
      assertThat(pod.apps()).isNotNull();
    } catch (ManifestException e) {
      Contract.oneLineMessage(e);
    }
    Contract.withinTimeBound(start, "readPod");
  }

  @FuzzTest(maxDuration = "25s")
  void readImage(byte[] json) {
    long start = System.nanoTime();
    try {
      ImageManifest image = ManifestReader.readImage(json, "image.json");
      assertThat(image.name()).isNotNull();
    } catch (ManifestException e) {
      Contract.oneLineMessage(e);
    }
    Contract.withinTimeBound(start, "readImage");
  }
}
