package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.apply.NioGuestFs;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.path.GuestPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 24, behaviours 2 to 4: mount paths with {@code ..}, relative mount paths and the same
 * mount twice, planned against a real app image tree in a temp directory, laid out like rkt's
 * functional test image ({@code dir1}, {@code dir2}, relative and absolute links, a link to
 * {@code /}, a link to a missing directory). Every target must stay inside the app rootfs.
 */
class MountPathResolutionTest {

  private static final String APP_ROOT = "/opt/stage2/web/rootfs";

  @TempDir Path tmp;
  Path stage1;
  Path rootfs;

  @BeforeEach
  void image() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    rootfs = Files.createDirectories(stage1.resolve("opt/stage2/web/rootfs"));
    Files.createDirectories(rootfs.resolve("dir1"));
    Files.createDirectories(rootfs.resolve("dir2/sub"));
    Files.writeString(rootfs.resolve("dir1/file"), "dir1\n");
    Files.createSymbolicLink(rootfs.resolve("dir1/link_rel_dir2"), Path.of("../dir2"));
    Files.createSymbolicLink(rootfs.resolve("link_rel_dir1"), Path.of("dir1"));
    Files.createSymbolicLink(rootfs.resolve("link_abs_dir2"), Path.of("/dir2"));
    Files.createSymbolicLink(rootfs.resolve("link_abs_sub"), Path.of("/dir2/sub"));
    Files.createSymbolicLink(rootfs.resolve("link_abs_root"), Path.of("/"));
    Files.createSymbolicLink(rootfs.resolve("link_rel_up"), Path.of("../../.."));
    Files.createSymbolicLink(rootfs.resolve("link_missing"), Path.of("/nonexistent/dir"));
    // Outside the app rootfs, where a ".." that was not clamped would lead.
    Files.createDirectories(stage1.resolve("opt/stage2/web/foo"));
  }

  private static PodManifest pod(String mounts) throws Exception {
    return ManifestReader.readPod(("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"web\","
        + "\"image\":{\"id\":\"sha512-0\"},\"mounts\":[" + mounts + "]}],\"volumes\":["
        + "{\"name\":\"data\",\"kind\":\"empty\"},{\"name\":\"other\",\"kind\":\"empty\"},"
        + "{\"name\":\"ro\",\"kind\":\"empty\",\"readOnly\":true}]}").getBytes(StandardCharsets.UTF_8), "pod.json");
  }

  private Plan plan(String mounts) throws Exception {
    return Planner.plan(pod(mounts), Map.of(), PlanOptions.defaults(), new NioGuestFs(stage1));
  }

  private static String mount(String volume, String path) {
    return "{\"volume\":\"" + volume + "\",\"path\":\"" + path + "\"}";
  }

  /** The one mount's target as the app sees it, after checking it lies in the app rootfs. */
  static String inApp(ResolvedMount m) {
    GuestPath root = GuestPath.parse(APP_ROOT);
    assertThat(root.contains(m.target())).as("%s inside the app rootfs", m.target()).isTrue();
    return GuestPath.ROOT.resolve(root.relativize(m.target())).toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Behaviour 2: ".." is resolved inside the app rootfs

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    // Lexical "..", clamped at the app root.
    "/dir1/../../../foo | /foo",
    "/../dir2 | /dir2",
    "/../../../../opt/stage2/web/foo | /opt/stage2/web/foo",
    "/dir1/../dir1/.//link_rel_dir2/foo | /dir2/foo",
    // A ".." after a symlink applies to the link's target (securejoin), not to the link's name.
    "/dir1/link_rel_dir2/../x | /x",
    "/link_abs_sub/../x | /dir2/x",
    "/link_abs_sub/.. | /dir2",
    "/link_rel_dir1/../dir2/y | /dir2/y",
    // A link to "/", and one climbing above it: both stay at the app root.
    "/link_abs_root/../../dir2/foo | /dir2/foo",
    "/link_rel_up/dir1 | /dir1",
    // A link to a missing directory: the rest is created where the link leads.
    "/link_missing/../x | /nonexistent/x",
    "/link_missing/x | /nonexistent/dir/x",
  })
  void dotDot_isResolvedInsideTheAppRootfs(String written, String expected) throws Exception {
    Plan p = plan(mount("data", written));
    ResolvedMount m = p.mounts().get(0);
    assertThat(inApp(m)).isEqualTo(expected);
    assertThat(m.origin()).isEqualTo("apps[0].mounts[0]");
    assertThat(p.directories()).extracting(d -> d.path().toString())
        .allSatisfy(d -> assertThat(d).doesNotStartWith("/opt/stage2/web/foo"));
    if (written.contains("..")) {
      assertThat(m.path()).hasToString(expected);
      assertThat(m.note()).contains("path \"" + written + "\" as written, \"..\" resolved inside the app rootfs;"
          + " mounted at " + expected + " in the app");
    }
  }

  @ParameterizedTest
  @CsvSource({"/link_abs_root/..", "/dir1/..", "/../..", "/link_rel_dir1/.."})
  void dotDot_toTheAppRoot_isRefused(String written) {
    assertThatThrownBy(() -> plan(mount("data", written)))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith("apps[0].mounts[0].path: ")
        .hasMessageContaining("would hide the whole app rootfs");
  }

  @Test
  void dotDot_withoutSymlinks_matchesTheLexicalPath() throws Exception {
    // With nothing on the path yet, the lexical cleaning is the whole answer.
    Plan p = Planner.plan(pod(mount("data", "/a/b/../../c/./d/..//e")), Map.of(), PlanOptions.defaults(),
        GuestFs.EMPTY);
    assertThat(p.mounts().get(0).target()).hasToString(APP_ROOT + "/c/e");
    assertThat(p.mounts().get(0).path()).hasToString("/c/e");
    assertThat(ConfinedResolver.lexical("a/b/../../c/./d/..//e")).hasToString("/c/e");
    assertThat(ConfinedResolver.lexical("/../..")).isEqualTo(GuestPath.ROOT);
  }

  @Test
  void dotDot_fileOnThePath_isRefused() throws Exception {
    assertThatThrownBy(() -> plan(mount("data", "/dir1/file/../x")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("apps[0].mounts[0].path: ")
        .hasMessageContaining("is a file in the app rootfs, but \"/dir1/file/../x\" goes through it");
  }

  // ---------------------------------------------------------------------------------------------
  // Behaviour 3: relative paths are relative to the app's root

  @Test
  void relativePath_isReadFromTheAppRoot_withAWarning() throws Exception {
    Plan p = plan(mount("data", "dir1") + "," + mount("other", "link_rel_dir1/../dir2/./z"));
    assertThat(inApp(p.mounts().get(0))).isEqualTo("/dir1");
    assertThat(p.mounts().get(0).path()).hasToString("/dir1");
    assertThat(p.mounts().get(0).note()).contains("path \"dir1\" as written, relative: read from the app's root;"
        + " mounted at /dir1 in the app");
    assertThat(inApp(p.mounts().get(1))).isEqualTo("/dir2/z");
    assertThat(p.warnings()).contains(
        "app \"web\": mount of volume \"data\" (apps[0].mounts[0].path) has the relative path \"dir1\", read from"
            + " the app's root as \"/dir1\" (as rkt and OCI runtime-spec 1.2 read it)");
    assertThat(p.warnings()).filteredOn(w -> w.contains("relative path")).hasSize(2);
  }

  @Test
  void relativeMountPoint_inTheImageManifest_isReadFromTheAppRoot() throws Exception {
    PodManifest pod = ManifestReader.readPod(("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":"
        + "[{\"name\":\"web\",\"image\":{\"id\":\"sha512-0\"}}],\"volumes\":[{\"name\":\"data\",\"kind\":\"empty\"}]}")
        .getBytes(StandardCharsets.UTF_8), "pod.json");
    ImageManifest image = ManifestReader.readImage(("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\","
        + "\"name\":\"example.com/web\",\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":["
        + "{\"name\":\"data\",\"path\":\"dir1/link_rel_dir2/../w\"}]}}").getBytes(StandardCharsets.UTF_8), "image.json");
    Plan p = Planner.plan(pod, Map.of("web", image), PlanOptions.defaults(), new NioGuestFs(stage1));
    assertThat(inApp(p.mounts().get(0))).isEqualTo("/w");
    assertThat(p.mounts().get(0).origin()).isEqualTo("image manifest of app \"web\": app.mountPoints[0]");
    assertThat(p.mounts().get(0).note()).contains("path \"dir1/link_rel_dir2/../w\" as written, relative: read from"
        + " the app's root, \"..\" resolved inside the app rootfs; mounted at /w in the app");
    assertThat(p.warnings()).contains("app \"web\": mount point \"data\" (image manifest of app \"web\":"
        + " app.mountPoints[0].path) has the relative path \"dir1/link_rel_dir2/../w\", read from the app's root as"
        + " \"/dir1/link_rel_dir2/../w\" (as rkt and OCI runtime-spec 1.2 read it)");
  }

  @Test
  void absolutePath_hasNoNote() throws Exception {
    Plan p = plan(mount("data", "/dir1/"));
    assertThat(p.mounts().get(0).note()).isEqualTo(Optional.empty());
    assertThat(p.warnings()).noneMatch(w -> w.contains("relative"));
  }

  // ---------------------------------------------------------------------------------------------
  // Behaviour 4: the same mount twice is one mount

  @Test
  void sameVolumeTwice_onOneTarget_isOneMount() throws Exception {
    Plan p = plan(mount("data", "/mnt") + "," + mount("data", "/mnt/") + "," + mount("data", "mnt/."));
    assertThat(p.mounts()).hasSize(1);
    assertThat(p.mounts().get(0).origin()).isEqualTo("apps[0].mounts[0]");
    assertThat(p.units()).filteredOn(u -> u.role() == PlannedUnit.Role.BIND).hasSize(1);
    assertThat(p.warnings()).contains("app \"web\": apps[0].mounts[1] mounts volume \"data\" at \"/mnt/\", the same"
        + " volume and access on the same target as apps[0].mounts[0] (\"/mnt\", /mnt): one mount");
    assertThat(p.warnings()).filteredOn(w -> w.endsWith("one mount")).hasSize(2);
    // The JSON report says so on the mount that is kept.
    assertThat(p.mounts().get(0).note()).hasValue("also written as \"/mnt/\" (apps[0].mounts[1]): the same volume"
        + " and access, one mount; also written as \"mnt/.\" (apps[0].mounts[2]): the same volume and access, one"
        + " mount");
  }

  @Test
  void sameVolumeTwice_throughDotDot_isOneMount() throws Exception {
    Plan p = plan(mount("data", "/dir2/foo") + "," + mount("data", "/dir1/../dir2/foo") + ","
        + mount("data", "dir2/sub/../foo/"));
    assertThat(p.mounts()).hasSize(1);
    assertThat(inApp(p.mounts().get(0))).isEqualTo("/dir2/foo");
    assertThat(p.warnings()).filteredOn(w -> w.endsWith("one mount")).hasSize(2);
  }

  @Test
  void sameVolumeTwice_throughASymlink_staysAnError() {
    // Two paths that meet only through the image's symlinks alias one target (fault class 20).
    assertThatThrownBy(() -> plan(mount("data", "/dir2/foo") + "," + mount("data", "/dir1/link_rel_dir2/foo")))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[1].path: /dir1/link_rel_dir2/foo resolves to " + APP_ROOT + "/dir2/foo, already"
            + " the target of apps[0].mounts[0]");
    assertThatThrownBy(() -> plan(mount("data", "/x") + "," + mount("data", "/dir1/link_rel_dir2/../x")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("already the target of apps[0].mounts[0]");
  }

  @Test
  void twoVolumes_onOneTarget_stayAnError() {
    // The reader's message for two spellings of one path (fault class 20).
    assertThatThrownBy(() -> plan(mount("data", "/mnt") + "," + mount("other", "/mnt/")))
        .hasMessage("pod.json: apps[0].mounts[1].path: \"/mnt/\" is mounted twice (also apps[0].mounts[0],"
            + " \"/mnt\")");
    // The resolver's, once ".." is cleaned; the planner's, through a symlink.
    assertThatThrownBy(() -> plan(mount("data", "/mnt") + "," + mount("other", "/x/../mnt")))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[1].path: \"/x/../mnt\" is the same target as apps[0].mounts[0] (/mnt)");
    assertThatThrownBy(() -> plan(mount("data", "/dir2/foo") + "," + mount("other", "/link_abs_dir2/foo")))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[1].path: /link_abs_dir2/foo resolves to " + APP_ROOT + "/dir2/foo, already"
            + " the target of apps[0].mounts[0]");
  }

  @Test
  void sameMountPointTwice_isOneMount_butNotWithAnotherAccessOrName() throws Exception {
    String podJson = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"web\","
        + "\"image\":{\"id\":\"sha512-0\"},\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":"
        + "[%s]}}],\"volumes\":[{\"name\":\"data\",\"kind\":\"empty\"},{\"name\":\"other\",\"kind\":\"empty\"}]}";
    String same = "{\"name\":\"data\",\"path\":\"/mnt\"},{\"name\":\"data\",\"path\":\"/mnt/\"}";
    Plan p = Planner.plan(ManifestReader.readPod(String.format(podJson, same).getBytes(StandardCharsets.UTF_8),
        "pod.json"), Map.of(), PlanOptions.defaults(), new NioGuestFs(stage1));
    assertThat(p.mounts()).hasSize(1);
    assertThat(p.warnings()).contains("app \"web\": mount point \"data\" at \"/mnt/\" (apps[0].app.mountPoints[1])"
        + " repeats apps[0].app.mountPoints[0] (/mnt), the same volume and access: one mount");
    assertThat(p.mounts().get(0).note()).hasValue("also written as \"/mnt/\" (apps[0].app.mountPoints[1]): the same"
        + " volume and access, one mount");
    // A relative first spelling keeps its own note first.
    String relativeFirst = "{\"name\":\"data\",\"path\":\"mnt\"},{\"name\":\"data\",\"path\":\"/mnt/\"}";
    Plan r = Planner.plan(ManifestReader.readPod(String.format(podJson, relativeFirst).getBytes(
        StandardCharsets.UTF_8), "pod.json"), Map.of(), PlanOptions.defaults(), new NioGuestFs(stage1));
    assertThat(r.mounts().get(0).note()).hasValue("path \"mnt\" as written, relative: read from the app's root;"
        + " mounted at /mnt in the app; also written as \"/mnt/\" (apps[0].app.mountPoints[1]): the same volume and"
        + " access, one mount");
    String otherAccess = "{\"name\":\"data\",\"path\":\"/mnt\"},{\"name\":\"data\",\"path\":\"/mnt/\","
        + "\"readOnly\":true}";
    assertThatThrownBy(() -> Planner.plan(ManifestReader.readPod(String.format(podJson, otherAccess)
        .getBytes(StandardCharsets.UTF_8), "pod.json"), Map.of(), PlanOptions.defaults(), new NioGuestFs(stage1)))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].app.mountPoints[1].path: \"/mnt/\" is the same target as apps[0].app.mountPoints[0]"
            + " (/mnt)");
    String otherName = "{\"name\":\"data\",\"path\":\"/mnt\"},{\"name\":\"other\",\"path\":\"/mnt/\"}";
    assertThatThrownBy(() -> Planner.plan(ManifestReader.readPod(String.format(podJson, otherName)
        .getBytes(StandardCharsets.UTF_8), "pod.json"), Map.of(), PlanOptions.defaults(), new NioGuestFs(stage1)))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("is the same target as apps[0].app.mountPoints[0]");
  }

  @Test
  void sameVolume_withAnotherAccess_staysAnError() {
    // "ro" is read-only, "data" is not: one target, two accesses.
    assertThatThrownBy(() -> plan(mount("data", "/dir2/foo") + "," + mount("ro", "/dir1/link_rel_dir2/foo")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("already the target of apps[0].mounts[0]");
  }

  @Test
  void hostShares_nameTheFieldThatDefinesTheirSource_andAnUnknownAcVersionWarns() throws Exception {
    Path a = Files.createDirectory(tmp.resolve("a"));
    Path b = Files.createDirectory(tmp.resolve("b"));
    PodManifest pod = ManifestReader.readPod(("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.9.0\",\"apps\":[{"
        + "\"name\":\"web\",\"image\":{\"id\":\"sha512-0\"},\"mounts\":[{\"volume\":\"va\",\"path\":\"/x\"},"
        + "{\"volume\":\"vb\",\"path\":\"/y\",\"appVolume\":{\"name\":\"vb\",\"kind\":\"host\",\"source\":\"" + b
        + "\"}}]}],\"volumes\":[{\"name\":\"va\",\"kind\":\"host\",\"source\":\"" + a + "\"}]}")
        .getBytes(StandardCharsets.UTF_8), "pod.json");
    Plan p = Planner.plan(pod, Map.of(), PlanOptions.defaults(), new NioGuestFs(stage1));
    assertThat(p.shares()).extracting(Share::volume, Share::origin).containsExactlyInAnyOrder(
        org.assertj.core.api.Assertions.tuple("va", "pod.json: volumes[0].source"),
        org.assertj.core.api.Assertions.tuple("vb", "pod.json: apps[0].mounts[1].appVolume.source"));
    assertThat(p.warnings()).contains("pod.json: acVersion: \"0.9.0\" is not an appc version kvmount knows (0.1.0"
        + " to 0.8.11, the last appc release); read by the rules of 0.8.11");
  }
}
