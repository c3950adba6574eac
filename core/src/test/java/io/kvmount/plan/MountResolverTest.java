package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.kvmount.manifest.AcName;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.Mount;
import io.kvmount.manifest.MountPoint;
import io.kvmount.manifest.PodManifest;
import io.kvmount.manifest.RuntimeApp;
import io.kvmount.manifest.Volume;
import io.kvmount.path.FileMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * appc's volume rules (pods.md "Volumes", "Mounts"; /work/shared/spec/appc-schema.md) on pods
 * built from the model's records: the public planner takes any {@link PodManifest}, not only what
 * the reader accepts, so the resolver checks names and targets again.
 */
class MountResolverTest {

  private static Volume host(String name, String source, Optional<Boolean> readOnly) {
    return new Volume.Host(new AcName(name), source, readOnly, Optional.empty());
  }

  private static Mount mount(String volume, String path) {
    return new Mount(new AcName(volume), path, Optional.empty());
  }

  private static MountPoint mp(String name, String path, boolean readOnly) {
    return new MountPoint(new AcName(name), path, readOnly);
  }

  private static RuntimeApp app(String name, List<MountPoint> mountPoints, Mount... mounts) {
    return new RuntimeApp(new AcName(name), Optional.ofNullable(mountPoints), List.of(mounts));
  }

  private static MountResolver.Resolution resolve(List<Volume> volumes, RuntimeApp... apps) throws Exception {
    return MountResolver.resolve(new PodManifest("0.8.11", List.of(apps), volumes), Map.of());
  }

  @Test
  void duplicateVolumeName_isRefused() {
    assertThatThrownBy(() -> resolve(List.of(host("data", "/a", Optional.empty()), host("data", "/b", Optional.empty())),
        app("web", null, mount("data", "/d"))))
        .isInstanceOf(PlanException.class).hasMessage("volumes[1].name: duplicate volume name \"data\" (also volumes[0])");
  }

