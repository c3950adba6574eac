package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Mount tags: fit, unique, never reserved, deterministic (fault classes 1-4). */
class MountTagTest {

  @Test
  void assign_nameThatFits_isUsedAsIs() {
    assertThat(MountTag.assign(List.of("foo", "db-volume"), 31, MountTag.DEFAULT_RESERVED))
        .containsExactly(Map.entry("foo", "foo"), Map.entry("db-volume", "db-volume"));
  }

  @Test
  void assign_limitIsInclusive() {
    String n31 = "a".repeat(31);
    String n32 = "b".repeat(32);
    Map<String, String> q = MountTag.assign(List.of(n31, n32), 31, Set.of());
    assertThat(q.get(n31)).isEqualTo(n31);
    assertThat(q.get(n32)).hasSize(31).startsWith("b".repeat(22) + "-");
    assertThat(MountTag.assign(List.of(n32), 32, Set.of()).get(n32)).isEqualTo(n32);
  }

  @Test
  void assign_reservedName_isHashed() {
    Map<String, String> t = MountTag.assign(List.of("hostfs", "root"), 31, MountTag.DEFAULT_RESERVED);
    assertThat(t.get("hostfs")).startsWith("hostfs-").isNotEqualTo("hostfs");
    assertThat(t.get("root")).startsWith("root-");
  }

  @Test
  void assign_hashedTagEqualToAnotherVolumesName_isMovedAway() {
    String longName = "x".repeat(40);
    String firstTag = MountTag.assign(List.of(longName), 31, Set.of()).get(longName);
    // A second volume literally named like the first one's tag keeps its own name; the long one moves.
    Map<String, String> t = MountTag.assign(List.of(longName, firstTag), 31, Set.of());
    assertThat(t.get(firstTag)).isEqualTo(firstTag);
    assertThat(t.get(longName)).isNotEqualTo(firstTag).hasSizeLessThanOrEqualTo(31);
  }

  static Stream<Integer> seeds() {
    return IntStream.range(0, 200).boxed();
  }

  /** Seeded generator: many names sharing long prefixes never collide and always fit. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void assign_randomNames_uniqueAndWithinLimit(int seed) {
    Random r = new Random(seed);
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String prefix = "volume-with-a-very-long-shared-prefix-".substring(0, r.nextInt(38));
    int n = 1 + r.nextInt(40);
    while (names.size() < n) {
      StringBuilder sb = new StringBuilder(prefix.isEmpty() ? "v" : prefix);
      int len = r.nextInt(30);
      for (int i = 0; i < len; i++) {
        sb.append("abcdefghijklmnopqrstuvwxyz0123456789-".charAt(r.nextInt(37)));
      }
      String name = sb.toString().replaceAll("-+$", "") + "z";
      if (seen.add(name)) {
        names.add(name);
      }
    }
    for (int limit : new int[] {31, 32, 36}) {
      Map<String, String> tags = MountTag.assign(names, limit, MountTag.DEFAULT_RESERVED);
      assertThat(new HashSet<>(tags.values())).hasSize(names.size());
      for (Map.Entry<String, String> e : tags.entrySet()) {
        assertThat(e.getValue().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(limit);
        assertThat(MountTag.DEFAULT_RESERVED).doesNotContain(e.getValue());
        if (e.getKey().length() <= limit) {
          assertThat(e.getValue()).isEqualTo(e.getKey());
        }
      }
      assertThat(MountTag.assign(names, limit, MountTag.DEFAULT_RESERVED)).isEqualTo(tags);
    }
  }
}
