package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BundlePlanner} on real bundle directories and host sources in a temp dir. */
class BundlePlannerTest {

  @TempDir Path tmp;
  Path bundle;
  Path rootfs;
  Path data;
  Path hosts;

  @BeforeEach
  void setUp() throws IOException {
    bundle = Files.createDirectories(tmp.resolve("bundle"));
    rootfs = Files.createDirectories(bundle.resolve("rootfs"));
    for (String d : List.of("proc", "dev", "sys", "etc", "data", "tmp")) {
      Files.createDirectories(rootfs.resolve(d));
    }
    Files.writeString(rootfs.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    data = Files.createDirectories(tmp.resolve("host/data"));
    hosts = Files.writeString(tmp.resolve("host/hosts"), "10.0.0.1 web\n");
  }

  static OciMount mount(String dest, String type, String source, String... options) {
    return new OciMount(dest, Optional.ofNullable(source), Optional.ofNullable(type), Arrays.asList(options),
        Optional.empty(), Optional.empty());
  }

  OciBundle bundle(String app, boolean readOnly, OciMount... mounts) {
    return new OciBundle(app, bundle, bundle.resolve("config.json"),
        new OciConfig("1.0.2", new OciConfig.Root("rootfs", readOnly), List.of(mounts)));
  }

  Plan plan(PlanOptions o, BundlePlanner.RootSource root, OciBundle... bundles) throws Exception {
    return BundlePlanner.plan(List.of(bundles), o, root, new NioGuestFs(tmp.resolve("stage1")), new NioHostFs());
  }

  Plan podShare(OciBundle... bundles) throws Exception {
    return plan(PlanOptions.defaults().withPodShare(tmp.resolve("share").toString()), BundlePlanner.RootSource.SHARE,
        bundles);
  }

  static String file(Plan p, String name) {
    return p.files().stream().filter(f -> f.path().toString().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + p.files().stream().map(f -> f.path().toString()).toList()))
        .content();
  }

