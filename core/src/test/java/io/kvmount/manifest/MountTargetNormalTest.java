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
  /** Paths with a {@code ..} component are left to the planner (resolved there), even the same text. */
  @Test
  void dotDotPathsAreNotComparedHere() throws Exception {
    for (String p : new String[] {"../x", "/a/..", "a/../b", ".."}) {
      byte[] json = manifest(p, p).getBytes(StandardCharsets.UTF_8);
      assertThat(ManifestReader.readPod(json, "pod.json").apps().get(0).mounts()).as(p).hasSize(2);
    }
    // ".." inside a component is an ordinary name.
    ManifestException e = catchThrowableOfType(
        () -> ManifestReader.readPod(manifest("/a..b", "a..b").getBytes(StandardCharsets.UTF_8), "pod.json"),
        ManifestException.class);
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("is mounted twice");
  }

  /** A relative path of {@code bytes} bytes, components of at most 255 bytes, no slash at either end. */
  private static String relative(int bytes) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < bytes) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      int n = Math.min(200, bytes - sb.length());
      sb.append("a".repeat(n));
    }
    assertThat(sb).hasSize(bytes);
    return sb.toString();
  }

  /**
   * At the length limit: {@code /X} (4095 bytes) and its relative spelling {@code X} are one target;
   * a 4095-byte relative path with a trailing slash, too long once made absolute, is compared as
   * written (the planner refuses it) rather than failing here.
   */
  @Test
  void longPaths_atTheLimit() throws Exception {
    String x = relative(4094);
    ManifestException e = catchThrowableOfType(
        () -> ManifestReader.readPod(manifest("/" + x, x).getBytes(StandardCharsets.UTF_8), "pod.json"),
        ManifestException.class);
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("is mounted twice");
    byte[] json = manifest(x + "/", "/b").getBytes(StandardCharsets.UTF_8);
    assertThat(ManifestReader.readPod(json, "pod.json").apps().get(0).mounts()).hasSize(2);
  }
  private static byte[] mounts(String m1, String m2) {
    return ("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"web\",\"mounts\":["
        + m1 + "," + m2 + "]}],\"volumes\":[{\"name\":\"data\",\"kind\":\"empty\"}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The same volume twice on one target is one mount (kept twice here, merged by the planner); the
   * same name with a different inline definition is two volumes, refused.
   */
  @Test
  void sameVolumeTwice_onlyWithTheSameDefinition() throws Exception {
    String plain = "{\"volume\":\"data\",\"path\":\"/m\"}";
    String inline = "{\"volume\":\"data\",\"path\":\"m/\",\"appVolume\":{\"name\":\"data\",\"kind\":\"empty\"}}";
    assertThat(ManifestReader.readPod(mounts(plain, plain), "pod.json").apps().get(0).mounts()).hasSize(2);
    assertThat(ManifestReader.readPod(mounts(inline, inline), "pod.json").apps().get(0).mounts()).hasSize(2);
    ManifestException e =
        catchThrowableOfType(() -> ManifestReader.readPod(mounts(plain, inline), "pod.json"), ManifestException.class);
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("apps[0].mounts[1].path").contains("is mounted twice");
  }
}