  @Test
  void undeclaredVolume_isRefused() {
    assertThatThrownBy(() -> resolve(List.of(host("data", "/a", Optional.empty())), app("web", null, mount("nope", "/d"))))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].volume: volume \"nope\" is not declared in \"volumes\"");
  }

  @Test
  void imageManifests_forAppsOfThePod_andOnlyWithoutAnAppSection() throws Exception {
    PodManifest pod = new PodManifest("0.8.11", List.of(app("web", List.of(mp("data", "/pod", false))),
        app("db", null)), List.of(host("data", "/a", Optional.empty())));
    ImageManifest image = new ImageManifest("example.com/img", List.of(mp("data", "/image", false)));
    assertThatThrownBy(() -> MountResolver.resolve(pod, Map.of("cache", image))).isInstanceOf(PlanException.class)
        .hasMessage("image manifest given for app \"cache\", which is not in the pod");
    MountResolver.Resolution r = MountResolver.resolve(pod, Map.of("web", image, "db", image));
    assertThat(r.mounts()).extracting(m -> m.app(), m -> m.path().toString(), m -> m.origin()).containsExactly(
        tuple("web", "/pod", "apps[0].app.mountPoints[0]"),
        tuple("db", "/image", "image manifest of app \"db\": app.mountPoints[0]"));
    assertThat(r.warnings()).containsExactly("app \"web\": the pod's \"app\" section replaces the image's; the image"
        + " manifest given with --image-manifest is not used");
    // Without the image manifests nothing is said about the app section.
    assertThat(MountResolver.resolve(pod, Map.of()).warnings()).containsExactly("app \"db\" gets no volumes: it has no"
        + " mounts, no \"app\" section and no --image-manifest (which would supply its image's mount points)");
  }

  @Test
  void appVolume_definedTwice_mustBeTheSame() throws Exception {
    Volume declared = host("data", "/a", Optional.empty());
    Volume same = host("data", "/a", Optional.empty());
    Volume other = host("data", "/b", Optional.empty());
    assertThatThrownBy(() -> resolve(List.of(declared),
        app("web", null, new Mount(new AcName("data"), "/d", Optional.of(other)))))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].appVolume.name: volume \"data\" is already defined differently by volumes[0]");
    MountResolver.Resolution r = resolve(List.of(declared),
        app("web", null, new Mount(new AcName("data"), "/d", Optional.of(same))));
    assertThat(r.volumes()).containsExactly(Map.entry("data", declared));
    assertThat(r.mounts()).extracting(m -> m.volume()).containsExactly(declared);
  }

  @Test
  void twoMountsOnOneCleanedTarget_areRefused() {
    assertThatThrownBy(() -> resolve(List.of(host("a", "/a", Optional.empty()), host("b", "/b", Optional.empty())),
        app("web", null, mount("a", "/data"), mount("b", "//data/."))))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[1].path: \"//data/.\" is the same target as apps[0].mounts[0] (/data)");
  }

  /** Read-only: the volume's readOnly when set, else the mount point's, matched by path, then by name. */
  @Test
  void readOnly_fromTheMountPointMatchedByName_whenThePathDiffers() throws Exception {
    MountResolver.Resolution r = resolve(List.of(host("data", "/a", Optional.empty())),
        app("web", List.of(mp("data", "/y", true)), mount("data", "/x")));
    assertThat(r.mounts()).extracting(m -> m.path().toString(), MountResolver.AppMount::readOnly)
        .containsExactly(tuple("/x", true), tuple("/y", true));
  }

  @Test
  void implicitEmptyVolume_isShared_butNeverTakesADeclaredName() throws Exception {
    MountResolver.Resolution r = resolve(List.of(), app("web", List.of(mp("cache", "/c1", false), mp("cache", "/c2", true))));
    Volume implicit = new Volume.Empty(new AcName("web-cache"), Optional.empty(), FileMode.DEFAULT_DIRECTORY, 0, 0);
    assertThat(r.volumes()).containsExactly(Map.entry("web-cache", implicit));
    assertThat(r.mounts()).extracting(m -> m.path().toString(), m -> m.volume(), MountResolver.AppMount::readOnly)
        .containsExactly(tuple("/c1", implicit, false), tuple("/c2", implicit, true));
    assertThat(r.warnings()).containsExactly(
        "app \"web\": mount point \"cache\" (/c1) has no volume; using a new empty volume \"web-cache\" (mode 0755, uid"
            + " 0, gid 0)",
        "app \"web\": mount point \"cache\" (/c2) has no volume; using a new empty volume \"web-cache\" (mode 0755, uid"
            + " 0, gid 0)");
    assertThatThrownBy(() -> resolve(List.of(host("web-cache", "/a", Optional.empty())),
        app("web", List.of(mp("cache", "/c", false)))))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].app.mountPoints[0]: mount point \"cache\" has no volume, and the implicit empty volume name"
            + " \"web-cache\" is already used by volumes[0]; declare a volume \"cache\" in the pod, or rename one of"
            + " them");
  }

  @Test
  void implicitVolumesOfTwoApps_neverShareAName() {
    // "a" with "b-c" and "a-b" with "c" both name "a-b-c": one app's data would show in the other.
    assertThatThrownBy(() -> resolve(List.of(), app("a", List.of(mp("b-c", "/d1", false))),
        app("a-b", List.of(mp("c", "/d2", false)))))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[1].app.mountPoints[0]: mount point \"c\" has no volume, and the implicit empty volume name"
            + " \"a-b-c\" is already used by implicit volume of app \"a\", mount point \"b-c\""
            + " (apps[0].app.mountPoints[0]); declare a volume \"c\" in the pod, or rename one of them");
  }

  @Test
  void cleanPath_refusesWhatSystemdWouldChange() throws Exception {
    assertThat(MountResolver.cleanPath("//a/./b/", "f")).hasToString("/a/b");
    assertThat(MountResolver.cleanPath("/a\u00a0b", "f")).hasToString("/a\u00a0b");
    // Relative paths are read from the app's root, and ".." is clamped there (issue 24, as rkt).
    assertThat(MountResolver.cleanPath("a/b", "f")).hasToString("/a/b");
    assertThat(MountResolver.cleanPath("/a/../../b", "f")).hasToString("/b");
    assertThatThrownBy(() -> MountResolver.cleanPath("/a/b\t", "f")).isInstanceOf(PlanException.class)
        .hasMessage("f: \"/a/b\\t\": path ends with whitespace, which systemd would strip from Where=; remove it");
    for (String bad : List.of("/a\u0001b", "/a\u001fb", "/a\u007fb", "/\u007f")) {
      assertThatThrownBy(() -> MountResolver.cleanPath(bad, "f")).isInstanceOf(PlanException.class)
          .hasMessageEndingWith(": path contains a control character");
    }
    // An OCI destination made absolute is quoted as written.
    assertThatThrownBy(() -> MountResolver.cleanPath("/a\u0001", "a\u0001", "f")).isInstanceOf(PlanException.class)
        .hasMessage("f: \"a\\x01\": path contains a control character");
  }

  @Test
  void undeclaredVolume_namesTheNearestDeclaredOne_notAnImplicitOne() {
    // "web-cache" is implicit (from the first app's mount point), so only "data" is offered.
    assertThatThrownBy(() -> resolve(List.of(host("data", "/a", Optional.empty())),
        app("web", List.of(mp("cache", "/c", false))), app("db", null, mount("dats", "/d"))))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[1].mounts[0].volume: volume \"dats\" is not declared in \"volumes\"; did you mean"
            + " \"data\"?");
  }

  @Test
  void repeatedMountPointWithoutVolume_isOneMount_withOneWarning() throws Exception {
    MountResolver.Resolution r = resolve(List.of(), app("web", List.of(mp("cache", "/c", false), mp("cache", "/c/", false))));
    assertThat(r.mounts()).extracting(m -> m.path().toString(), m -> m.volume().name().value())
        .containsExactly(tuple("/c", "web-cache"));
    assertThat(r.warnings()).filteredOn(w -> w.contains("has no volume")).hasSize(1);
  }

  @Test
  void cleanPath_refusesEmptyNulAndOverlongPaths_withTheField() {
    assertThatThrownBy(() -> MountResolver.cleanPath("", "f")).isInstanceOf(PlanException.class)
        .hasMessageStartingWith("f: \"\": ");
    assertThatThrownBy(() -> MountResolver.cleanPath("\0x", "f")).isInstanceOf(PlanException.class)
        .hasMessage("f: \"\\x00x\": path is not absolute");
    assertThatThrownBy(() -> MountResolver.cleanPath("/" + "a".repeat(256), "f")).isInstanceOf(PlanException.class)
        .hasMessageStartingWith("f: \"/aaa");
    assertThatThrownBy(() -> MountResolver.cleanPath("x/" + "a".repeat(256), "f")).isInstanceOf(PlanException.class)
        .hasMessageStartingWith("f: \"x/aaa");
  }
}
