package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.manifest.PodManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Large pods (at least 256 mounts) resolve their mount targets on several threads. Seeded pods with
 * faults of every kind the target step reports (a mount on "/", a file mount point, a target taken
 * by an earlier mount through a symlink) at random places must give the same first error as the
 * same faults planned one app at a time: the first in manifest order.
 */
class PlannerParallelTargetsTest {

  static LongStream seeds() {
    return LongStream.range(0, 12).map(i -> 0x7a26e7L + i);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void largePod_firstErrorIsTheFirstInManifestOrder(long seed) throws Exception {
    Random r = new Random(seed);
    int apps = 40;
    int perApp = 10;
    FakeGuestFs fs = new FakeGuestFs();
    List<String> appJson = new ArrayList<>();
    // Faulty mounts: (app, mount) pairs, at random; the expected error is the earliest.
    int faults = 1 + r.nextInt(4);
    int[][] at = new int[faults][];
    for (int k = 0; k < faults; k++) {
      at[k] = new int[] {r.nextInt(apps), r.nextInt(perApp), r.nextInt(3)};
    }
    int firstApp = Integer.MAX_VALUE;
    int firstMount = Integer.MAX_VALUE;
    for (int a = 0; a < apps; a++) {
      StringBuilder mounts = new StringBuilder();
      for (int m = 0; m < perApp; m++) {
        String path = "/d" + m;
        for (int[] f : at) {
          if (f[0] == a && f[1] == m) {
            if (f[2] == 0) {
              path = "/";
            } else if (f[2] == 1) {
              path = "/etc/hosts";
              fs.file("/opt/stage2/a" + a + "/rootfs/etc/hosts");
            } else if (m > 0) {
              path = "/alias" + m; // a symlink to an earlier mount's target
              fs.dir("/opt/stage2/a" + a + "/rootfs/d0").link("/opt/stage2/a" + a + "/rootfs/alias" + m, "d0");
            } else {
              path = "/";
            }
            if (a < firstApp || (a == firstApp && m < firstMount)) {
              firstApp = a;
              firstMount = m;
            }
          }
        }
        mounts.append(m == 0 ? "" : ",").append("{\"volume\":\"v\",\"path\":\"").append(path).append("\"}");
      }
      appJson.add(PlannerTest.app("a" + a, mounts.toString(), null));
    }
    PodManifest pod = PlannerTest.pod("{\"name\":\"v\",\"kind\":\"empty\"}", String.join(",", appJson));
    assertThat(pod.apps()).hasSize(apps);
    String parallel = message(pod, fs);
    // The same faulty app alone is planned one mount after the other (10 mounts: no threads).
    assertThat(parallel).startsWith("apps[" + firstApp + "].mounts[" + firstMount + "].path: ");
    PodManifest alone = PlannerTest.pod("{\"name\":\"v\",\"kind\":\"empty\"}", appJson.get(firstApp));
    String serial = message(alone, fs).replace("apps[0]", "apps[" + firstApp + "]");
    assertThat(parallel).isEqualTo(serial);
  }

  private static String message(PodManifest pod, GuestFs fs) throws Exception {
    try {
      Planner.plan(pod, Map.of(), PlanOptions.defaults(), fs);
    } catch (PlanException e) {
      return e.getMessage();
    }
    throw new AssertionError("not rejected");
  }
}
