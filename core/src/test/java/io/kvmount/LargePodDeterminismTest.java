package io.kvmount;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.apply.ApplyResult;
import io.kvmount.concurrent.Parallel;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning and writing a pod large enough to cross every parallel threshold (the planner's and the
 * writer's) give the same result on every run, whatever the number of threads: the plan (every
 * unit file's bytes, the directories with mode and owner, the shares, mounts and warnings), the
 * hypervisor arguments, the written tree (every entry's type, mode, owner, bytes and link target,
 * {@code .kvmount/} included) and the apply result, in order.
 *
 * <p>The reference run is serial ({@code -Dkvmount.serial=true}, read per call: every step of the
 * planner and the writer on this thread, in order); the other runs are parallel, two started from
 * this thread and one from another thread. Replaces GoldenTest's old check, which rendered small
 * pods (below every threshold) twice.
 */
class LargePodDeterminismTest {

  private static final int APPS = 60;
  private static final int MOUNTS_PER_APP = 10; // 600 mounts: over twice every threshold

  @TempDir static Path tmp;

  private static Path manifest;
  private static Path hostDir;

  @BeforeAll
  static void writePod() throws IOException {
    hostDir = Files.createDirectories(tmp.resolve("host"));
    manifest = writePod(tmp.resolve("pod.json"), hostDir);
  }

  /**
   * The pod: 10 host volumes (every third read-only) and 10 empty volumes with varied modes and
   * owners; per app one empty volume at {@code /srv} and mounts nested inside it, one of them
   * reached through a symlink in the app rootfs ({@link #stage1}).
   */
  static Path writePod(Path file, Path hostDir) throws IOException {
    StringBuilder sb =
        new StringBuilder("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[");
    for (int v = 0; v < 10; v++) {
      Path src = Files.createDirectories(hostDir.resolve("src-" + v));
      sb.append(v == 0 ? "" : ",")
          .append("{\"name\":\"host-").append(v).append("\",\"kind\":\"host\",\"source\":\"")
          .append(src).append('"').append(v % 3 == 0 ? ",\"readOnly\":true" : "").append('}');
      sb.append(",{\"name\":\"empty-").append(v).append("\",\"kind\":\"empty\",\"mode\":\"0")
          .append(v % 2 == 0 ? "750" : "1777").append("\",\"uid\":").append(1000 + v)
          .append(",\"gid\":").append(2000 + v).append('}');
    }
    sb.append("],\"apps\":[");
    for (int a = 0; a < APPS; a++) {
      sb.append(a == 0 ? "" : ",")
          .append("{\"name\":\"app-").append(a)
          .append("\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[");
      sb.append("{\"volume\":\"empty-").append(a % 10).append("\",\"path\":\"/srv\"}");
      for (int m = 1; m < MOUNTS_PER_APP; m++) {
        String kind = (a + m) % 2 == 0 ? "host" : "empty";
        // The last one through the symlink /data -> srv in the app rootfs.
        String dir = m == MOUNTS_PER_APP - 1 ? "/data" : "/srv";
        sb.append(",{\"volume\":\"").append(kind).append('-').append((a + m * 7) % 10)
            .append("\",\"path\":\"").append(dir).append("/vol-").append(m).append("/my-data\"}");
      }
      sb.append("]}");
    }
    sb.append("]}");
    return Files.writeString(file, sb.toString());
  }

  /** A stage1 rootfs in which every app rootfs holds {@code srv/} and the symlink {@code data -> srv}. */
  static Path stage1(Path dir) throws IOException {
    for (int a = 0; a < APPS; a++) {
      Path root = Files.createDirectories(dir.resolve("opt/stage2/app-" + a + "/rootfs"));
      Files.createDirectories(root.resolve("srv"));
      Files.createSymbolicLink(root.resolve("data"), Path.of("srv"));
    }
    return dir;
  }

  /** Everything one run produced, in comparable form. */
  record Run(
      Plan plan,
      String planText,
      List<String> args,
      List<List<String>> daemons,
      List<String> warnings,
      ApplyResult applied,
      SortedMap<String, String> tree) {}

  private static int runs;

  /** Plans and writes the pod into a fresh stage1 rootfs, on a new thread or on this one. */
  private static Run run(boolean onOtherThread) throws Exception {
    Path stage1 = stage1(tmp.resolve("stage1-" + runs++));
    Callable<Run> work =
        () -> {
          PodManifest pod = Kvmount.readPod(manifest);
          Kvmount.Generation g = Kvmount.plan(pod, stage1);
          Kvmount.checkHostSources(g.plan());
          ApplyResult applied = Kvmount.apply(g.plan(), stage1);
          return new Run(g.plan(), g.plan().toString(), g.arguments().args(),
              g.arguments().daemons(), g.warnings(), applied, snapshot(stage1));
        };
    if (!onOtherThread) {
      return work.call();
    }
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      return other.submit(work).get();
    } finally {
      other.shutdown();
    }
  }

  @Test
  void largePod_sameResultOnEveryRun_serialOrParallel() throws Exception {
    Run reference;
    System.setProperty(Parallel.SERIAL_PROPERTY, "true");
    try {
      reference = run(false);
    } finally {
      System.clearProperty(Parallel.SERIAL_PROPERTY);
    }
    assertCrossesEveryParallelThreshold(reference.plan());

    List<Run> others = new ArrayList<>();
    others.add(run(false));
    others.add(run(false));
    others.add(run(true));

    for (Run r : others) {
      assertThat(r.planText()).isEqualTo(reference.planText());
      assertThat(r.plan()).isEqualTo(reference.plan());
      assertThat(r.args()).isEqualTo(reference.args());
      assertThat(r.daemons()).isEqualTo(reference.daemons());
      assertThat(r.warnings()).isEqualTo(reference.warnings());
      assertThat(r.applied()).isEqualTo(reference.applied());
      assertThat(r.tree().keySet()).isEqualTo(reference.tree().keySet());
      assertThat(r.tree()).isEqualTo(reference.tree());
    }
  }

  /**
   * The pod is above the planner's threshold in mounts and the writer's in files and in
   * directories at one depth. Reads the thresholds from the classes, so that raising one past
   * this pod fails here instead of quietly testing less.
   */
  private static void assertCrossesEveryParallelThreshold(Plan plan) throws Exception {
    int planner = intConstant(Class.forName("io.kvmount.plan.Planner"), "PARALLEL_MOUNTS");
    int writer = intConstant(Class.forName("io.kvmount.apply.DesiredTree"), "PARALLEL_MIN");
    assertThat(plan.mounts().size()).as("mounts vs the planner's threshold").isGreaterThanOrEqualTo(2 * planner);
    assertThat(plan.files().size()).as("unit files vs the writer's threshold").isGreaterThanOrEqualTo(2 * writer);
    Map<Integer, Integer> perDepth = new HashMap<>();
    for (PlannedDirectory d : plan.directories()) {
      perDepth.merge(d.path().toString().split("/").length, 1, Integer::sum);
    }
    assertThat(perDepth.values().stream().mapToInt(Integer::intValue).max().orElse(0))
        .as("most directories at one depth vs the writer's threshold")
        .isGreaterThanOrEqualTo(2 * writer);
  }

  private static int intConstant(Class<?> c, String name) throws ReflectiveOperationException {
    Field f = c.getDeclaredField(name); // moved or renamed: point this test at the new threshold
    f.setAccessible(true);
    return f.getInt(null);
  }

  /**
   * Every entry under {@code root}: type, mode, owner, and bytes (as SHA-256, the path of {@code
   * root} replaced by {@code <stage1>}) or link target.
   */
  static SortedMap<String, String> snapshot(Path root) throws Exception {
    SortedMap<String, String> out = new TreeMap<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.toList();
    }
    for (Path p : all) {
      String rel = root.relativize(p).toString();
      String owner =
          Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)
              + ":"
              + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
      if (Files.isSymbolicLink(p)) {
        out.put(rel, "link " + owner + " -> " + Files.readSymbolicLink(p));
        continue;
      }
      String mode =
          PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
              + " "
              + Integer.toOctalString(
                  (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS));
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        out.put(rel, "dir " + mode + " " + owner);
      } else {
        // Each run has its own stage1 rootfs: a file naming it names "<stage1>" here.
        String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        byte[] bytes = text.replace(root.toString(), "<stage1>").getBytes(StandardCharsets.ISO_8859_1);
        out.put(rel, "file " + mode + " " + owner + " " + HexFormat.of().formatHex(sha.digest(bytes)));
      }
    }
    return out;
  }
}
