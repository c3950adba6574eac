package io.kvmount.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvmount.oci.OciConfig;
import io.kvmount.oci.OciException;
import io.kvmount.oci.OciReader;

/**
 * Fuzzes the OCI {@code config.json} reader with raw bytes: any bytes give a configuration or an
 * {@link OciException} with a one-line message, nothing else, each within {@link
 * Contract#MAX_NANOS_PER_INPUT}. Seeds: the OCI hostile corpus and engine-written configs.
 */
class OciConfigFuzzTest {

  @FuzzTest(maxDuration = "25s")
  void read(byte[] json) {
    long start = System.nanoTime();
    try {
      OciConfig config = OciReader.read(json, "config.json");
      assertThat(config.mounts()).isNotNull();
    } catch (OciException e) {
      Contract.oneLineMessage(e);
    }
    Contract.withinTimeBound(start, "OciReader.read");
  }
}
