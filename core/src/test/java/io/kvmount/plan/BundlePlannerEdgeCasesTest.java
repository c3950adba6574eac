package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.kvmount.apply.NioGuestFs;
import io.kvmount.apply.NioHostFs;
import io.kvmount.oci.OciBundle;
import io.kvmount.oci.OciConfig;
import io.kvmount.oci.OciConfig.OciMount;
import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link BundlePlanner}'s less travelled paths, on bundles and host sources in a temp dir: the
 * rules of runtime-spec config.md "Root" and "Mounts" (/work/shared/spec/oci-mounts.md) and
 * kvmount's refusals, each with its whole message.
 */
class BundlePlannerEdgeCasesTest {

  @TempDir Path tmp;
  Path bundle;
  Path rootfs;
  Path data;
  Path hosts;
  String cfg;

  @BeforeEach
  void setUp() throws IOException {
    bundle = Files.createDirectories(tmp.resolve("bundle"));
    rootfs = Files.createDirectories(bundle.resolve("rootfs"));
    for (String d : List.of("dev", "etc", "tmp")) {
      Files.createDirectories(rootfs.resolve(d));
    }
    Files.writeString(rootfs.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    data = Files.createDirectories(tmp.resolve("host/data"));
    hosts = Files.writeString(tmp.resolve("host/hosts"), "10.0.0.1 web\n");
    cfg = bundle.resolve("config.json").toString();
  }

  static OciMount mount(String dest, String type, String source, String... options) {
    return new OciMount(dest, Optional.ofNullable(source), Optional.ofNullable(type), Arrays.asList(options),
        Optional.empty(), Optional.empty());
  }

  OciBundle bundle(String app, OciMount... mounts) {
    return new OciBundle(app, bundle, bundle.resolve("config.json"),
        new OciConfig("1.0.2", new OciConfig.Root("rootfs", false), List.of(mounts)));
  }

  OciBundle bundle(String app, OciConfig.Linux linux, OciMount... mounts) {
    return new OciBundle(app, bundle, bundle.resolve("config.json"),
        new OciConfig("1.0.2", new OciConfig.Root("rootfs", false), List.of(mounts), List.of(), linux));
  }

  PlanOptions podShareOptions() {
    return PlanOptions.defaults().withPodShare(tmp.resolve("share").toString());
  }

  /** Plans with the pod share and the bundle's rootfs shared. */
  Plan share(OciBundle... bundles) throws Exception {
    return BundlePlanner.plan(List.of(bundles), podShareOptions(), BundlePlanner.RootSource.SHARE,
        new NioGuestFs(tmp.resolve("stage1")), new NioHostFs());
  }

  /** Plans with the pod share and the app rootfs in {@code stage1}. */
  Plan stage1(GuestFs stage1, OciBundle... bundles) throws Exception {
    return BundlePlanner.plan(List.of(bundles), podShareOptions(), BundlePlanner.RootSource.STAGE1, stage1,
        new NioHostFs());
  }

  static String file(Plan p, String name) {
    return p.files().stream().filter(f -> f.path().toString().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + p.files().stream().map(f -> f.path().toString()).toList()))
        .content();
  }

  @Test
  void rootfsPropagation_withTheRootfsInStage1_isNotApplied_andSaysSo() throws Exception {
    OciConfig.Linux linux = new OciConfig.Linux(Optional.of("rprivate"), List.of(), List.of());
    assertThat(stage1(GuestFs.EMPTY, bundle("web", linux, mount("/tmp", "tmpfs", null))).warnings()).containsExactly(
        cfg + ": linux.rootfsPropagation: not applied: with --oci-rootfs stage1 kvmount mounts nothing at the app rootfs;"
            + " use --oci-rootfs share to have it applied");
    assertThat(share(bundle("web", linux, mount("/tmp", "tmpfs", null))).warnings()).isEmpty();
    assertThat(stage1(GuestFs.EMPTY, bundle("web", mount("/tmp", "tmpfs", null))).warnings()).isEmpty();
  }

