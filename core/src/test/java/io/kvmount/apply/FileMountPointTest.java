package io.kvmount.apply;

import static io.kvmount.apply.Fixtures.dir;
import static io.kvmount.apply.Fixtures.file;
import static io.kvmount.apply.Fixtures.mode;
import static io.kvmount.apply.Fixtures.plan;
import static io.kvmount.apply.Fixtures.snapshot;
import static io.kvmount.apply.Fixtures.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.apply.Changes.Change;
import io.kvmount.apply.Changes.Kind;
import io.kvmount.error.InvalidInputException;
import io.kvmount.path.RelativePath;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The file mount points of single-file volumes (issue 19): the empty regular files the writer
 * creates in the stage1 rootfs for a bind unit to bind a host file onto, on real temp dirs.
 * Created when missing (exact mode and owner, confined, recorded), an existing regular file left
 * exactly as it is, anything else there refused before writing, and one kvmount created removed
 * when a later plan drops it only while it is still empty.
 */
class FileMountPointTest {

  private static final String ETC = "/opt/stage2/web/rootfs/etc";
  private static final String HOSTS = ETC + "/hosts";
  private static final String RESOLV = ETC + "/resolv.conf";
  private static final String HOSTS_REL = HOSTS.substring(1);
  private static final String RESOLV_REL = RESOLV.substring(1);
  private static final PlannedFile BIND = file("opt-stage2-web-rootfs-etc-hosts.mount", unit(HOSTS));
  private static final String BIND_REL = "usr/lib/systemd/system/opt-stage2-web-rootfs-etc-hosts.mount";

