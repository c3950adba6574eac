package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every cut of a valid pod manifest is reported as a truncated document, wherever the cut falls:
 * inside a key, a string, an escape, a literal ({@code tru}), a number ({@code 1.}), or between
 * entries. Jackson reports some of these as syntax errors; the reader must still say "truncated".
 */
class TruncatedDocumentTest {

  private static final String POD =
      "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[{\"name\":\"data\",\"kind\":\"host\","
          + "\"source\":\"/srv/d\\u00e9\",\"readOnly\":true},{\"name\":\"s\",\"kind\":\"empty\",\"mode\":\"0700\","
          + "\"uid\":10,\"gid\":1,\"recursive\":false,\"x\":null,\"f\":1.5e3}],\"apps\":[{\"name\":\"web\","
          + "\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[{\"volume\":\"data\",\"path\":\"/var/data\"}]}]}";

  @Test
  void everyProperPrefix_isATruncatedDocument() throws Exception {
    byte[] full = POD.getBytes(StandardCharsets.UTF_8);
    assertThat(ManifestReader.readPod(full, "pod.json").apps()).hasSize(1);
    int checked = 0;
    for (int cut = 1; cut < full.length; cut++) {
      byte[] prefix = Arrays.copyOf(full, cut);
      int at = cut;
      assertThatThrownBy(() -> ManifestReader.readPod(prefix, "pod.json"))
          .as("cut at byte %d: %s", at, new String(prefix, StandardCharsets.UTF_8))
          .isInstanceOf(ManifestException.class)
          .hasMessageStartingWith("pod.json: ")
          .hasMessageContaining("truncated document")
          .hasMessageNotContaining("\n");
      checked++;
    }
    assertThat(checked).isEqualTo(full.length - 1);
  }

  @Test
  void garbageAfterTheDocument_isNotCalledTruncated() {
    for (String tail : new String[] {" xx", "tru", " 1.", "}"}) {
      byte[] doc = ("{\"acKind\":\"PodManifest\",\"apps\":[]}" + tail).getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> ManifestReader.readPod(doc, "pod.json"))
          .as("tail %s", tail)
          .isInstanceOf(ManifestException.class)
          .hasMessageNotContaining("truncated");
    }
  }

  @Test
  void unfinishedLiteralFollowedByMore_isNotCalledTruncated() {
    byte[] doc = "{\"acKind\":\"PodManifest\",\"apps\":tru}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ManifestReader.readPod(doc, "pod.json"))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("invalid JSON")
        .hasMessageNotContaining("truncated");
  }
}