  /** Mount points the stage1 rootfs has already: planned as they are (kept), a file one as a file mount point. */
  @Test
  void stage1Root_existingMountPoints_arePlannedAsTheyAre() throws Exception {
    FakeGuestFs fs = new FakeGuestFs().dir("/opt/stage2/web/rootfs/run").file("/opt/stage2/web/rootfs/etc/hosts");
    Plan p = stage1(fs, bundle("web", mount("/run", "tmpfs", null), mount("/etc/hosts", null, hosts.toString(), "bind")));
    assertThat(p.directories()).extracting(d -> d.path().toString()).containsExactly(
        "/mnt/kvmount_pod", "/opt/stage2/web/rootfs/etc", "/opt/stage2/web/rootfs/run");
    assertThat(p.fileMountPoints()).extracting(f -> f.path().toString())
        .containsExactly("/opt/stage2/web/rootfs/etc/hosts");
    assertThat(p.hostMountPointsToCreate()).isEmpty();
  }

  /** A symlink of the stage1 rootfs in the app rootfs is followed, confined to the app rootfs. */
  @Test
  void stage1Root_symlinksOfTheStage1Rootfs_areFollowedInsideTheAppRootfs() throws Exception {
    FakeGuestFs fs = new FakeGuestFs().dir("/opt/stage2/web/rootfs/run").link("/opt/stage2/web/rootfs/var/run", "/run");
    Plan p = stage1(fs, bundle("web", mount("/var/run/app", "tmpfs", null)));
    assertThat(p.mounts()).extracting(m -> m.target().toString()).containsExactly("/opt/stage2/web/rootfs/run/app");
  }

  /** A tmpfs hides what the rootfs has below it: a later mount resolves in the empty tmpfs, not through a link there. */
  @Test
  void guestFilesystem_hidesTheRootfsBelowIt() throws Exception {
    Files.createSymbolicLink(rootfs.resolve("tmp/lnk"), Path.of("/etc"));
    Plan p = share(bundle("web", mount("/tmp", "tmpfs", null), mount("/tmp/lnk/sub", "tmpfs", null)));
    assertThat(p.mounts()).extracting(m -> m.target().toString()).containsExactly("/opt/stage2/web/rootfs",
        "/opt/stage2/web/rootfs/tmp", "/opt/stage2/web/rootfs/tmp/lnk/sub");
    // In the tmpfs: systemd makes the mount point, nothing is made on the host.
    assertThat(p.hostMountPointsToCreate()).isEmpty();
  }

