package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.systemd.UnitName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner finds each mount's nearest enclosing mount, and each read-only mount's nested
 * mounts, by path lookups rather than by comparing every pair of an app's mounts. Seeded random
 * pods with deeply nested, sibling and unrelated targets check the result against the pairwise
 * definition, computed here the slow way: Requires=/After= of every bind unit, After= of every
 * legacy remount service (nested mounts in manifest order), and the read-only share decision.
 */
class PlannerNestingTest {

  private static final String[] NAMES = {"a", "b", "ab", "a.b", "a-b", "c"};

  static Stream<Long> seeds() {
    return IntStream.range(0, 60).mapToObj(i -> 0x6b766d6fL * 31 + i);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void nestedTargets_matchThePairwiseDefinition(long seed) throws Exception {
    Random r = new Random(seed);
    int volumes = 1 + r.nextInt(4);
    StringBuilder vols = new StringBuilder();
    for (int v = 0; v < volumes; v++) {
      vols.append(v > 0 ? "," : "");
      if (r.nextInt(3) == 0) {
        vols.append("{\"name\":\"v").append(v).append("\",\"kind\":\"empty\"")
            .append(r.nextBoolean() ? ",\"readOnly\":true" : "").append("}");
      } else {
        vols.append("{\"name\":\"v").append(v).append("\",\"kind\":\"host\",\"source\":\"/srv/v").append(v).append("\"")
            .append(r.nextInt(3) == 0 ? ",\"readOnly\":true" : "").append("}");
      }
    }
    int apps = 1 + r.nextInt(3);
    StringBuilder appsJson = new StringBuilder();
    for (int a = 0; a < apps; a++) {
      Set<String> paths = new LinkedHashSet<>();
      int want = 1 + r.nextInt(12);
      while (paths.size() < want) {
        int depth = 1 + r.nextInt(4);
        StringBuilder p = new StringBuilder();
        for (int d = 0; d < depth; d++) {
          p.append('/').append(NAMES[r.nextInt(NAMES.length)]);
        }
        paths.add(p.toString());
      }
      StringBuilder mounts = new StringBuilder();
      int i = 0;
      for (String p : paths) {
        mounts.append(i++ > 0 ? "," : "").append("{\"volume\":\"v").append(r.nextInt(volumes))
            .append("\",\"path\":\"").append(p).append("\"}");
      }
      appsJson.append(a > 0 ? "," : "").append(PlannerTest.app("app" + a, mounts.toString(), null));
    }
    String json = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[" + vols + "],\"apps\":["
        + appsJson + "]}";
    PodManifest pod = ManifestReader.readPod(json.getBytes(StandardCharsets.UTF_8), "pod.json");

    for (boolean legacy : new boolean[] {false, true}) {
      Plan plan = Planner.plan(pod, Map.of(), PlanOptions.defaults().withLegacyRemount(legacy), GuestFs.EMPTY);
      for (ResolvedMount m : plan.mounts()) {
        List<ResolvedMount> same = new ArrayList<>();
        for (ResolvedMount o : plan.mounts()) {
          if (o.app().equals(m.app())) {
            same.add(o);
          }
        }
        // Pairwise: the deepest other mount of the same app whose target contains this one.
        ResolvedMount parent = null;
        for (ResolvedMount o : same) {
          if (o != m && o.target().contains(m.target())
              && (parent == null || parent.target().contains(o.target()))) {
            parent = o;
          }
        }
        List<String> deps = new ArrayList<>();
        if (m.kind() == VolumeKind.HOST) {
          deps.add(UnitName.mount(io.kvmount.path.GuestPath.parse("/mnt/" + m.volume())).value());
        }
        if (parent != null) {
          deps.add(parent.unit().value());
        }
        String unit = PlannerTest.file(plan, m.unit().value());
        assertThat(line(unit, "Requires")).as("%s in seed %d", m.unit().value(), seed).isEqualTo(deps);
        assertThat(line(unit, "After")).as("%s in seed %d", m.unit().value(), seed).isEqualTo(deps);

        if (legacy && m.readOnly()) {
          List<String> after = new ArrayList<>();
          after.add(m.unit().value());
          for (ResolvedMount o : same) {
            if (o != m && m.target().contains(o.target())) {
              after.add(o.unit().value());
            }
          }
          String service = m.unit().value().substring(0, m.unit().value().length() - ".mount".length()) + "-remount.service";
          assertThat(line(PlannerTest.file(plan, service), "After")).as("%s in seed %d", service, seed)
              .isEqualTo(after);
        }
      }
      for (Share s : plan.shares()) {
        boolean allRo = true;
        boolean used = false;
        for (ResolvedMount m : plan.mounts()) {
          if (m.volume().equals(s.volume())) {
            used = true;
            allRo &= m.readOnly();
          }
        }
        boolean declaredRo = pod.volumes().stream()
            .anyMatch(v -> v.name().value().equals(s.volume()) && v.readOnly().orElse(false));
        assertThat(s.readOnly()).as("share %s in seed %d", s.volume(), seed).isEqualTo(declaredRo || (used && allRo));
      }
    }
  }

  /** The words of a unit's {@code KEY=} line, empty when it has none. */
  private static List<String> line(String unit, String key) {
    for (String l : unit.split("\n")) {
      if (l.startsWith(key + "=")) {
        return Arrays.asList(l.substring(key.length() + 1).split(" "));
      }
    }
    return List.of();
  }
}
