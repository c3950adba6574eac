package io.kvmount.apply;

import static io.kvmount.apply.Fixtures.file;
import static io.kvmount.apply.Fixtures.plan;
import static io.kvmount.apply.Fixtures.snapshot;
import static io.kvmount.apply.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full and read-only stage1 rootfs, on a real small tmpfs mounted for the test (needs root
 * with CAP_SYS_ADMIN, as in CI; skipped otherwise). The failure must be one clear line and leave
 * the earlier tree and state as they were.
 */
class FileSystemFailureTest {

  @TempDir Path tmp;
  Path root;
  boolean mounted;

  private static final PlannedFile SHARE = file("mnt-data.mount", unit("/mnt/data"));

  @BeforeEach
  void mountSmallTmpfs() throws Exception {
    root = Files.createDirectory(tmp.resolve("root"));
    mounted =
        run("mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", root.toString()) == 0;
    assumeTrue(mounted, "mounting a small tmpfs needs root with CAP_SYS_ADMIN; CI has it");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      run("umount", "-l", root.toString());
    }
  }

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  /** 200 units of 4 KiB each: 800 KiB, more than the 256 KiB file system holds. */
  private static Plan tooBig() {
    List<PlannedFile> files = new ArrayList<>();
    files.add(SHARE);
    String pad = "# " + "x".repeat(4000) + "\n";
    for (int i = 0; i < 200; i++) {
      files.add(file("mnt-vol" + i + ".mount", unit("/mnt/vol" + i) + pad));
    }
    return plan(files, List.of(Fixtures.dir("/mnt/vol", 0755, 0, 0, true)));
  }

  @Test
  void diskFull_failsClearlyAndKeepsTheEarlierTreeAndState() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    SortedMap<String, String> before = snapshot(root, false);
    String state = Files.readString(root.resolve(".kvmount/state"), StandardCharsets.UTF_8);

    assertThatThrownBy(() -> PlanWriter.apply(tooBig(), root))
        .isInstanceOf(IOException.class)
        .hasMessageMatching(
            "write \"usr/lib/systemd/system/mnt-vol\\d+\\.mount\" in stage1 rootfs \""
                + root.toRealPath()
                + "\": no space left on device");

    assertThat(snapshot(root, false)).isEqualTo(before);
    assertThat(Files.readString(root.resolve(".kvmount/state"), StandardCharsets.UTF_8))
        .isEqualTo(state);
    ApplyResult again = PlanWriter.apply(plan(SHARE), root);
    assertThat(again.nothingChanged()).isTrue();
  }

  @Test
  void diskFullOnAFreshTree_leavesNoDirectoriesBehind() throws Exception {
    SortedMap<String, String> before = snapshot(root, false);
    assertThatThrownBy(() -> PlanWriter.apply(tooBig(), root))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith(": no space left on device");
    // kvmount's lock directory may stay; nothing else does.
    SortedMap<String, String> after = snapshot(root, false);
    after.keySet().removeIf(k -> k.equals(".kvmount") || k.equals(".kvmount/lock"));
    assertThat(after).isEqualTo(before);
  }

  @Test
  void readOnlyFileSystem_failsClearlyAndChangesNothing() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    SortedMap<String, String> before = snapshot(root, true);
    assumeTrue(run("mount", "-o", "remount,ro", root.toString()) == 0, "remount read-only failed");

    assertThatThrownBy(
            () -> PlanWriter.apply(plan(SHARE, file("mnt-other.mount", unit("/mnt/other"))), root))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "open lock file \".kvmount/lock\" in stage1 rootfs \""
                + root.toRealPath()
                + "\": read-only file system");
    assertThat(snapshot(root, true)).isEqualTo(before);
  }

  @Test
  void readOnlyFreshTree_failsOnKvmountsDirectory() throws Exception {
    assumeTrue(run("mount", "-o", "remount,ro", root.toString()) == 0, "remount read-only failed");
    assertThatThrownBy(() -> PlanWriter.apply(plan(SHARE), root))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "create directory \".kvmount\" in stage1 rootfs \""
                + root.toRealPath()
                + "\": read-only file system");
  }
}