  /**
   * A mount made where a guest filesystem has nothing yet (systemd makes its mount point) shows its
   * own tree there: a later mount below it resolves through that tree's symlinks, confined to the app
   * rootfs. Before, the resolver stopped looking once a component was missing, and named the link's
   * path itself in Where=, which the guest's kernel would follow out of the app rootfs.
   */
  @Test
  void mountBelowAMissingPath_resolvesThroughTheMountMadeThere() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("host/other"));
    Files.createSymbolicLink(other.resolve("c"), Path.of("/etc"));
    Plan p = share(bundle("web", mount("/tmp", "tmpfs", null), mount("/tmp/a/b", null, other.toString(), "rbind"),
        mount("/tmp/a/b/c/x", "tmpfs", null)));
    assertThat(p.mounts()).extracting(m -> m.target().toString()).containsExactly("/opt/stage2/web/rootfs",
        "/opt/stage2/web/rootfs/tmp", "/opt/stage2/web/rootfs/tmp/a/b", "/opt/stage2/web/rootfs/etc/x");
    assertThat(file(p, "opt-stage2-web-rootfs-etc-x.mount")).contains("Where=/opt/stage2/web/rootfs/etc/x\n");
    // /etc/x lies in the shared rootfs, where it is made on the host.
    assertThat(p.hostMountPointsToCreate()).extracting(PlannedHostMountPoint::hostPath).containsExactly(rootfs + "/etc/x");
  }

  /** tmpcopyup below another tmpfs copies what that one copies up; below a tmpfs without it, nothing. */
  @Test
  void tmpcopyup_nested_copiesFromTheEnclosingCopy() throws Exception {
    Plan p = share(bundle("web", mount("/etc", "tmpfs", null, "tmpcopyup"), mount("/etc/ssl", "tmpfs", null, "tmpcopyup"),
        mount("/tmp", "tmpfs", null), mount("/tmp/x", "tmpfs", null, "tmpcopyup")));
    assertThat(p.mounts()).extracting(m -> m.path().toString(), m -> m.copyUpFrom().map(GuestPath::toString))
        .containsExactly(
            tuple("/", Optional.empty()),
            tuple("/etc", Optional.of("/mnt/kvmount_pod/web-rootfs/etc")),
            tuple("/etc/ssl", Optional.of("/mnt/kvmount_pod/web-rootfs/etc/ssl")),
            tuple("/tmp", Optional.empty()),
            tuple("/tmp/x", Optional.empty()));
    assertThat(file(p, "opt-stage2-web-rootfs-etc-ssl-tmpcopyup.service")).contains(
        " kvmount-tmpcopyup /mnt/kvmount_pod/web-rootfs/etc/ssl /opt/stage2/web/rootfs/etc/ssl"
            + " /mnt/kvmount_pod/web-rootfs\n");
    assertThat(p.units()).filteredOn(u -> u.role() == PlannedUnit.Role.COPY_UP).extracting(u -> u.name().value())
        .containsExactly("opt-stage2-web-rootfs-etc-tmpcopyup.service", "opt-stage2-web-rootfs-etc-ssl-tmpcopyup.service");
  }

  /** A copy-up runs before the mounts below its tmpfs, and only those. */
  @Test
  void tmpcopyup_runsBeforeTheMountsBelowIt_only() throws Exception {
    Plan p = share(bundle("web", mount("/etc", "tmpfs", null, "tmpcopyup"), mount("/etc/hosts", null, hosts.toString(),
        "bind"), mount("/tmp", "tmpfs", null)));
    assertThat(file(p, "opt-stage2-web-rootfs-etc-tmpcopyup.service"))
        .contains("\nBefore=opt-stage2-web-rootfs-etc-hosts.mount\n").doesNotContain("opt-stage2-web-rootfs-tmp.mount");
  }

  @Test
  void withoutMaskedOrReadOnlyPaths_noPathsService() throws Exception {
    Plan p = share(bundle("web", mount("/tmp", "tmpfs", null)));
    assertThat(p.units()).extracting(PlannedUnit::role).containsExactly(PlannedUnit.Role.SHARE, PlannedUnit.Role.BIND,
        PlannedUnit.Role.BIND, PlannedUnit.Role.APP_SERVICE);
    assertThat(file(p, "opt-stage2-web-rootfs-tmp.mount"))
        .contains("Description=kvmount tmpfs for app web at /tmp\n", "What=tmpfs\n", "Type=tmpfs\n");
    assertThat(file(p, "opt-stage2-web-rootfs.mount")).contains("Description=kvmount volume web-rootfs for app web at /\n");
    // Read-only paths alone: the service gets no --mask.
    Plan ro = share(bundle("web", new OciConfig.Linux(Optional.empty(), List.of(), List.of("/etc")),
        mount("/tmp", "tmpfs", null)));
    assertThat(file(ro, "opt-stage2-web-rootfs-paths.service"))
        .contains(" kvmount-paths /opt/stage2/web/rootfs --readonly /opt/stage2/web/rootfs/etc\n");
  }

  @Test
  void maskedRoot_isRefused() {
    assertThatThrownBy(() -> share(bundle("web", new OciConfig.Linux(Optional.empty(), List.of("/tmp", "/"), List.of()))))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": linux.maskedPaths[1]: \"/\" would hide or freeze the whole app rootfs; remove it");
  }

  @Test
  void destinationThatIsTheRootfsThroughALink_isRefused() throws Exception {
    Files.createSymbolicLink(rootfs.resolve("self"), Path.of("/"));
    assertThatThrownBy(() -> share(bundle("web", mount("/self", "tmpfs", null)))).isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].destination: /self resolves to the app rootfs itself through a symlink");
  }

  @Test
  void mountPointOfTheWrongKind_isRefused_withBothKindsNamed() throws Exception {
    assertThatThrownBy(() -> share(bundle("web", mount("/etc", null, hosts.toString(), "bind"))))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].destination: /etc is a directory in the app rootfs, but the source \"" + hosts
            + "\" is a single file; a file can only be mounted on a file (or where nothing is)");
    assertThatThrownBy(() -> share(bundle("web", mount("/etc/hosts", null, data.toString(), "rbind"))))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].destination: /etc/hosts is a file in the app rootfs; the directory \"" + data
            + "\" can only be mounted on a directory");
    FakeGuestFs fs = new FakeGuestFs().other("/opt/stage2/web/rootfs/dev/null");
    assertThatThrownBy(() -> stage1(fs, bundle("web", mount("/dev/null", "tmpfs", null))))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].destination: /dev/null is a device, socket or pipe in the app rootfs; a tmpfs can"
            + " only be mounted on a directory");
    assertThatThrownBy(() -> stage1(fs, bundle("web", mount("/dev/null", null, hosts.toString(), "bind"))))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].destination: /dev/null is a device, socket or pipe in the app rootfs, but the"
            + " source \"" + hosts + "\" is a single file; a file can only be mounted on a file (or where nothing is)");
  }

  @Test
  void rootPath_mustBeADirectory() throws Exception {
    Files.delete(rootfs.resolve("etc/hosts"));
    Files.delete(rootfs.resolve("etc"));
    Files.delete(rootfs.resolve("dev"));
    Files.delete(rootfs.resolve("tmp"));
    Files.delete(rootfs);
    assertThatThrownBy(() -> share(bundle("web"))).isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": root.path: \"" + rootfs + "\" does not exist; the bundle's root filesystem must be a"
            + " directory (or pass --oci-rootfs stage1 when it is already in the stage1 rootfs)");
    Files.writeString(rootfs, "");
    assertThatThrownBy(() -> share(bundle("web"))).isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": root.path: \"" + rootfs + "\" is not a directory; the bundle's root filesystem must be a"
            + " directory (or pass --oci-rootfs stage1 when it is already in the stage1 rootfs)");
    // With the rootfs in the stage1 rootfs, root.path is not looked at.
    assertThat(stage1(GuestFs.EMPTY, bundle("web", mount("/tmp", "tmpfs", null))).mounts()).hasSize(1);
  }

  @Test
  void idMappings_areRefused_emptyOnesAreNone() throws Exception {
    List<OciConfig.IdMapping> one = List.of(new OciConfig.IdMapping(0, 1000, 1));
    OciMount uid = new OciMount("/tmp", Optional.empty(), Optional.of("tmpfs"), List.of(), Optional.of(one),
        Optional.of(List.of()));
    OciMount gid = new OciMount("/tmp", Optional.empty(), Optional.of("tmpfs"), List.of(), Optional.of(List.of()),
        Optional.of(one));
    OciMount none = new OciMount("/tmp", Optional.empty(), Optional.of("tmpfs"), List.of(), Optional.of(List.of()),
        Optional.of(List.of()));
    String why = "Mappings: per-mount id mapping is not supported: the guest's mounts of a share cannot map ids; remove"
        + " the mappings (the VM's ids are the guest's own)";
    assertThatThrownBy(() -> share(bundle("web", uid))).isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].uid" + why);
    assertThatThrownBy(() -> share(bundle("web", gid))).isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].gid" + why);
    assertThat(share(bundle("web", none)).mounts()).extracting(m -> m.target().toString())
        .containsExactly("/opt/stage2/web/rootfs", "/opt/stage2/web/rootfs/tmp");
  }

  /** A guest filesystem's What= is its source, or its type when the source is absent or empty. */
  @Test
  void guestFilesystemSource_emptyMeansItsType() throws Exception {
    Plan p = share(bundle("web", mount("/tmp", "tmpfs", ""), mount("/dev", "tmpfs", "devfs")));
    assertThat(file(p, "opt-stage2-web-rootfs-tmp.mount")).contains("What=tmpfs\n");
    assertThat(file(p, "opt-stage2-web-rootfs-dev.mount")).contains("What=devfs\n");
    assertThat(p.mounts().get(1).source()).contains("tmpfs");
  }

  @Test
  void bindSource_mustBeGiven_andAHostPathTheVmCanSee() throws Exception {
    for (OciMount m : List.of(mount("/x", null, null, "rbind"), mount("/x", null, "", "rbind"))) {
      assertThatThrownBy(() -> share(bundle("web", m))).isInstanceOf(PlanException.class)
          .hasMessage(cfg + ": mounts[0].source: a bind mount needs the host path to share; add \"source\"");
    }
    assertThatThrownBy(() -> share(bundle("web", mount("/x", null, "/sys/kernel", "rbind"))))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].source: \"/sys/kernel\" is in the host's /sys, which the VM does not see (the guest"
            + " has its own); mount a sysfs of its own instead");
    assertThatThrownBy(() -> share(bundle("web", mount("/x", null, "/dev", "rbind"))))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].source: \"/dev\" is in the host's /dev, which the VM does not see (the guest"
            + " has its own); mount a tmpfs or devtmpfs of its own instead");
    assertThatThrownBy(() -> share(bundle("web", mount("/x", null, "/proc", "rbind"))))
        .isInstanceOf(PlanException.class)
        .hasMessageEndingWith("mount a proc of its own instead");
  }

  @Test
  void bindSource_thatIsADeviceSocketOrPipe_isRefused() {
    String sock = tmp.resolve("host/sock").toString();
    HostFs host = new HostFs() {
      final NioHostFs real = new NioHostFs();

      @Override
      public SourceKind kind(String hostPath) throws IOException {
        return hostPath.equals(sock) ? SourceKind.OTHER : real.kind(hostPath);
      }

      @Override
      public GuestFs directory(String hostDir) {
        return real.directory(hostDir);
      }
    };
    assertThatThrownBy(() -> BundlePlanner.plan(List.of(bundle("web", mount("/x", null, sock, "bind"))),
        podShareOptions(), BundlePlanner.RootSource.SHARE, GuestFs.EMPTY, host))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].source: \"" + sock + "\" is a device, socket or pipe; a share carries directories"
            + " and regular files only: bind the directory or file the app needs instead");
  }

  /** Volume names: the source's last component, then -2, -3... for another source of that name, -ro when read-only. */
  @Test
  void volumeNames_uniquePerSourceAndAccess() throws Exception {
    List<Path> sources = List.of(tmp.resolve("a/data"), tmp.resolve("b/data"), tmp.resolve("c/data"));
    for (Path s : sources) {
      Files.createDirectories(s);
    }
    Plan p = share(bundle("web", mount("/a", null, sources.get(0).toString(), "rbind"),
        mount("/b", null, sources.get(1).toString(), "rbind"), mount("/c", null, sources.get(2).toString(), "rbind"),
        mount("/d", null, sources.get(0).toString(), "rbind", "ro"), mount("/e", null, sources.get(0).toString(), "rbind")));
    assertThat(p.podShare().get().entries()).extracting(PodShare.Entry::volume, PodShare.Entry::source).containsExactly(
        tuple("web-rootfs", rootfs.toString()),
        tuple("data", sources.get(0).toString()),
        tuple("data-2", sources.get(1).toString()),
        tuple("data-3", sources.get(2).toString()),
        tuple("data-ro", sources.get(0).toString()));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/,                   root",
    "/srv/az09,           az09",
    "/srv/AZ,             az",
    "/srv/My_Data.v2,     my-data-v2",
    "'/srv/__a',          a",
    "/srv/a--b,           a-b",
    "'/srv/a`{b:c@[d',    a-b-c-d",
    "'/srv/a!!',          a",
    "'/srv/___',          volume",
    "/srv/ÄÖ,             volume",
  })
  void volumeBase_lowerCaseLettersDigitsAndSingleDashes(String source, String base) {
    assertThat(BundlePlanner.volumeBase(source)).isEqualTo(base);
  }

  @Test
  void volumeBase_atMost40Characters_withoutATrailingDash() {
    assertThat(BundlePlanner.volumeBase("/srv/" + "a".repeat(45))).isEqualTo("a".repeat(40));
    assertThat(BundlePlanner.volumeBase("/srv/" + "b".repeat(40))).isEqualTo("b".repeat(40));
    assertThat(BundlePlanner.volumeBase("/srv/" + "c".repeat(39) + "_dd")).isEqualTo("c".repeat(39));
    assertThat(BundlePlanner.volumeBase("/srv/" + "d".repeat(38) + "_ee")).isEqualTo("d".repeat(38) + "-e");
  }

  /** The drop-in's name holds the app name: one too long for a unit name is refused, naming the app. */
  @Test
  void appNameTooLongForItsService_isRefused() {
    String name = "a".repeat(250);
    assertThatThrownBy(() -> stage1(GuestFs.EMPTY, bundle(name))).isInstanceOf(PlanException.class)
        .hasMessageStartingWith("app \"" + name + "\": ");
  }
}