  @TempDir Path tmp;
  Path root;
  Path outside;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    outside = Files.createDirectory(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "outside\n");
  }

  /** A plan as the planner makes it: the bind unit, the mount points' parent, the mount points. */
  private static Plan withMountPoints(String... fileMountPoints) {
    return plan(List.of(BIND), List.of(dir(ETC, 0755, 0, 0, false)), List.of(fileMountPoints));
  }

  private Path host(String guest) {
    return root.resolve(guest.substring(1));
  }

  private String state() throws IOException {
    return Files.readString(root.resolve(".kvmount/state"), StandardCharsets.UTF_8);
  }

  private static Change change(String rel, Kind kind) {
    return new Change(RelativePath.parse(rel), kind);
  }

  private static long owner(Path p, String which) throws IOException {
    return Integer.toUnsignedLong((Integer) Files.getAttribute(p, "unix:" + which, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void missing_isCreatedEmptyWithExactModeAndOwner_andRecorded() throws Exception {
    Plan p = withMountPoints(HOSTS, RESOLV);

    List<Change> dry = PlanWriter.changes(p, root).entries();
    assertThat(dry).contains(change(HOSTS_REL, Kind.CREATE_FILE), change(RESOLV_REL, Kind.CREATE_FILE));
    assertThat(Kind.CREATE_FILE.id()).isEqualTo("create-file");
    try (Stream<Path> s = Files.list(root)) {
      assertThat(s).as("a dry run writes nothing").isEmpty();
    }

    ApplyResult r = PlanWriter.apply(p, root);

    assertThat(r.fileMountPointsCreated()).containsExactly(HOSTS_REL, RESOLV_REL);
    assertThat(r.nothingChanged()).isFalse();
    boolean isRoot = Fixtures.isRoot(tmp);
    for (String f : List.of(HOSTS, RESOLV)) {
      Path h = host(f);
      assertThat(Files.isRegularFile(h, LinkOption.NOFOLLOW_LINKS)).as(f).isTrue();
      assertThat(Files.size(h)).as(f).isZero();
      assertThat(mode(h)).as(f).isEqualTo(0644);
      assertThat(Fixtures.statMode(h)).as(f).isEqualTo("644");
      assertThat(owner(h, "uid")).as(f).isEqualTo(isRoot ? 0 : owner(tmp, "uid"));
      if (isRoot) {
        assertThat(owner(h, "gid")).as(f).isZero();
      }
    }
    assertThat(state())
        .contains("\nmount-point-file " + HOSTS_REL + "\nmount-point-file " + RESOLV_REL + "\n")
        .endsWith("mount-point-file " + RESOLV_REL + "\n");
  }

  @Test
  void secondApply_changesNothing() throws Exception {
    Plan p = withMountPoints(HOSTS, RESOLV);
    PlanWriter.apply(p, root);
    SortedMap<String, String> before = snapshot(root, true);

    Changes again = PlanWriter.changes(p, root);
    assertThat(again.nothingToDo()).isTrue();
    assertThat(again.entries()).extracting(Change::kind).doesNotContain(Kind.CREATE_FILE);
    ApplyResult r = PlanWriter.apply(p, root);

    assertThat(r.nothingChanged()).isTrue();
    assertThat(r.fileMountPointsCreated()).isEmpty();
    assertThat(snapshot(root, true)).isEqualTo(before);
  }

  @Test
  void samePathTwice_isOneMountPoint() throws Exception {
    ApplyResult r = PlanWriter.apply(withMountPoints(HOSTS, HOSTS), root);
    assertThat(r.fileMountPointsCreated()).containsExactly(HOSTS_REL);
    assertThat(Files.size(host(HOSTS))).isZero();
  }

  @Test
  void existingRegularFile_isLeftExactlyAsItIs_andNeverRemoved() throws Exception {
    Files.createDirectories(host(ETC));
    Path hosts = Files.writeString(host(HOSTS), "127.0.0.1 localhost\n");
    Files.setAttribute(hosts, "unix:mode", 0600);
    if (Fixtures.isRoot(tmp)) {
      Files.setAttribute(hosts, "unix:uid", 1234);
      Files.setAttribute(hosts, "unix:gid", 4321);
    }
    Files.setLastModifiedTime(hosts, FileTime.fromMillis(1_000_000_000_000L));
    Path resolv = Files.createFile(host(RESOLV)); // the app's own empty file
    Files.setLastModifiedTime(resolv, FileTime.fromMillis(1_000_000_000_000L));
    SortedMap<String, String> before = snapshot(host(ETC), true);

    assertThat(PlanWriter.changes(withMountPoints(HOSTS, RESOLV), root).entries())
        .extracting(Change::kind)
        .doesNotContain(Kind.CREATE_FILE);
    ApplyResult r = PlanWriter.apply(withMountPoints(HOSTS, RESOLV), root);

    assertThat(r.fileMountPointsCreated()).isEmpty();
    assertThat(snapshot(host(ETC), true)).isEqualTo(before);
    assertThat(state()).doesNotContain("mount-point-file");

    // Not kvmount's: a plan without them leaves them, the empty one too.
    ApplyResult dropped = PlanWriter.apply(plan(List.of(BIND), List.of(dir(ETC, 0755, 0, 0, false)), List.of()), root);
    assertThat(dropped.fileMountPointsRemoved()).isEmpty();
    assertThat(snapshot(host(ETC), true)).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"directory", "symlink", "dangling symlink", "fifo"})
  void somethingElseAtTheMountPoint_isRefusedBeforeAnythingIsWritten(String what) throws Exception {
    Files.createDirectories(host(ETC));
    Path at = host(HOSTS);
    String is;
    switch (what) {
      case "directory":
        Files.createDirectory(at);
        is = "it is a directory";
        break;
      case "symlink":
        Files.createSymbolicLink(at, outside.resolve("keep.txt"));
        is = "it is a symlink";
        break;
      case "dangling symlink":
        Files.createSymbolicLink(at, outside.resolve("new-file"));
        is = "it is a symlink";
        break;
      default:
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mkfifo")), "needs mkfifo");
        Process mk = new ProcessBuilder("/usr/bin/mkfifo", at.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
        is = "it is not a regular file";
    }
    SortedMap<String, String> in = snapshot(root, true);
    SortedMap<String, String> out = snapshot(outside, true);

    for (Plan p : List.of(withMountPoints(RESOLV, HOSTS), plan(List.of(), List.of(), List.of(HOSTS)))) {
      String message = "refusing to create file mount point \"" + HOSTS_REL + "\": " + is;
      assertThatThrownBy(() -> PlanWriter.changes(p, root)).isInstanceOf(IOException.class).hasMessage(message);
      assertThatThrownBy(() -> PlanWriter.apply(p, root)).isInstanceOf(IOException.class).hasMessage(message);
      assertThat(snapshot(root, true)).as("inside the stage1 rootfs").isEqualTo(in);
      assertThat(snapshot(outside, true)).as("outside the stage1 rootfs").isEqualTo(out);
    }
  }

  @Test
  void symlinkInTheParentChainPointingOutside_isRefused_outsideUntouched() throws Exception {
    Files.createDirectories(host("/opt/stage2/web"));
    Files.createDirectory(outside.resolve("etc"));
    Files.createSymbolicLink(host("/opt/stage2/web/rootfs"), outside);
    SortedMap<String, String> in = snapshot(root, true);
    SortedMap<String, String> out = snapshot(outside, true);

    // Only the mount point planned: the mount point's own walk refuses.
    assertThatThrownBy(() -> PlanWriter.apply(plan(List.of(), List.of(), List.of(HOSTS)), root))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "refusing to create file mount point \"" + HOSTS_REL + "\": \"opt/stage2/web/rootfs\" is a symlink");
    // As the planner plans it, with its parent: the directory's walk refuses first.
    assertThatThrownBy(() -> PlanWriter.apply(withMountPoints(HOSTS), root))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "refusing to create directory \"opt/stage2/web/rootfs/etc\": \"opt/stage2/web/rootfs\" is a"
                + " symlink");

    assertThat(outside.resolve("etc/hosts")).doesNotExist();
    assertThat(snapshot(outside, true)).isEqualTo(out);
    assertThat(snapshot(root, true)).isEqualTo(in);
  }

  @Test
  void relativeSymlinkClimbingOutAsTheParent_isRefused() throws Exception {
    Files.createDirectories(host("/opt/stage2/web/rootfs"));
    Files.createDirectory(outside.resolve("etc"));
    // rootfs/etc -> ../../../../../outside/etc: from root/opt/stage2/web/rootfs up to tmp.
    Files.createSymbolicLink(host(ETC), Path.of("../../../../../outside/etc"));
    assertThat(Files.isDirectory(host(ETC))).as("the link does lead outside").isTrue();
    SortedMap<String, String> out = snapshot(outside, true);

    assertThatThrownBy(() -> PlanWriter.apply(plan(List.of(), List.of(), List.of(HOSTS)), root))
        .isInstanceOf(IOException.class)
        .hasMessage("refusing to create file mount point \"" + HOSTS_REL + "\": \"" + ETC.substring(1)
            + "\" is a symlink");
    assertThat(snapshot(outside, true)).isEqualTo(out);
  }

  @Test
  void droppedFromThePlan_emptyOneIsRemoved_oneWrittenIntoIsLeft() throws Exception {
    PlanWriter.apply(withMountPoints(HOSTS, RESOLV), root);
    Files.writeString(host(RESOLV), "nameserver 192.0.2.53\n");
    Plan next = plan(List.of(BIND), List.of(dir(ETC, 0755, 0, 0, false)), List.of());

    List<Change> dry = PlanWriter.changes(next, root).entries();
    assertThat(dry)
        .containsExactly(change(BIND_REL, Kind.UNCHANGED_FILE), change(HOSTS_REL, Kind.REMOVE_FILE_IF_EMPTY));
    assertThat(Kind.REMOVE_FILE_IF_EMPTY.id()).isEqualTo("remove-file-if-empty");
    ApplyResult r = PlanWriter.apply(next, root);

    assertThat(r.fileMountPointsRemoved()).containsExactly(HOSTS_REL);
    assertThat(r.nothingChanged()).isFalse();
    assertThat(host(HOSTS)).doesNotExist();
    assertThat(Files.readString(host(RESOLV))).isEqualTo("nameserver 192.0.2.53\n");
    assertThat(state()).doesNotContain("mount-point-file");
    assertThat(PlanWriter.apply(next, root).nothingChanged()).isTrue();

    // Forgotten: planned again, it is the user's file now, left as it is and not recorded.
    ApplyResult back = PlanWriter.apply(withMountPoints(RESOLV), root);
    assertThat(back.fileMountPointsCreated()).isEmpty();
    assertThat(Files.readString(host(RESOLV))).isEqualTo("nameserver 192.0.2.53\n");
    assertThat(state()).doesNotContain("mount-point-file");
  }

  @Test
  void droppedFromThePlan_behindASymlinkNow_isForgottenNotRemovedThroughIt() throws Exception {
    PlanWriter.apply(withMountPoints(HOSTS), root);
    Files.move(host(ETC), outside.resolve("etc"));
    Files.createSymbolicLink(host(ETC), outside.resolve("etc"));
    SortedMap<String, String> out = snapshot(outside, true);

    ApplyResult r = PlanWriter.apply(plan(List.of(BIND), List.of(), List.of()), root);

    assertThat(r.fileMountPointsRemoved()).isEmpty();
    assertThat(snapshot(outside, true)).isEqualTo(out);
    assertThat(outside.resolve("etc/hosts")).exists();
    assertThat(state()).doesNotContain("mount-point-file");
  }

  @Test
  void missingAgain_isCreatedAgain_andStaysRecorded() throws Exception {
    PlanWriter.apply(withMountPoints(HOSTS), root);
    Files.delete(host(HOSTS));
    assertThat(PlanWriter.changes(withMountPoints(HOSTS), root).entries())
        .containsExactly(change(HOSTS_REL, Kind.CREATE_FILE), change(BIND_REL, Kind.UNCHANGED_FILE));
    assertThat(PlanWriter.apply(withMountPoints(HOSTS), root).fileMountPointsCreated()).containsExactly(HOSTS_REL);
    assertThat(state()).contains("mount-point-file " + HOSTS_REL + "\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"directory", "parent of a directory", "unit file", "inside .kvmount"})
  void planInconsistent_isInvalidInput_nothingWritten(String how) throws Exception {
    Plan p;
    String message;
    switch (how) {
      case "directory":
        p = plan(List.of(), List.of(dir(HOSTS, 0755, 0, 0, false)), List.of(HOSTS));
        message = "plan: \"" + HOSTS_REL + "\" is planned both as a file mount point and as a directory";
        break;
      case "parent of a directory":
        p = plan(List.of(), List.of(dir(HOSTS + "/x", 0755, 0, 0, false)), List.of(HOSTS));
        message = "plan: \"" + HOSTS_REL + "\" is planned both as a file mount point and as a directory";
        break;
      case "unit file":
        p = plan(List.of(file("hosts.mount", unit("/x"))), List.of(), List.of("/usr/lib/systemd/system/hosts.mount"));
        message = "plan: \"usr/lib/systemd/system/hosts.mount\" is planned both as a file mount point and as a"
            + " unit file";
        break;
      default:
        p = plan(List.of(), List.of(), List.of("/.kvmount/hosts"));
        message = "plan: file mount point \".kvmount/hosts\" is inside kvmount's own directory \".kvmount\"";
    }
    assertThatThrownBy(() -> PlanWriter.changes(p, root)).isInstanceOf(InvalidInputException.class).hasMessage(message);
    assertThatThrownBy(() -> PlanWriter.apply(p, root)).isInstanceOf(InvalidInputException.class).hasMessage(message);
    try (Stream<Path> s = Files.list(root)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void setGroupIdParent_fileStillGetsOwnerZeroAndMode0644() throws Exception {
    assumeTrue(Fixtures.isRoot(tmp), "needs root to give a directory another group");
    Path etc = Files.createDirectory(root.resolve("etc"));
    Files.setAttribute(etc, "unix:gid", 4242);
    Files.setAttribute(etc, "unix:mode", 02775);

    PlanWriter.apply(plan(List.of(), List.of(), List.of("/etc/hostname")), root);

    Path f = etc.resolve("hostname");
    assertThat(owner(f, "uid")).isZero();
    assertThat(owner(f, "gid")).isZero();
    assertThat(mode(f)).isEqualTo(0644);
    assertThat(PlanWriter.apply(plan(List.of(), List.of(), List.of("/etc/hostname")), root).nothingChanged()).isTrue();
  }
}
