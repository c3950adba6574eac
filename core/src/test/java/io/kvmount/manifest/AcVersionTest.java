package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link AcVersion}: the appc releases 0.1.0 to 0.8.11 are known; anything else warns. */
class AcVersionTest {
  @ParameterizedTest
  @CsvSource({"0.1.0", "0.3.0", "0.7.1", "0.8.0", "0.8.11", "0.8.11+git", "0.8.11-rc.1", "''"})
  void known(String version) {
    assertThat(AcVersion.unknown(version)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0.9.0", "0.8.12", "1.0.0", "0.0.1", "2.0.0-alpha"})
  void unknown_saysWhichAreKnown(String version) {
    assertThat(AcVersion.unknown(version)).contains("\"" + version + "\" is not an appc version kvmount knows"
        + " (0.1.0 to 0.8.11, the last appc release); read by the rules of 0.8.11");
  }

  @org.junit.jupiter.api.Test
  void readPod_thenPlan_warnsWithFileAndField() throws Exception {
    PodManifest pod = ManifestReader.readPod(
        "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.9.0\",\"apps\":[],\"volumes\":[]}".getBytes(
            java.nio.charset.StandardCharsets.UTF_8), "pod.json");
    assertThat(pod.source()).isEqualTo("pod.json");
    assertThat(pod.place("acVersion")).isEqualTo("pod.json: acVersion");
    assertThat(new PodManifest("0.8.11", java.util.List.of(), java.util.List.of()).place("volumes[0]"))
        .isEqualTo("volumes[0]");
  }
  /** Text that is no version at all (outside the documented input) gets its own reason, not "known". */
  @ParameterizedTest
  @CsvSource({"x", "+0.8.0", "-0.8.0", "0.8"})
  void notAVersion_saysSo(String version) {
    assertThat(AcVersion.unknown(version)).contains("\"" + version + "\" is not an appc version");
  }

  /** Equal content is equal and hashes alike wherever it was read from; other content is not equal. */
  @org.junit.jupiter.api.Test
  void podEquality_ignoresTheSource() throws Exception {
    String json = "{\"acKind\":\"PodManifest\",\"acVersion\":\"%s\",\"apps\":[],\"volumes\":[]}";
    PodManifest a = ManifestReader.readPod(String.format(json, "0.8.11").getBytes(
        java.nio.charset.StandardCharsets.UTF_8), "a.json");
    PodManifest b = ManifestReader.readPod(String.format(json, "0.8.11").getBytes(
        java.nio.charset.StandardCharsets.UTF_8), "b.json");
    PodManifest c = ManifestReader.readPod(String.format(json, "0.7.1").getBytes(
        java.nio.charset.StandardCharsets.UTF_8), "a.json");
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    assertThat(a.hashCode()).isEqualTo(b.hashCode()).isNotEqualTo(c.hashCode());
  }
}