  /** runc spec's default mounts: one guest filesystem unit each, nested ones after their parent. */
  @Test
  void runcDefaultMounts_becomeGuestFilesystemUnits() throws Exception {
    Plan p = podShare(bundle("web", true,
        mount("/proc", "proc", "proc"),
        mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
        mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
        mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
        mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
        mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
        mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro")));
    String root = "opt-stage2-web-rootfs.mount";
    assertThat(file(p, root)).contains("What=/mnt/kvmount_pod/web-rootfs-ro\n", "Where=/opt/stage2/web/rootfs\n",
        "Options=bind,ro,rslave\n");
    assertThat(file(p, "opt-stage2-web-rootfs-proc.mount"))
        .contains("Requires=" + root + "\n", "What=proc\n", "Type=proc\n").doesNotContain("Options=");
    assertThat(file(p, "opt-stage2-web-rootfs-dev.mount"))
        .contains("What=tmpfs\n", "Type=tmpfs\n", "Options=nosuid,strictatime,mode=755,size=65536k\n");
    assertThat(file(p, "opt-stage2-web-rootfs-dev-pts.mount"))
        .contains("Requires=opt-stage2-web-rootfs-dev.mount\n")
        .contains("Options=nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5\n");
    assertThat(file(p, "opt-stage2-web-rootfs-sys.mount")).contains("Type=sysfs\n", "Options=ro,nosuid,noexec,nodev\n");
    assertThat(file(p, "opt-stage2-web-rootfs-sys-fs-cgroup.mount"))
        .contains("What=cgroup\n", "Type=cgroup2\n", "Requires=opt-stage2-web-rootfs-sys.mount\n");
    assertThat(p.shares()).extracting(Share::tag).containsExactly("kvmount-pod");
    assertThat(p.podShare().get().entries()).extracting(PodShare.Entry::source, PodShare.Entry::readOnly)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(rootfs.toString(), true));
    assertThat(p.mounts()).extracting(ResolvedMount::kind).containsExactly(VolumeKind.HOST, VolumeKind.FILESYSTEM,
        VolumeKind.FILESYSTEM, VolumeKind.FILESYSTEM, VolumeKind.FILESYSTEM, VolumeKind.FILESYSTEM,
        VolumeKind.FILESYSTEM, VolumeKind.FILESYSTEM);
    assertThat(file(p, "web.service.d/10-kvmount-volumes.conf")).contains("Requires=" + root + " ");
    // Nothing is created in the stage1 rootfs inside the app rootfs: the mount points are the bundle's.
    assertThat(p.directories()).extracting(d -> d.path().toString())
        .containsExactly("/mnt/kvmount_pod", "/opt/stage2/web/rootfs");
  }

  /** Binds: one share per source and access; flags in the guest; ro on the share; files bound file on file. */
  @Test
  void binds_shareOncePerSourceAndAccess_withFlags() throws Exception {
    Plan p = podShare(
        bundle("web", false,
            mount("/data", "bind", data.toString(), "rbind", "nosuid", "rprivate"),
            mount("/etc/hosts", "bind", hosts.toString(), "bind", "ro", "rnodev"),
            mount("/ro", "none", data.toString(), "rbind", "rro")),
        new OciBundle("db", bundle, bundle.resolve("config.json"), new OciConfig("1.3.0",
            new OciConfig.Root("rootfs", false), List.of(mount("/var/data", null, "../host/data", "rbind")))));
    assertThat(p.podShare().get().entries())
        .extracting(PodShare.Entry::volume, PodShare.Entry::file, PodShare.Entry::readOnly, PodShare.Entry::recursive)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("web-rootfs", false, false, true),
            org.assertj.core.groups.Tuple.tuple("data", false, false, true),
            org.assertj.core.groups.Tuple.tuple("hosts-ro", true, true, false),
            org.assertj.core.groups.Tuple.tuple("data-ro", false, true, true));
    assertThat(file(p, "opt-stage2-web-rootfs-data.mount")).contains("What=/mnt/kvmount_pod/data\n",
        "Options=bind,rslave,nosuid,rprivate\n");
    assertThat(file(p, "opt-stage2-web-rootfs-etc-hosts.mount")).contains("Options=bind,ro,rslave,nodev\n");
    // A writable root: rslave all the same, so the app's mounts stay out of the share's mount.
    assertThat(file(p, "opt-stage2-web-rootfs.mount")).contains("Options=bind,rslave\n");
    // The second app binds the same source the same way: the same entry (relative to its bundle).
    assertThat(file(p, "opt-stage2-db-rootfs-var-data.mount")).contains("What=/mnt/kvmount_pod/data\n");
  }

  @Test
  void perVolume_sharesDirectories_refusesFilesAndPlainBind() throws Exception {
    Plan p = plan(PlanOptions.defaults(), BundlePlanner.RootSource.SHARE,
        bundle("web", false, mount("/data", null, data.toString(), "rbind", "ro")));
    assertThat(p.shares()).extracting(Share::volume, Share::readOnly).containsExactly(
        org.assertj.core.groups.Tuple.tuple("web-rootfs", false), org.assertj.core.groups.Tuple.tuple("data-ro", true));
    assertThat(file(p, "mnt-data\\x2dro.mount")).contains("Options=trans=virtio,version=9p2000.L,msize=512000,cache=mmap,ro\n");
    String cfg = bundle.resolve("config.json").toString();
    assertThatThrownBy(() -> plan(PlanOptions.defaults(), BundlePlanner.RootSource.SHARE,
        bundle("web", false, mount("/etc/hosts", null, hosts.toString(), "bind"))))
        .hasMessage(cfg + ": mounts[0]: host source \"" + hosts + "\" is a single file, but one share per volume"
            + " (--share per-volume) exports directories only (9p and virtio-fs share a directory); use --share pod"
            + " --share-dir DIR, which bind-mounts single files");
    assertThatThrownBy(() -> plan(PlanOptions.defaults(), BundlePlanner.RootSource.SHARE,
        bundle("web", false, mount("/data", null, data.toString(), "bind"))))
        .hasMessage(cfg + ": mounts[0]: a non-recursive \"bind\" of host directory \"" + data + "\" cannot be honoured"
            + " with one share per volume (--share per-volume): 9p and virtio-fs export every mount below the source;"
            + " use --share pod --share-dir DIR, which binds the source non-recursively");
  }

