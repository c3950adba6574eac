package io.kvmount.apply;

import static io.kvmount.apply.Fixtures.dir;
import static io.kvmount.apply.Fixtures.file;
import static io.kvmount.apply.Fixtures.plan;
import static io.kvmount.apply.Fixtures.snapshot;
import static io.kvmount.apply.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile stage1 rootfs trees, after filepath-securejoin's {@code join_test.go} fixtures (behaviour
 * only; no code copied): absolute and relative symlinks leading out of the root, chains, loops,
 * files where directories are expected. Every case must fail with a clear message, create nothing
 * outside the root, and write nothing inside it.
 */
class ConfinementTest {

  @TempDir Path tmp;
  Path root;
  Path outside;

  private static final PlannedFile SHARE = file("mnt-data.mount", unit("/mnt/data"));
  private static final PlannedFile DROPIN =
      file("web.service.d/10-kvmount-volumes.conf", "[Unit]\nRequires=mnt-data.mount\n");

  private static Plan fullPlan() {
    return plan(List.of(SHARE, DROPIN), List.of(dir("/mnt/data", 0755, 0, 0, true)));
  }

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    outside = Files.createDirectory(tmp.resolve("outside"));
    Files.createDirectories(outside.resolve("lib/systemd/system"));
    Files.writeString(outside.resolve("keep.txt"), "outside\n");
  }

  /** Applies, expects the message, and checks that neither tree changed. */
  private void assertRefused(Plan plan, String message) throws Exception {
    SortedMap<String, String> in = snapshot(root, true);
    SortedMap<String, String> out = snapshot(outside, true);
    assertThatThrownBy(() -> PlanWriter.apply(plan, root))
        .isInstanceOf(IOException.class)
        .hasMessage(message);
    assertThat(snapshot(outside, true)).as("outside the stage1 rootfs").isEqualTo(out);
    assertThat(snapshot(root, true)).as("inside the stage1 rootfs").isEqualTo(in);
  }

  @Test
  void stage1RootfsThatIsASymlinkToTheHostRoot_isRefusedBeforeAnythingIsWritten() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("rootlink"), Path.of("/"));
    boolean metaBefore = Files.exists(Path.of("/.kvmount"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    assertThatThrownBy(() -> PlanWriter.apply(fullPlan(), link))
        .isInstanceOf(IOException.class)
        .hasMessage("stage1 rootfs \"" + link + "\" is the host's root directory; refusing to write there");
    assertThat(Files.exists(Path.of("/.kvmount"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(metaBefore);
  }

  @Test
  void absoluteSymlinkToADirectoryOutside_isRefused() throws Exception {
    Files.createSymbolicLink(root.resolve("usr"), outside);
    assertRefused(
        fullPlan(),
        "refusing to write unit files into \"usr/lib/systemd/system\": \"usr\" is a symlink");
  }

  @Test
  void absoluteSymlinkToEtc_isRefused() throws Exception {
    Files.createSymbolicLink(root.resolve("mnt"), Path.of("/etc"));
    SortedMap<String, String> etcBefore = topLevel(Path.of("/etc"));
    assertRefused(fullPlan(), "refusing to create directory \"mnt/data\": \"mnt\" is a symlink");
    assertThat(Path.of("/etc/data")).doesNotExist();
    assertThat(topLevel(Path.of("/etc"))).isEqualTo(etcBefore);
    Files.delete(root.resolve("mnt")); // deliberate link out of @TempDir; JUnit would warn
  }

  @Test
  void relativeDotDotChain_isRefused() throws Exception {
    // usr/lib -> ../../outside/lib: real usr, then a link climbing out of the root.
    Files.createDirectory(root.resolve("usr"));
    Files.createSymbolicLink(root.resolve("usr/lib"), Path.of("../../outside/lib"));
    assertRefused(
        fullPlan(),
        "refusing to write unit files into \"usr/lib/systemd/system\": \"usr/lib\" is a symlink");
  }

  @Test
  void multiHopChainOfRelativeLinks_isRefused() throws Exception {
    // mnt -> a, a -> b/../outside, b -> . : every hop is a link; the end is outside the root.
    Files.createSymbolicLink(root.resolve("mnt"), Path.of("a"));
    Files.createSymbolicLink(root.resolve("a"), Path.of("b/../outside"));
    Files.createSymbolicLink(root.resolve("b"), Path.of("."));
    assertRefused(fullPlan(), "refusing to create directory \"mnt/data\": \"mnt\" is a symlink");
  }

  @Test
  void symlinkLoop_isRefused() throws Exception {
    Files.createSymbolicLink(root.resolve("mnt"), Path.of("loop"));
    Files.createSymbolicLink(root.resolve("loop"), Path.of("mnt"));
    assertRefused(fullPlan(), "refusing to create directory \"mnt/data\": \"mnt\" is a symlink");
  }

  @Test
  void selfLoopAsPlannedDirectory_isRefused() throws Exception {
    Files.createDirectory(root.resolve("mnt"));
    Files.createSymbolicLink(root.resolve("mnt/data"), Path.of("data"));
    assertRefused(
        fullPlan(), "refusing to create directory \"mnt/data\": \"mnt/data\" is a symlink");
  }

  @Test
  void fileWhereADirectoryIsExpected_isRefused() throws Exception {
    Files.createDirectories(root.resolve("usr/lib"));
    Files.writeString(root.resolve("usr/lib/systemd"), "not a directory\n");
    assertRefused(
        fullPlan(),
        "refusing to write unit files into \"usr/lib/systemd/system\": \"usr/lib/systemd\" is not"
            + " a directory");
  }

  @Test
  void symlinkedUnitsDirectory_isRefused() throws Exception {
    Files.createDirectories(root.resolve("usr/lib/systemd"));
    Files.createSymbolicLink(
        root.resolve("usr/lib/systemd/system"), outside.resolve("lib/systemd/system"));
    assertRefused(
        fullPlan(),
        "refusing to write unit files into \"usr/lib/systemd/system\": \"usr/lib/systemd/system\""
            + " is a symlink");
  }

  @Test
  void symlinkedDropInDirectory_isRefused() throws Exception {
    Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
    Files.createSymbolicLink(units.resolve("web.service.d"), outside);
    assertRefused(
        fullPlan(),
        "refusing to write \"usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf\":"
            + " \"usr/lib/systemd/system/web.service.d\" is a symlink");
  }

  @Test
  void symlinkAtTheUnitFile_isRefusedNotWrittenThrough() throws Exception {
    Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
    Files.createSymbolicLink(units.resolve("mnt-data.mount"), outside.resolve("keep.txt"));
    assertRefused(
        fullPlan(), "refusing to write \"usr/lib/systemd/system/mnt-data.mount\": it is a symlink");
    assertThat(outside.resolve("keep.txt")).hasContent("outside\n");
  }

  @Test
  void danglingSymlinkAtTheUnitFile_isRefused() throws Exception {
    Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
    Files.createSymbolicLink(units.resolve("mnt-data.mount"), outside.resolve("new-file"));
    assertRefused(
        fullPlan(), "refusing to write \"usr/lib/systemd/system/mnt-data.mount\": it is a symlink");
    assertThat(outside.resolve("new-file")).doesNotExist();
  }

  @Test
  void directoryAtTheUnitFile_isRefused() throws Exception {
    Files.createDirectories(root.resolve("usr/lib/systemd/system/mnt-data.mount"));
    assertRefused(
        fullPlan(),
        "refusing to write \"usr/lib/systemd/system/mnt-data.mount\": it is a directory");
  }

  @Test
  void symlinkedKvmountDirectory_isRefused() throws Exception {
    Files.createSymbolicLink(root.resolve(".kvmount"), outside);
    assertRefused(
        fullPlan(),
        "refusing to use \".kvmount\" in stage1 rootfs \""
            + root.toRealPath()
            + "\": it is a symlink");
  }

  @Test
  void symlinkedStateFile_isRefused() throws Exception {
    Files.createDirectory(root.resolve(".kvmount"));
    Files.createSymbolicLink(root.resolve(".kvmount/state"), outside.resolve("keep.txt"));
    assertRefused(
        fullPlan(),
        "refusing to use \".kvmount/state\" in stage1 rootfs \""
            + root.toRealPath()
            + "\": it is a symlink");
  }

  @Test
  void symlinkedLockFile_isRefused() throws Exception {
    Files.createDirectory(root.resolve(".kvmount"));
    Files.createSymbolicLink(root.resolve(".kvmount/lock"), outside.resolve("lockfile"));
    assertRefused(
        fullPlan(),
        "refusing to use \".kvmount/lock\" in stage1 rootfs \""
            + root.toRealPath()
            + "\": it is a symlink");
    assertThat(outside.resolve("lockfile")).doesNotExist();
  }

  @Test
  void staleFileBehindASymlink_isForgottenNotRemovedThroughIt() throws Exception {
    PlanWriter.apply(plan(SHARE), root);
    // Someone moves the units directory away and links it to a copy outside.
    Path units = root.resolve("usr/lib/systemd/system");
    Files.copy(
        units.resolve("mnt-data.mount"), outside.resolve("lib/systemd/system/mnt-data.mount"));
    Files.delete(units.resolve("mnt-data.mount"));
    Files.delete(units);
    Files.createSymbolicLink(units, outside.resolve("lib/systemd/system"));
    SortedMap<String, String> out = snapshot(outside, true);

    PlanWriter.apply(plan(), root);

    assertThat(snapshot(outside, true)).isEqualTo(out);
    assertThat(Files.isSymbolicLink(units)).isTrue();
  }

  @Test
  void rootGivenThroughASymlink_isTrusted() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("root-link"), root);
    PlanWriter.apply(plan(SHARE), link);
    assertThat(root.resolve("usr/lib/systemd/system/mnt-data.mount")).hasContent(SHARE.content());
    assertThat(Files.isSymbolicLink(link)).isTrue();
  }

  private static SortedMap<String, String> topLevel(Path dir) throws IOException {
    SortedMap<String, String> m = new java.util.TreeMap<>();
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        m.put(
            p.getFileName().toString(),
            String.valueOf(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis()));
      }
    }
    m.put(".", String.valueOf(Files.getLastModifiedTime(dir).toMillis()));
    return m;
  }
}
