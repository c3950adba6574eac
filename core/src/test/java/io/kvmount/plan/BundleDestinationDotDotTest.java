package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
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
 * Issue 24, behaviour 2 for OCI bundles: a {@code ..} in {@code mounts[].destination} is resolved
 * inside the app rootfs, as runc resolves it with filepath-securejoin (clamped at the rootfs, the
 * rootfs's symlinks followed inside it), never refused; a destination that ends at the app root
 * is. Planned against a real bundle rootfs in a temp dir laid out like rkt's functional test image
 * ({@code dir1}, {@code dir2}, relative and absolute links, a link to {@code /}, one climbing
 * above it, one to a missing directory), shared from the host and, once, in the stage1 rootfs.
 * Every target must stay inside the app rootfs, and every mount point to create inside the bundle.
 */
class BundleDestinationDotDotTest {

  private static final String APP_ROOT = "/opt/stage2/web/rootfs";

  @TempDir Path tmp;
  Path bundle;
  Path rootfs;
  Path data;
  String cfg;

  @BeforeEach
  void image() throws IOException {
    bundle = Files.createDirectories(tmp.resolve("bundle"));
    rootfs = Files.createDirectories(bundle.resolve("rootfs"));
    layOut(rootfs);
    data = Files.createDirectories(tmp.resolve("host/data/sub"));
    Files.createSymbolicLink(data.resolve("up"), Path.of("../../../.."));
    cfg = bundle.resolve("config.json").toString();
  }

  /** rkt's test image: directories, a file, and every kind of symlink its volume tests use. */
  static void layOut(Path root) throws IOException {
    Files.createDirectories(root.resolve("dir1"));
    Files.createDirectories(root.resolve("dir2/sub"));
    Files.writeString(root.resolve("dir1/file"), "dir1\n");
    Files.createSymbolicLink(root.resolve("dir1/link_rel_dir2"), Path.of("../dir2"));
    Files.createSymbolicLink(root.resolve("link_rel_dir1"), Path.of("dir1"));
    Files.createSymbolicLink(root.resolve("link_abs_dir2"), Path.of("/dir2"));
    Files.createSymbolicLink(root.resolve("link_abs_sub"), Path.of("/dir2/sub"));
    Files.createSymbolicLink(root.resolve("link_abs_root"), Path.of("/"));
    Files.createSymbolicLink(root.resolve("link_rel_up"), Path.of("../../.."));
    Files.createSymbolicLink(root.resolve("link_missing"), Path.of("/nonexistent/dir"));
  }

  static OciMount mount(String dest, String type, String source, String... options) {
    return new OciMount(dest, Optional.ofNullable(source), Optional.ofNullable(type), Arrays.asList(options),
        Optional.empty(), Optional.empty());
  }

  static OciMount tmpfs(String dest) {
    return mount(dest, "tmpfs", "tmpfs");
  }

  OciBundle bundle(OciMount... mounts) {
    return new OciBundle("web", bundle, bundle.resolve("config.json"),
        new OciConfig("1.2.0", new OciConfig.Root("rootfs", false), List.of(mounts)));
  }

  /** Plans with the pod share and the bundle's rootfs shared from the host. */
  Plan plan(OciMount... mounts) throws Exception {
    return BundlePlanner.plan(List.of(bundle(mounts)), PlanOptions.defaults().withPodShare(tmp.resolve("share")
        .toString()), BundlePlanner.RootSource.SHARE, new NioGuestFs(tmp.resolve("stage1")), new NioHostFs());
  }

  /** The mount's target as the app sees it, after checking it lies in the app rootfs. */
  private static String inApp(ResolvedMount m) {
    return MountPathResolutionTest.inApp(m); // both apps are "web"
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    // Lexical "..", clamped at the app root.
    "/dir1/../../../foo | /foo",
    "/../dir2 | /dir2",
    "/dir1/../dir1/.//link_rel_dir2/foo | /dir2/foo",
    // A ".." after a symlink applies to the link's target (securejoin), not to the link's name:
    // relative links and absolute ones.
    "/dir1/link_rel_dir2/../x | /x",
    "/link_rel_dir1/../dir2/y | /dir2/y",
    "/link_abs_sub/../x | /dir2/x",
    "/link_abs_sub/.. | /dir2",
    "/link_abs_dir2/sub/../../dir1 | /dir1",
    // A link to "/", and one climbing above it: both stay at the app root.
    "/link_abs_root/../../dir2/foo | /dir2/foo",
    "/link_rel_up/../dir1 | /dir1",
    // A link to a missing directory: the rest is created where the link leads.
    "/link_missing/../x | /nonexistent/x",
    "/link_missing/x/.. | /nonexistent/dir",
    // Relative destinations are read from the rootfs root, ".." as well.
    "../../dir1/link_rel_dir2/../z | /z",
  })
  void dotDot_isResolvedInsideTheAppRootfs(String written, String expected) throws Exception {
    Plan p = plan(tmpfs(written));
    ResolvedMount m = p.mounts().get(1);
    assertThat(m.target()).hasToString(APP_ROOT + expected);
    assertThat(inApp(m)).isEqualTo(expected);
    assertThat(m.path()).hasToString(expected);
    assertThat(m.origin()).isEqualTo(cfg + ": mounts[0]");
    assertThat(m.note()).contains("path \"" + written + "\" as written"
        + (written.startsWith("/") ? "" : ", relative: read from the app's root")
        + ", \"..\" resolved inside the app rootfs; mounted at " + expected + " in the app");
    // A missing mount point is created in the bundle's rootfs, never outside it.
    assertThat(p.hostMountPointsToCreate()).allSatisfy(h -> {
      assertThat(h.root()).isEqualTo(rootfs.toString());
      assertThat(h.origin()).isEqualTo(cfg + ": mounts[0]");
    });
    assertThat(p.directories()).extracting(d -> d.path().toString())
        .containsExactly("/mnt/kvmount_pod", APP_ROOT);
    // An absolute destination warns of nothing; a relative one as before.
    assertThat(p.warnings()).hasSize(written.startsWith("/") ? 0 : 1);
  }

  @Test
  void dotDot_missingMountPoint_isPlannedWhereItResolved() throws Exception {
    Plan p = plan(tmpfs("/dir1/../../../foo"), tmpfs("/link_missing/x/../y"));
    assertThat(p.hostMountPointsToCreate())
        .extracting(h -> h.root(), h -> h.path().toString(), PlannedHostMountPoint::file)
        .containsExactly(tuple(rootfs.toString(), "foo", false), tuple(rootfs.toString(), "nonexistent/dir/y", false));
    assertThat(p.mounts()).extracting(m -> m.unit().value()).containsExactly("opt-stage2-web-rootfs.mount",
        "opt-stage2-web-rootfs-foo.mount", "opt-stage2-web-rootfs-nonexistent-dir-y.mount");
    // No ".." reaches a unit: Where= is the resolved path.
    String unit = p.files().stream().filter(f -> f.path().toString().equals("opt-stage2-web-rootfs-foo.mount"))
        .findFirst().orElseThrow().content();
    assertThat(unit).contains("Where=" + APP_ROOT + "/foo\n").doesNotContain("..");
  }

  @Test
  void dotDot_throughAnEarlierBind_resolvesInItsSource() throws Exception {
    // mounts[0] shows the host directory at /data; its sub/up climbs above it and stays at the app root.
    Plan p = plan(mount("/data", null, data.getParent().toString(), "rbind"), tmpfs("/data/sub/../new"),
        tmpfs("/data/sub/up/../dir2/w"));
    assertThat(p.mounts()).extracting(BundleDestinationDotDotTest::inApp)
        .containsExactly("/", "/data", "/data/new", "/dir2/w");
    assertThat(p.hostMountPointsToCreate())
        .extracting(h -> h.root(), h -> h.path().toString())
        .containsExactly(tuple(rootfs.toString(), "data"), tuple(data.getParent().toString(), "new"),
            tuple(rootfs.toString(), "dir2/w"));
  }

  @Test
  void dotDot_inTheStage1Rootfs_isResolvedThere() throws Exception {
    Path stage1Root = Files.createDirectories(tmp.resolve("stage1/opt/stage2/web/rootfs"));
    layOut(stage1Root);
    // Where an unclamped ".." would lead.
    Files.createDirectories(tmp.resolve("stage1/opt/stage2/web/foo"));
    Plan p = BundlePlanner.plan(List.of(bundle(tmpfs("/../../../../opt/stage2/web/foo"),
            tmpfs("/dir1/link_rel_dir2/../x"))), PlanOptions.defaults().withPodShare(tmp.resolve("share").toString()),
        BundlePlanner.RootSource.STAGE1, new NioGuestFs(tmp.resolve("stage1")), new NioHostFs());
    assertThat(p.mounts()).extracting(m -> m.target().toString())
        .containsExactly(APP_ROOT + "/opt/stage2/web/foo", APP_ROOT + "/x");
    assertThat(p.directories()).extracting(d -> d.path().toString()).containsExactly(
        "/mnt/kvmount_pod", APP_ROOT + "/opt/stage2/web/foo", APP_ROOT + "/x");
    assertThat(p.hostMountPointsToCreate()).isEmpty();
  }

  @Test
  void relativeDestination_keepsItsTargetAndWarning_andGetsANote() throws Exception {
    Plan p = plan(tmpfs("dir1"), tmpfs("link_abs_dir2/q"));
    assertThat(p.mounts()).extracting(m -> m.target().toString())
        .containsExactly(APP_ROOT, APP_ROOT + "/dir1", APP_ROOT + "/dir2/q");
    assertThat(p.mounts().get(1).path()).hasToString("/dir1");
    assertThat(p.mounts().get(1).note()).contains("path \"dir1\" as written, relative: read from the app's root;"
        + " mounted at /dir1 in the app");
    assertThat(p.mounts().get(2).path()).hasToString("/link_abs_dir2/q");
    assertThat(p.mounts().get(2).note()).contains("path \"link_abs_dir2/q\" as written, relative: read from the"
        + " app's root; mounted at /dir2/q in the app");
    assertThat(p.warnings()).containsExactly(
        cfg + ": mounts[0].destination: \"dir1\" is relative; runtime-spec 1.2 reads it as relative to \"/\""
            + " (deprecated there), and so does kvmount; write it as \"/dir1\"",
        cfg + ": mounts[1].destination: \"link_abs_dir2/q\" is relative; runtime-spec 1.2 reads it as relative to"
            + " \"/\" (deprecated there), and so does kvmount; write it as \"/link_abs_dir2/q\"");
  }

  @Test
  void absoluteDestination_withoutDotDot_hasNoNote() throws Exception {
    Plan p = plan(tmpfs("/dir1/"), tmpfs("/link_abs_dir2/q"));
    assertThat(p.mounts()).allSatisfy(m -> assertThat(m.note()).isEmpty());
    assertThat(p.mounts().get(2).path()).hasToString("/link_abs_dir2/q");
  }

  @ParameterizedTest
  @CsvSource({"/a/..", "/dir1/..", "/../..", "/link_abs_root/..", "/link_rel_dir1/..", "/link_rel_up/..", "..",
      "dir2/sub/../.."})
  void dotDot_toTheAppRoot_isRefused(String written) {
    assertThatThrownBy(() -> plan(tmpfs("/tmp"), tmpfs(written)))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[1].destination: \"" + written + "\" resolves to \"/\" inside the app rootfs;"
            + " mounting there would hide the whole app rootfs (the rootfs is root.path)");
  }

  @Test
  void dotDot_awayFromTheRoot_afterALink_isNotTheRoot() throws Exception {
    // Lexically "/", but the link leads to /dir2/sub: its ".." is /dir2.
    Plan p = plan(tmpfs("/link_abs_sub/.."));
    assertThat(p.mounts().get(1).target()).hasToString(APP_ROOT + "/dir2");
    // A bind there is a mount like any other: its volume is named after its source, not the rootfs.
    Plan bind = plan(mount("/link_abs_sub/..", null, data.toString(), "rbind"));
    assertThat(bind.mounts()).extracting(m -> m.target().toString(), ResolvedMount::volume)
        .containsExactly(tuple(APP_ROOT, "web-rootfs"), tuple(APP_ROOT + "/dir2", "sub"));
  }

  @Test
  void sameResolvedTarget_twice_staysRefused() {
    // As without "..": one mount unit per mount point, so the later one would hide the earlier.
    assertThatThrownBy(() -> plan(tmpfs("/mnt"), tmpfs("/x/../mnt")))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[1].destination: \"/x/../mnt\" (" + APP_ROOT + "/mnt) is the mount point of"
            + " mounts[0] already; the later mount would hide it entirely (one mount unit per mount point): remove"
            + " one of them");
    // Also the same source and access: OCI mounts are never merged.
    assertThatThrownBy(() -> plan(mount("/d", null, data.toString(), "rbind"),
        mount("/dir1/link_rel_dir2/../d", null, data.toString(), "rbind")))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[1].destination: \"/dir1/link_rel_dir2/../d\" (" + APP_ROOT + "/d) is the mount"
            + " point of mounts[0] already; the later mount would hide it entirely (one mount unit per mount point):"
            + " remove one of them");
  }

  @Test
  void dotDot_aboveAnEarlierMount_staysRefused() {
    assertThatThrownBy(() -> plan(tmpfs("/dir2/sub"), tmpfs("/dir1/../dir2")))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[1].destination: \"/dir1/../dir2\" lies above mounts[0] (/dir2/sub), which is"
            + " listed before it, so it would hide that mount; list \"/dir1/../dir2\" first");
  }

  @Test
  void dotDot_throughAFile_isRefused() {
    assertThatThrownBy(() -> plan(tmpfs("/dir1/file/../x")))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].destination: " + APP_ROOT + "/dir1/file is a file in the app rootfs, but"
            + " \"/dir1/file/../x\" goes through it; change the destination, or the symlinks and files on its path in"
            + " the app rootfs");
    assertThatThrownBy(() -> plan(tmpfs("/dir2/../dir1/file")))
        .isInstanceOf(PlanException.class)
        .hasMessage(cfg + ": mounts[0].destination: \"/dir2/../dir1/file\" is a file in the app rootfs; a tmpfs can"
            + " only be mounted on a directory");
  }

  @Test
  void dotDot_intoAProcessDirectory_staysRefused() {
    assertThatThrownBy(() -> plan(mount("/proc", "proc", "proc"), tmpfs("/proc/x/../self/root/etc")))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith(cfg + ": mounts[1].destination: \"/proc/x/../self/root/etc\" goes through /proc/self"
            + " of the proc mount mounts[0]");
  }

  private Plan planPaths(List<String> masked, List<String> readOnly) throws Exception {
    OciBundle b = new OciBundle("web", bundle, bundle.resolve("config.json"), new OciConfig("1.2.0",
        new OciConfig.Root("rootfs", false), List.of(), List.of(), new OciConfig.Linux(Optional.empty(), masked,
            readOnly)));
    return BundlePlanner.plan(List.of(b), PlanOptions.defaults().withPodShare(tmp.resolve("share").toString()),
        BundlePlanner.RootSource.SHARE, new NioGuestFs(tmp.resolve("stage1")), new NioHostFs());
  }

  @Test
  void maskedAndReadOnlyPaths_resolveDotDotInsideTheAppRootfs() throws Exception {
    // As a mount destination: clamped at the app root, after a symlink applied to its target.
    Plan p = planPaths(List.of("/dir1/../../x", "/link_abs_sub/../y"), List.of("/dir1/link_rel_dir2/../dir1"));
    assertThat(BundlePlannerEdgeCasesTest.file(p, "opt-stage2-web-rootfs-paths.service")).contains(" kvmount-paths "
        + APP_ROOT + " --mask " + APP_ROOT + "/x " + APP_ROOT + "/dir2/y --readonly " + APP_ROOT + "/dir1\n");
  }

  @Test
  void maskedPaths_atTheAppRootThroughDotDot_areRefused() {
    for (String root : List.of("/dir1/..", "/link_abs_root/..", "..")) {
      assertThatThrownBy(() -> planPaths(List.of(root), List.of())).as(root).isInstanceOf(PlanException.class)
          .hasMessage(cfg + ": linux.maskedPaths[0]: \"" + root + "\" resolves to \"/\" inside the app rootfs, which"
              + " would hide or freeze the whole app rootfs; remove it");
    }
    // Through a link the lexical "/" is not the root: /link_abs_sub/.. is /dir2.
    assertThatCode(() -> planPaths(List.of(), List.of("/link_abs_sub/.."))).doesNotThrowAnyException();
  }
}