  @Test
  void refusals_nameTheMountAndTheReason() throws Exception {
    String cfg = bundle.resolve("config.json").toString();
    assertRefused(cfg + ": mounts[0].type: \"nfs\" cannot be mounted in the VM by kvmount",
        mount("/x", "nfs", "server:/x"));
    assertRefused(cfg + ": mounts[0]: has no \"type\" and is not a bind mount", mount("/x", null, "/x"));
    assertRefused(cfg + ": mounts[0].options[1]: \"idmap\" cannot be honoured in a VM: per-mount id mapping",
        mount("/data", null, data.toString(), "rbind", "idmap"));
    assertRefused(cfg + ": mounts[0].options[2]: \"size=1m\" is neither a mount flag nor a propagation word, and a bind"
        + " mount takes no filesystem data", mount("/data", null, data.toString(), "rbind", "ro", "size=1m"));
    assertRefused(cfg + ": mounts[0].options[0]: \"hidepid=2\" is not a mount flag, and tmpfs takes only the data",
        mount("/tmp", "tmpfs", "tmpfs", "hidepid=2"));
    assertRefused(cfg + ": mounts[0].source: \"/proc/sys\" is in the host's /proc, which the VM does not see",
        mount("/x", null, "/proc/sys", "rbind"));
    assertRefused(cfg + ": mounts[0].source: \"" + tmp.resolve("nope") + "\" does not exist",
        mount("/x", null, tmp.resolve("nope").toString(), "rbind"));
    assertRefused(cfg + ": mounts[0].destination: \"/a/..\" resolves to \"/\" inside the app rootfs; mounting there"
        + " would hide the whole app rootfs", mount("/a/..", "tmpfs", null));
    assertRefused(cfg + ": mounts[0].destination: \"/\": mounting on \"/\" would hide", mount("/", "tmpfs", null));
    assertRefused(cfg + ": mounts[1].destination: /tmp is the mount point of mounts[0] already",
        mount("/tmp", "tmpfs", null), mount("/tmp/", "tmpfs", null));
    assertRefused(cfg + ": mounts[1].destination: /dev lies above mounts[0] (/dev/pts), which is listed before it",
        mount("/dev/pts", "devpts", null), mount("/dev", "tmpfs", null));
    assertRefused(cfg + ": mounts[0].destination: /etc/hosts is a file in the app rootfs; a tmpfs can only be"
        + " mounted on a directory", mount("/etc/hosts", "tmpfs", null));
  }

  void assertRefused(String prefix, OciMount... mounts) {
    assertThatThrownBy(() -> podShare(bundle("web", false, mounts))).isInstanceOf(PlanException.class)
        .hasMessageStartingWith(prefix);
  }

  /** A symlink in the rootfs pointing out of it resolves inside the app rootfs. */
  @Test
  void symlinkOutOfRootfs_staysConfined() throws Exception {
    Files.createSymbolicLink(rootfs.resolve("escape"), Path.of("/../../../etc"));
    Plan p = podShare(bundle("web", false, mount("/escape/conf", "tmpfs", null)));
    assertThat(p.mounts().get(1).target()).isEqualTo(GuestPath.parse("/opt/stage2/web/rootfs/etc/conf"));
  }

