package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kvmount.path.GuestPath;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two mounts of two volumes on one app's same target are refused, whatever the spelling of the
 * paths (the same volume twice is one mount since issue 24, merged by the planner): the
 * reader's shortcut for paths already in normal form must agree with {@link GuestPath}'s own
 * normalisation on every pair. Seeded random paths over components that normalise away (empty,
 * {@code .}) or not, with and without trailing slashes.
 */
class MountTargetNormalTest {

  private static final String[] PARTS = {"a", "b", ".", "", "ab", ".a", "a.", "..a"};

  private static String randomPath(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      sb.append('/').append(PARTS[r.nextInt(PARTS.length)]);
    }
    if (sb.length() == 0 || r.nextInt(4) == 0) {
      sb.append('/');
    }
    return sb.toString();
  }

  private static String manifest(String p1, String p2) {
    return "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"web\",\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"" + p1 + "\"},{\"volume\":\"other\",\"path\":\"" + p2 + "\"}]}],"
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"empty\"},{\"name\":\"other\",\"kind\":\"empty\"}]}";
  }

  @Test
  void sameTargetIsRefusedForEverySpelling() throws Exception {
    Random r = new Random(20261203L);
    int same = 0;
    for (int i = 0; i < 3000; i++) {
      String p1 = randomPath(r);
      String p2 = randomPath(r);
      byte[] json = manifest(p1, p2).getBytes(StandardCharsets.UTF_8);
      boolean expectSame = GuestPath.parse(p1).equals(GuestPath.parse(p2));
      if (expectSame) {
        same++;
        ManifestException e =
            catchThrowableOfType(() -> ManifestReader.readPod(json, "pod.json"), ManifestException.class);
        assertThat(e).as("%s and %s", p1, p2).isNotNull();
        assertThat(e.getMessage()).as("%s and %s", p1, p2).contains("is mounted twice");
      } else {
        assertThat(ManifestReader.readPod(json, "pod.json").apps().get(0).mounts())
            .as("%s and %s", p1, p2)
            .hasSize(2);
      }
    }
    assertThat(same).as("pairs with the same target").isGreaterThan(100);
  }
}
