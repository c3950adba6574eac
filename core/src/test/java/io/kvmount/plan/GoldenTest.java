package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvmount.hypervisor.Arguments;
import io.kvmount.hypervisor.Hypervisor;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden-file tests: every directory under {@code src/test/resources/golden/} holds {@code
 * input/pod.json} (and optionally {@code input/images/<app>.json}) and the expected output tree
 * {@code expected/}: {@code units/} (unit files and drop-ins, byte-exact, QEMU tags),
 * {@code dirs.txt}, {@code warnings.txt}, and per backend and transport ({@code qemu}, {@code lkvm},
 * {@code qemu-virtiofs}, {@code cloud-hypervisor}, {@code firecracker}) {@code <key>.args} (one
 * argument per line), {@code <key>.daemons} (virtiofsd lines) or {@code <key>.error}; {@code
 * virtiofs-units/} holds the share units for virtio-fs. Cases are discovered automatically; run with {@code -Dgolden.update=true}
 * to rewrite the expectations (then review the diff).
 */
class GoldenTest {

  @TestFactory
  Stream<DynamicTest> goldenCases() throws IOException {
    List<Path> cases = Golden.cases();
    assertThat(cases).isNotEmpty();
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
  }

  // Determinism is checked by io.kvmount.LargePodDeterminismTest on a pod above every parallel
  // threshold: these cases are below all of them, where two renderings cannot differ.

  static PodManifest pod(Path caseDir) throws Exception {
    Path f = caseDir.resolve("input/pod.json");
    return ManifestReader.readPod(Files.readAllBytes(f), "pod.json");
  }

  static Map<String, ImageManifest> images(Path caseDir) throws Exception {
    Map<String, ImageManifest> out = new LinkedHashMap<>();
    Path dir = caseDir.resolve("input/images");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.sorted().toList()) {
          String app = p.getFileName().toString().replaceFirst("\\.json$", "");
          out.put(app, ManifestReader.readImage(Files.readAllBytes(p), p.getFileName().toString()));
        }
      }
    }
    return out;
  }

  /** Plan options of a case: defaults, plus legacy remount when {@code input/legacy-remount} exists. */
  static PlanOptions options(Path caseDir) {
    return PlanOptions.defaults().withLegacyRemount(Files.exists(caseDir.resolve("input/legacy-remount")));
  }

  /** Renders a case to a map from relative output path to content. */
  static Map<String, String> render(Path caseDir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    PodManifest pod = pod(caseDir);
    Map<String, ImageManifest> images = images(caseDir);
    Plan plan;
    try {
      plan = Planner.plan(pod, images, options(caseDir), GuestFs.EMPTY);
    } catch (PlanException e) {
      out.put("plan.error", e.getMessage() + "\n");
      return out;
    }
    for (PlannedFile f : plan.files()) {
      out.put("units/" + f.path(), f.content());
    }
    StringBuilder dirs = new StringBuilder();
    for (PlannedDirectory d : plan.directories()) {
      dirs.append(d.mode()).append(' ').append(d.uid()).append(':').append(d.gid()).append(' ')
          .append(d.managed() ? "managed " : "").append(d.path()).append('\n');
    }
    out.put("dirs.txt", dirs.toString());
    if (!plan.hostMountPoints().isEmpty()) {
      StringBuilder h = new StringBuilder();
      for (Plan.HostMountPoint m : plan.hostMountPoints()) {
        h.append(m.path()).append("  (").append(m.origin()).append(": ").append(m.reason()).append(")\n");
      }
      out.put("host-mount-points.txt", h.toString());
    }
    List<String> warnings = new ArrayList<>(plan.warnings());
    for (String[] combo : new String[][] {
        {"qemu", "9p", "qemu"}, {"lkvm", "9p", "lkvm"}, {"qemu", "virtiofs", "qemu-virtiofs"},
        {"cloud-hypervisor", "virtiofs", "cloud-hypervisor"}, {"firecracker", "virtiofs", "firecracker"}}) {
      Hypervisor hv = Hypervisors.byName(combo[0]);
      Transport t = Transport.of(combo[1]);
      String key = combo[2];
      try {
        Plan p = Planner.plan(pod, images, options(caseDir).withTransport(t, hv.maxTagBytes(t)), GuestFs.EMPTY);
        Arguments a = hv.arguments(p.shares(), t, HypervisorOptions.defaults());
        out.put(key + ".args", a.args().isEmpty() ? "" : String.join("\n", a.args()) + "\n");
        if (!a.daemons().isEmpty()) {
          StringBuilder d = new StringBuilder();
          for (List<String> argv : a.daemons()) {
            d.append(String.join(" ", argv)).append('\n');
          }
          out.put(key + ".daemons", d.toString());
        }
        if (t == Transport.VIRTIOFS && combo[0].equals("qemu")) {
          for (PlannedFile f : p.files()) {
            if (f.path().toString().startsWith("mnt-")) {
              out.put("virtiofs-units/" + f.path(), f.content());
            }
          }
        }
        for (String w : a.warnings()) {
          warnings.add(key + ": " + w);
        }
      } catch (PlanException e) {
        out.put(key + ".error", e.getMessage() + "\n");
      }
    }
    out.put("warnings.txt", warnings.isEmpty() ? "" : String.join("\n", warnings) + "\n");
    return out;
  }

  private static void check(Path caseDir) throws Exception {
    Map<String, String> actual = render(caseDir);
    Path expectedDir = caseDir.resolve("expected");
    if (Golden.update()) {
      Golden.writeTree(Golden.sourceDir(caseDir).resolve("expected"), actual);
      return;
    }
    Map<String, String> expected = Golden.readTree(expectedDir);
    List<String> problems = Golden.diff(expected, actual);
    if (!problems.isEmpty()) {
      fail(caseDir.getFileName() + " differs from expected/ (run with -Dgolden.update=true to accept):\n"
          + String.join("\n", problems));
    }
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String k : expected.keySet()) {
      assertThat(actual.get(k).getBytes(StandardCharsets.UTF_8))
          .as(k).isEqualTo(expected.get(k).getBytes(StandardCharsets.UTF_8));
    }
  }
}