  /** Missing mount points in the rootfs or a bind source are planned for creation on the host, as runc does. */
  @Test
  void missingMountPoints_inHostTrees_plannedOnTheHost() throws Exception {
    Files.createSymbolicLink(rootfs.resolve("cfg"), Path.of("/etc"));
    Plan p = podShare(bundle("web", true,
        mount("/new/deep", "tmpfs", null), mount("/cfg/app.conf", null, hosts.toString(), "bind"),
        mount("/tmp", "tmpfs", null), mount("/tmp/sub", "tmpfs", null),
        mount("/data", null, data.toString(), "rbind"), mount("/data/inner", "tmpfs", null)));
    assertThat(p.hostMountPointsToCreate())
        .extracting(PlannedHostMountPoint::hostPath, PlannedHostMountPoint::file)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(rootfs + "/new/deep", false),
            org.assertj.core.groups.Tuple.tuple(rootfs + "/etc/app.conf", true),
            org.assertj.core.groups.Tuple.tuple(data + "/inner", false));
    assertThat(p.hostMountPointsToCreate().get(1).origin()).isEqualTo(bundle.resolve("config.json") + ": mounts[1]");
    // Created on the host, component by component; a second run finds nothing missing.
    assertThat(io.kvmount.apply.HostMountPoints.create(p.hostMountPointsToCreate())).containsExactly(
        rootfs + "/new", rootfs + "/new/deep", rootfs + "/etc/app.conf", data + "/inner");
    assertThat(rootfs.resolve("etc/app.conf")).isEmptyFile();
    assertThat(java.nio.file.Files.getPosixFilePermissions(rootfs.resolve("new")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(io.kvmount.apply.HostMountPoints.missing(p.hostMountPointsToCreate())).isEmpty();
    // A symlink swapped in after planning is refused, never followed.
    Files.delete(rootfs.resolve("new/deep"));
    Files.delete(rootfs.resolve("new"));
    Files.createSymbolicLink(rootfs.resolve("new"), tmp.resolve("host"));
    assertThatThrownBy(() -> io.kvmount.apply.HostMountPoints.create(p.hostMountPointsToCreate()))
        .isInstanceOf(io.kvmount.error.InvalidInputException.class)
        .hasMessageContaining(rootfs + "/new is a symlink now");
    assertThat(tmp.resolve("host/deep")).doesNotExist();
  }

  /** With the rootfs already in the stage1 rootfs, kvmount plans the mount points there, as for appc. */
  @Test
  void stage1Root_plansMountPointsInStage1() throws Exception {
    Plan p = plan(PlanOptions.defaults().withPodShare(tmp.resolve("share").toString()), BundlePlanner.RootSource.STAGE1,
        bundle("web", true, mount("/run", "tmpfs", null), mount("/run/x", "tmpfs", null),
            mount("/etc/hosts", null, hosts.toString(), "bind")));
    assertThat(p.directories()).extracting(d -> d.path().toString()).containsExactly(
        "/mnt/kvmount_pod", "/opt/stage2/web/rootfs/etc", "/opt/stage2/web/rootfs/run");
    assertThat(p.fileMountPoints()).extracting(f -> f.path().toString()).containsExactly("/opt/stage2/web/rootfs/etc/hosts");
    assertThat(p.mounts()).extracting(m -> m.path().toString()).containsExactly("/run", "/run/x", "/etc/hosts");
  }

  @Test
  void relativeDestination_warns_andTypeBindWithoutOption() throws Exception {
    Plan p = podShare(bundle("web", false, mount("data", "bind", data.toString())));
    assertThat(p.mounts().get(1).target()).isEqualTo(GuestPath.parse("/opt/stage2/web/rootfs/data"));
    assertThat(p.warnings()).hasSize(2);
    assertThat(p.warnings().get(0)).contains("mounts[0].destination: \"data\" is relative");
    assertThat(p.warnings().get(1)).contains("type \"bind\" without a \"bind\" or \"rbind\" option");
    assertThat(p.podShare().get().entries().get(1).recursive()).isFalse();
  }

  @Test
  void appNames_checked() {
    assertThatThrownBy(() -> podShare(bundle("Web", false))).hasMessageContaining("app name \"Web\" is not a valid ACName");
    assertThatThrownBy(() -> podShare(bundle("web", false), bundle("web", false)))
        .hasMessageEndingWith("app \"web\" is given twice; each bundle needs its own app name");
  }

  /** tmpcopyup: a service copies what the tmpfs covers (seen through the rootfs share) before later mounts. */
  @Test
  void tmpcopyup_copiesCoveredDirectoryThroughItsShare() throws Exception {
    Plan p = podShare(bundle("web", false, mount("/etc", "tmpfs", "tmpfs", "tmpcopyup", "mode=755"),
        mount("/etc/hosts", null, hosts.toString(), "bind", "ro")));
    assertThat(p.mounts().get(1).copyUpFrom()).contains(GuestPath.parse("/mnt/kvmount_pod/web-rootfs/etc"));
    assertThat(file(p, "opt-stage2-web-rootfs-etc-tmpcopyup.service")).contains(
        "Requires=opt-stage2-web-rootfs-etc.mount\n", "After=opt-stage2-web-rootfs-etc.mount\n",
        "Before=opt-stage2-web-rootfs-etc-hosts.mount\n",
        "ExecStart=/bin/sh -c ",
        "\" kvmount-tmpcopyup /mnt/kvmount_pod/web-rootfs/etc /opt/stage2/web/rootfs/etc /mnt/kvmount_pod/web-rootfs\n");
    assertThat(file(p, "web.service.d/10-kvmount-volumes.conf")).contains("opt-stage2-web-rootfs-etc-tmpcopyup.service");
    assertThat(p.units()).extracting(PlannedUnit::role).contains(PlannedUnit.Role.COPY_UP);
    // Not possible with the rootfs in the stage1 rootfs: nothing shows what the tmpfs covers.
    assertThatThrownBy(() -> plan(PlanOptions.defaults(), BundlePlanner.RootSource.STAGE1,
        bundle("web", false, mount("/etc", "tmpfs", "tmpfs", "tmpcopyup"))))
        .hasMessageContaining("mounts[0].options: \"tmpcopyup\" needs the directory the tmpfs covers");
    assertThatThrownBy(() -> podShare(bundle("web", false, mount("/d", "sysfs", "sysfs", "tmpcopyup"))))
        .hasMessageContaining("mounts[0].options[0]: \"tmpcopyup\" applies to a tmpfs only");
  }

  /** linux.maskedPaths and readonlyPaths: one service after all the app's mounts; rootfsPropagation on the root. */
  @Test
  void linuxPaths_oneServiceAfterTheMounts_andRootPropagation() throws Exception {
    Files.createSymbolicLink(rootfs.resolve("link"), Path.of("/../../etc"));
    OciBundle b = new OciBundle("web", bundle, bundle.resolve("config.json"), new OciConfig("1.0.2",
        new OciConfig.Root("rootfs", true), List.of(mount("/proc", "proc", "proc"), mount("/tmp", "tmpfs", null)),
        List.of(), new OciConfig.Linux(Optional.of("rshared"), List.of("/proc/kcore", "/link/shadow", "/etc/hosts/x"),
            List.of("/proc/sys"))));
    Plan p = podShare(b);
    String svc = file(p, "opt-stage2-web-rootfs-paths.service");
    assertThat(svc).contains(
        "Requires=opt-stage2-web-rootfs.mount opt-stage2-web-rootfs-proc.mount opt-stage2-web-rootfs-tmp.mount\n",
        "After=opt-stage2-web-rootfs.mount opt-stage2-web-rootfs-proc.mount opt-stage2-web-rootfs-tmp.mount\n",
        // Resolved in the guest, confined: the link to /../../etc is the app's /etc; through a file: left out.
        " kvmount-paths /opt/stage2/web/rootfs --mask /opt/stage2/web/rootfs/proc/kcore /opt/stage2/web/rootfs/etc/shadow --readonly"
            + " /opt/stage2/web/rootfs/proc/sys\n");
    assertThat(file(p, "web.service.d/10-kvmount-volumes.conf")).contains("opt-stage2-web-rootfs-paths.service");
    assertThat(file(p, "opt-stage2-web-rootfs.mount")).contains("Options=bind,ro,rslave,rshared\n");
    assertThat(p.units()).extracting(PlannedUnit::role).contains(PlannedUnit.Role.PATHS);
  }

  /** /proc/self, /proc/thread-self and /proc/<pid> lead out of the app rootfs: refused when planning. */
  @Test
  void procProcessLinks_refused() throws Exception {
    String cfg = bundle.resolve("config.json").toString();
    assertRefused(cfg + ": mounts[1].destination: \"/proc/self/root/etc\" goes through /proc/self of the proc mount"
        + " mounts[0], whose links lead out of the app rootfs; name the path itself",
        mount("/proc", "proc", "proc"), mount("/proc/self/root/etc", "tmpfs", null));
    assertRefused(cfg + ": mounts[1].destination: \"/proc/1/root\" goes through /proc/1",
        mount("/proc", "proc", "proc"), mount("/proc/1/root", "tmpfs", null));
    OciBundle b = new OciBundle("web", bundle, bundle.resolve("config.json"), new OciConfig("1.0.2",
        new OciConfig.Root("rootfs", false), List.of(mount("/proc", "proc", "proc")), List.of(),
        new OciConfig.Linux(Optional.empty(), List.of("/proc/kcore"), List.of("/proc/thread-self/root/etc"))));
    assertThatThrownBy(() -> podShare(b)).hasMessage(cfg + ": linux.readonlyPaths[0]: \"/proc/thread-self/root/etc\""
        + " goes through /proc/thread-self of the proc mount mounts[0], whose links lead out of the app rootfs;"
        + " name the path itself");
    // Other proc paths are fine (runc's maskedPaths).
    assertThat(podShare(bundle("web", false, mount("/proc", "proc", "proc"), mount("/proc/scsi", "tmpfs", null)))
        .mounts()).hasSize(3);
  }

  /** A symlink whose target is not UTF-8 cannot be named in a unit: refused, never decoded lossily. */
  @Test
  void nonUtf8SymlinkTarget_refused() throws Exception {
    Path link = rootfs.resolve("lnk");
    // A target of the bytes 0xff 0xfe: made with the native path bytes, as the hostile user would.
    new ProcessBuilder("sh", "-c", "ln -s \"$(printf '\\377\\376')\" \"$1\"", "sh", link.toString()).start().waitFor();
    Assumptions.assumeTrue(Files.isSymbolicLink(link), "could not make the symlink");
    assertRefused(bundle.resolve("config.json") + ": mounts[0].destination: symlink /opt/stage2/web/rootfs/lnk has a"
        + " target that is not UTF-8 text", mount("/lnk/x", "tmpfs", null));
  }

  /** Data option values the kernel would refuse at boot are refused when planning, with the reason. */
  @Test
  void dataValues_checked() throws Exception {
    String cfg = bundle.resolve("config.json").toString();
    assertRefused(cfg + ": mounts[0].options[1]: \"mode=abc\": mode is an octal mode (such as 1777), or the guest's"
        + " mount fails at boot; correct it", mount("/tmp", "tmpfs", null, "nosuid", "mode=abc"));
    assertRefused(cfg + ": mounts[0].options[0]: \"uid=x\": uid is a number", mount("/tmp", "tmpfs", null, "uid=x"));
    assertRefused(cfg + ": mounts[0].options[0]: \"size=lots\": size is a number", mount("/tmp", "tmpfs", null, "size=lots"));
    assertRefused(cfg + ": mounts[0].options[0]: \"newinstance=1\": newinstance takes no value",
        mount("/dev/pts", "devpts", null, "newinstance=1"));
    assertRefused(cfg + ": mounts[0].options[0]: \"hidepid=9\": hidepid is one of", mount("/proc", "proc", null, "hidepid=9"));
    // What runc spec and podman write is accepted.
    assertThat(podShare(bundle("web", false, mount("/tmp", "tmpfs", null, "size=65536k", "mode=1777", "uid=0",
        "gid=5", "nr_inodes=1m", "huge=within_size"), mount("/dev/pts", "devpts", null, "newinstance", "ptmxmode=0666",
        "mode=0620", "gid=5"), mount("/run", "tmpfs", null, "size=50%"))).mounts()).hasSize(4);
  }

  /** Host-side messages name an OCI volume with its input field: its name is kvmount's own. */
  @Test
  void podShareEntries_labelTheirField() throws Exception {
    Plan p = podShare(bundle("web", false, mount("/data", null, data.toString(), "rbind")));
    assertThat(p.podShare().get().entries()).extracting(PodShare.Entry::label).containsExactly(
        "web-rootfs (" + bundle.resolve("config.json") + ": root.path)",
        "data (" + bundle.resolve("config.json") + ": mounts[0])");
  }

  /** A share's source origin: the rootfs by its field, a bind mount by its "source". */
  @Test
  void shares_nameTheFieldOfTheirSource() throws Exception {
    String cfg = bundle.resolve("config.json").toString();
    Plan p = plan(PlanOptions.defaults(), BundlePlanner.RootSource.SHARE,
        bundle("web", false, mount("/data", null, data.toString(), "rbind", "ro")));
    assertThat(p.shares()).extracting(Share::volume, Share::origin).containsExactly(
        org.assertj.core.groups.Tuple.tuple("web-rootfs", cfg + ": root.path"),
        org.assertj.core.groups.Tuple.tuple("data-ro", cfg + ": mounts[0].source"));
    assertThat(podShare(bundle("web", false, mount("/data", null, data.toString(), "rbind"))).podShare().get()
        .entries()).extracting(PodShare.Entry::origin).containsExactly(cfg + ": root.path", cfg + ": mounts[0].source");
  }
}
