package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.concurrent.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serial run ({@code -Dkvmount.serial=true}) and a parallel run give the same plan and the same
 * written tree (every byte, mode and owner, and the state file) for a pod above every parallel
 * threshold: the planner's 256 mounts and apply's 64 files and directories. The property is read
 * on each call, so both runs happen in this JVM, serial first (the parallel pool is then made by
 * the second run).
 */
class SerialParallelTest {

  @TempDir Path tmp;

  @AfterEach
  void serialOff() {
    System.clearProperty(Parallel.SERIAL_PROPERTY);
  }

  @Test
  void serialAndParallelRunsGiveTheSamePlanAndTree() throws Exception {
    // 120 apps x 4 mounts: 480 mounts (> 256), about 600 files and 1,400 directories (> 64).
    Path pod = BigPod.write(tmp.resolve("pod.json"), tmp.resolve("host"), 2, 120, 4);

    System.setProperty(Parallel.SERIAL_PROPERTY, "true");
    Run serial = run(pod, tmp.resolve("serial"));
    System.setProperty(Parallel.SERIAL_PROPERTY, "false");
    Run parallel = run(pod, tmp.resolve("parallel"));

    assertThat(serial.mounts).isGreaterThanOrEqualTo(256);
    assertThat(parallel.plan).isEqualTo(serial.plan);
    assertThat(parallel.report).isEqualTo(serial.report);
    assertThat(parallel.tree).containsKey(".kvmount/state").isEqualTo(serial.tree);
    assertThat(parallel.state).isEqualTo(serial.state);
  }

  /** One run: the dry-run JSON (the plan), then generate's report and the tree it wrote. */
  private record Run(String plan, String report, SortedMap<String, String> tree, String state, long mounts) {}

  private static Run run(Path pod, Path stage1) throws Exception {
    Files.createDirectories(stage1);
    CliRunner.Result plan = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--format", "json", "--dry-run");
    assertThat(plan.exit()).as(plan.err()).isZero();
    CliRunner.Result gen = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString());
    assertThat(gen.exit()).as(gen.err()).isZero();
    String json = plan.out().replace(stage1.toString(), "<stage1>");
    long mounts = json.lines().filter(l -> l.contains("\"origin\"")).count();
    return new Run(json, gen.out().replace(stage1.toString(), "<stage1>"), TreeSnapshot.of(stage1, false),
        Files.readString(stage1.resolve(".kvmount/state")), mounts);
  }
}
