package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import io.kvmount.systemd.UnitName;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plan's small value types: ids, validation in their constructors, derived values. */
class PlanValueTypesTest {

  private static PlanOptions options(int maxTagBytes, int msize, String cache, ShareStrategy share,
      Optional<String> shareDir) {
    return new PlanOptions(Transport.NINE_P, maxTagBytes, Set.of(), PlanOptions.DEFAULT_UNITS_DIR, msize, cache, false,
        share, shareDir, Route.UNITS);
  }

  @Test
  void planOptions_limits_areInclusive() {
    // msize: 4096..512000 (the 9p client's own range), tag limit at least 12 bytes (8 hex digits and more).
    assertThat(options(12, 4096, "none", ShareStrategy.PER_VOLUME, Optional.empty()).msize()).isEqualTo(4096);
    assertThat(options(12, 512000, "loose", ShareStrategy.PER_VOLUME, Optional.empty()).maxTagBytes()).isEqualTo(12);
    assertThatThrownBy(() -> options(31, 4095, "mmap", ShareStrategy.PER_VOLUME, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("msize 4095 is outside 4096..512000");
    assertThatThrownBy(() -> options(31, 512001, "mmap", ShareStrategy.PER_VOLUME, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("msize 512001 is outside 4096..512000");
    assertThatThrownBy(() -> options(11, 512000, "mmap", ShareStrategy.PER_VOLUME, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("tag limit 11 is below 12 bytes");
    assertThatThrownBy(() -> options(31, 512000, "always", ShareStrategy.PER_VOLUME, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("9p cache mode \"always\" is not one of none, loose, fscache, mmap");
  }

  @Test
  void planOptions_shareDirectory_goesWithThePodShare_andIsAbsolute() {
    assertThat(options(31, 512000, "mmap", ShareStrategy.POD, Optional.of("/srv/share")).shareDir()).contains("/srv/share");
    assertThatThrownBy(() -> options(31, 512000, "mmap", ShareStrategy.POD, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("the pod share needs a share directory");
    assertThatThrownBy(() -> options(31, 512000, "mmap", ShareStrategy.PER_VOLUME, Optional.of("/srv/share")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("a share directory needs the pod share");
    assertThatThrownBy(() -> PlanOptions.defaults().withPodShare("srv/share"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("share directory \"srv/share\" is not absolute");
  }

  @Test
  void planOptions_withRoute_changesOnlyTheRoute() {
    PlanOptions o = PlanOptions.defaults().withRoute(Route.CREDENTIALS);
    assertThat(o.route()).isEqualTo(Route.CREDENTIALS);
    assertThat(o.withRoute(Route.UNITS)).isEqualTo(PlanOptions.defaults());
  }

  @Test
  void enums_haveTheirOptionValues() {
    assertThat(Route.UNITS.id()).isEqualTo("units");
    assertThat(Route.CREDENTIALS.id()).isEqualTo("credentials");
    assertThat(Route.byId("cmdline")).isEqualTo(Route.CMDLINE);
    assertThat(Route.byId("units")).isEqualTo(Route.UNITS);
    assertThatThrownBy(() -> Route.byId("fstab")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--emit must be one of units, credentials, cmdline, not \"fstab\"");
    assertThat(Route.UNITS.sealed()).isFalse();
    assertThat(Route.CREDENTIALS.sealed()).isTrue();
    assertThat(Route.CMDLINE.sealed()).isTrue();
    assertThat(ShareStrategy.PER_VOLUME.id()).isEqualTo("per-volume");
    assertThat(ShareStrategy.byId("pod")).isEqualTo(ShareStrategy.POD);
    assertThat(ShareStrategy.byId("per-volume")).isEqualTo(ShareStrategy.PER_VOLUME);
    assertThatThrownBy(() -> ShareStrategy.byId("one")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("share strategy \"one\" is not one of per-volume, pod");
    assertThat(VolumeKind.FILESYSTEM.id()).isEqualTo("filesystem");
    assertThat(BundlePlanner.RootSource.SHARE.id()).isEqualTo("share");
    assertThat(BundlePlanner.RootSource.STAGE1.id()).isEqualTo("stage1");
  }

  @Test
  void podShare_guestPath_perRoute() {
    assertThat(PodShare.guestPath(Route.UNITS)).hasToString("/mnt/kvmount_pod");
    assertThat(PodShare.guestPath(Route.CREDENTIALS)).hasToString("/run/kvmount/kvmount_pod");
    assertThat(PodShare.guestPath(Route.CMDLINE)).hasToString("/run/kvmount/kvmount_pod");
  }

  @Test
  void hostMountPoint_hostPath_joinsWithOneSlash() {
    RelativePath rel = RelativePath.parse("etc/app.conf");
    assertThat(new PlannedHostMountPoint("/srv/root", rel, true, "o").hostPath()).isEqualTo("/srv/root/etc/app.conf");
    assertThat(new PlannedHostMountPoint("/", rel, true, "o").hostPath()).isEqualTo("/etc/app.conf");
  }

  @Test
  void fileMountPoint_isNeverTheRoot() {
    assertThat(new PlannedFileMountPoint(GuestPath.parse("/a/f")).path()).hasToString("/a/f");
    assertThatThrownBy(() -> new PlannedFileMountPoint(GuestPath.ROOT)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a file mount point cannot be /");
  }

  @Test
  void resolvedMount_sourceTypeAndCopyUp_goWithTheKind() {
    GuestPath p = GuestPath.parse("/d");
    GuestPath t = GuestPath.parse("/opt/stage2/a/rootfs/d");
    UnitName u = new UnitName("opt-stage2-a-rootfs-d.mount");
    assertThatThrownBy(() -> new ResolvedMount("a", "v", VolumeKind.EMPTY, Optional.of("/s"), p, t, false, u, "o"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("volume \"v\": an empty volume has no source");
    assertThatThrownBy(() -> new ResolvedMount("a", "v", VolumeKind.HOST, Optional.empty(), p, t, false, u, "o"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("volume \"v\": a host mount needs a source");
    assertThatThrownBy(() -> new ResolvedMount("a", "v", VolumeKind.FILESYSTEM, Optional.of("tmpfs"), p, t, false, u, "o"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("volume \"v\": only a filesystem mount has a type");
    assertThatThrownBy(() -> new ResolvedMount("a", "v", VolumeKind.HOST, Optional.of("/s"), p, t, false, u, "o",
        List.of(), Optional.of("tmpfs"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("volume \"v\": only a filesystem mount has a type");
    assertThatThrownBy(() -> new ResolvedMount("a", "proc", VolumeKind.FILESYSTEM, Optional.of("proc"), p, t, false, u,
        "o", List.of(), Optional.of("proc"), Optional.of(GuestPath.parse("/mnt/x"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("volume \"proc\": only a tmpfs is copied up");
    assertThat(new ResolvedMount("a", "tmpfs", VolumeKind.FILESYSTEM, Optional.of("tmpfs"), p, t, false, u, "o",
        List.of("nosuid"), Optional.of("tmpfs"), Optional.of(GuestPath.parse("/mnt/x"))).copyUpFrom())
        .contains(GuestPath.parse("/mnt/x"));
  }

  @Test
  void emptyGuestFs_hasOnlyItsRoot() throws Exception {
    assertThat(GuestFs.EMPTY.kind(GuestPath.ROOT)).isEqualTo(GuestFs.Kind.DIRECTORY);
    assertThat(GuestFs.EMPTY.kind(GuestPath.parse("/a"))).isEqualTo(GuestFs.Kind.MISSING);
    assertThatThrownBy(() -> GuestFs.EMPTY.readLink(GuestPath.parse("/a"))).isInstanceOf(java.io.IOException.class)
        .hasMessage("no symlink at /a");
  }

  @Test
  void describe_namesEveryKind() {
    assertThat(ConfinedResolver.describe(GuestFs.Kind.FILE)).isEqualTo("file");
    assertThat(ConfinedResolver.describe(GuestFs.Kind.SYMLINK)).isEqualTo("symlink");
    assertThat(ConfinedResolver.describe(GuestFs.Kind.OTHER)).isEqualTo("device, socket or pipe");
    assertThat(ConfinedResolver.describe(GuestFs.Kind.DIRECTORY)).isEqualTo("directory");
    assertThat(ConfinedResolver.describe(GuestFs.Kind.MISSING)).isEqualTo("missing path");
  }

  /** NAME_MAX: a volume's directory /mnt/<volume> is one file name of at most 255 bytes. */
  @Test
  void mntPath_volumeNameOf255Bytes_fits_256AreRefused() throws Exception {
    GuestPath mnt = GuestPath.parse("/mnt");
    assertThat(SharePlanner.mntPath(mnt, "v".repeat(255))).hasToString("/mnt/" + "v".repeat(255));
    assertThatThrownBy(() -> SharePlanner.mntPath(mnt, "w".repeat(256))).isInstanceOf(PlanException.class)
        .hasMessage("volume \"" + "w".repeat(40) + "...\": name is 256 bytes, but /mnt/<volume> allows at most 255");
  }

  /** One directory per path, sorted; a managed entry (mode and owner of an empty volume) wins over a plain one. */
  @Test
  void dedupe_keepsOnePerPath_managedWins_sorted() {
    GuestPath a = GuestPath.parse("/mnt/a");
    GuestPath b = GuestPath.parse("/mnt/b");
    PlannedDirectory plainA = new PlannedDirectory(a, FileMode.DEFAULT_DIRECTORY, 0, 0, false);
    PlannedDirectory managedA = new PlannedDirectory(a, new FileMode(0700), 5, 6, true);
    PlannedDirectory plainB = new PlannedDirectory(b, FileMode.DEFAULT_DIRECTORY, 0, 0, false);
    PlannedDirectory otherManagedA = new PlannedDirectory(a, new FileMode(0750), 7, 7, true);
    assertThat(Planner.dedupe(List.of(plainB, plainA, managedA, plainA))).containsExactly(managedA, plainB);
    assertThat(Planner.dedupe(List.of(managedA, plainA, plainB))).containsExactly(managedA, plainB);
    assertThat(Planner.dedupe(List.of(plainA, plainA))).containsExactly(plainA);
    // Of two managed entries the first stays (the planner never plans two for one path).
    assertThat(Planner.dedupe(List.of(managedA, otherManagedA))).containsExactly(managedA);
  }

  @Test
  void share_equality_ignoresOnlyTheOrigin() throws Exception {
    UnitName unit = UnitName.of("mnt-data.mount");
    Share a = new Share("data", "kvm-data", "/srv/data", true, unit, "pod.json: volumes[0].source");
    Share b = new Share("data", "kvm-data", "/srv/data", true, unit, "pod.json: volumes[3].source");
    Share other = new Share("data", "kvm-data", "/srv/data", false, unit, "pod.json: volumes[0].source");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(other).isNotEqualTo("data");
    assertThat(a.equals(a)).isTrue();
    assertThat(a.equals(other)).isFalse();
    assertThat(a.equals((Object) "data")).isFalse();
    assertThat(a.hashCode()).isEqualTo(java.util.Objects.hash("data", "kvm-data", "/srv/data", true, unit));
  }

  @Test
  void podShareEntry_equality_ignoresOnlyTheOrigin() {
    PodShare.Entry a = new PodShare.Entry("data", "data", "/srv/data", false, true, true, "data", "pod.json: volumes[0]");
    PodShare.Entry b = new PodShare.Entry("data", "data", "/srv/data", false, true, true, "data", "pod.json: volumes[2]");
    PodShare.Entry other = new PodShare.Entry("data", "data", "/srv/data", false, true, false, "data", "pod.json: volumes[0]");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(other);
    assertThat(a.equals(other)).isFalse();
    assertThat(a.equals((Object) "data")).isFalse();
    assertThat(a.hashCode()).isEqualTo(java.util.Objects.hash("data", "data", "/srv/data", false, true, true, "data"));
  }
}
