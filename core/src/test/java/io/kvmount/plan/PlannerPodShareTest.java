package io.kvmount.plan;

import static io.kvmount.plan.PlannerTest.app;
import static io.kvmount.plan.PlannerTest.file;
import static io.kvmount.plan.PlannerTest.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.manifest.PodManifest;
import io.kvmount.path.GuestPath;
import io.kvmount.systemd.UnitName;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pod share strategy, single-file volumes and {@code recursive}, as the planner decides them. */
class PlannerPodShareTest {

  private static final String DIR_VOL = "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\"}";
  private static final String FILE_VOL =
      "{\"name\":\"hosts\",\"kind\":\"host\",\"source\":\"/srv/hosts\",\"readOnly\":true}";
  private static final SourceKinds HOSTS_IS_FILE = s -> s.equals("/srv/hosts");

  private static Plan podShare(PodManifest pod, GuestFs fs) throws Exception {
    return Planner.plan(pod, Map.of(), PlanOptions.defaults().withPodShare("/run/pods/p1"), fs, HOSTS_IS_FILE);
  }

  private static Plan perVolume(PodManifest pod, GuestFs fs) throws Exception {
    return Planner.plan(pod, Map.of(), PlanOptions.defaults(), fs, HOSTS_IS_FILE);
  }

  @Test
  void podShare_oneShareOneUnit_bindsFromItsEntries() throws Exception {
    Plan p = podShare(pod(DIR_VOL + "," + FILE_VOL,
        app("web", "{\"volume\":\"data\",\"path\":\"/var/data\"},{\"volume\":\"hosts\",\"path\":\"/etc/hosts\"}", null)),
        new FakeGuestFs().file("/opt/stage2/web/rootfs/etc/hosts"));
    UnitName unit = new UnitName("mnt-kvmount_pod.mount");
    assertThat(p.shares()).containsExactly(new Share(Planner.POD_SHARE_NAME, "kvmount-pod", "/run/pods/p1", false, unit));
    assertThat(p.podShare()).get().satisfies(ps -> {
      assertThat(ps.guestPath()).isEqualTo(GuestPath.parse("/mnt/kvmount_pod"));
      assertThat(ps.entries()).containsExactly(
          new PodShare.Entry("data", "data", "/srv/data", false, false, true),
          new PodShare.Entry("hosts", "hosts", "/srv/hosts", true, true, true));
    });
    assertThat(p.files().get(0).path().toString()).isEqualTo("mnt-kvmount_pod.mount");
    assertThat(file(p, "mnt-kvmount_pod.mount"))
        .contains("Description=kvmount share of the pod share (9p tag kvmount-pod)\n")
        .contains("What=kvmount-pod\nWhere=/mnt/kvmount_pod\nType=9p\n")
        .doesNotContain(",ro");
    assertThat(file(p, "opt-stage2-web-rootfs-var-data.mount"))
        .contains("Requires=mnt-kvmount_pod.mount\nAfter=mnt-kvmount_pod.mount\n")
        .contains("What=/mnt/kvmount_pod/data\nWhere=/opt/stage2/web/rootfs/var/data\nType=none\nOptions=bind,rslave\n");
    assertThat(file(p, "opt-stage2-web-rootfs-etc-hosts.mount"))
        .contains("What=/mnt/kvmount_pod/hosts\nWhere=/opt/stage2/web/rootfs/etc/hosts\nType=none\nOptions=bind,ro,rslave\n");
    // No per-volume share units or /mnt/<volume> directories; the app's own file is the file
    // mount point (planned whether or not it exists: the writer keeps an existing one as it is).
    assertThat(p.files()).extracting(f -> f.path().toString()).doesNotContain("mnt-data.mount", "mnt-hosts.mount");
    assertThat(p.directories()).extracting(d -> d.path().toString())
        .contains("/mnt/kvmount_pod", "/opt/stage2/web/rootfs/var/data", "/opt/stage2/web/rootfs/etc")
        .doesNotContain("/mnt/data", "/mnt/hosts", "/opt/stage2/web/rootfs/etc/hosts");
    assertThat(p.fileMountPoints())
        .containsExactly(new PlannedFileMountPoint(GuestPath.parse("/opt/stage2/web/rootfs/etc/hosts")));
    assertThat(p.units()).filteredOn(u -> u.role() == PlannedUnit.Role.SHARE).hasSize(1);
  }

  @Test
  void singleFileVolume_missingMountPoint_isPlannedAsAnEmptyFile() throws Exception {
    Plan p = podShare(pod(FILE_VOL, app("web", "{\"volume\":\"hosts\",\"path\":\"/etc/hosts\"}", null)),
        GuestFs.EMPTY);
    assertThat(p.fileMountPoints())
        .containsExactly(new PlannedFileMountPoint(GuestPath.parse("/opt/stage2/web/rootfs/etc/hosts")));
    assertThat(p.directories()).extracting(d -> d.path().toString())
        .contains("/opt/stage2/web/rootfs/etc").doesNotContain("/opt/stage2/web/rootfs/etc/hosts");
  }

  @Test
  void singleFileVolume_onADirectory_namesBoth() {
    assertThatThrownBy(() -> podShare(pod(FILE_VOL, app("web", "{\"volume\":\"hosts\",\"path\":\"/etc/hosts\"}", null)),
        new FakeGuestFs().dir("/opt/stage2/web/rootfs/etc/hosts")))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].path: /etc/hosts is a directory in the app rootfs, but volume \"hosts\" is"
            + " the single file \"/srv/hosts\"; a file can only be mounted on a file (or where nothing is)");
  }

  @Test
  void directoryVolume_onAFile_namesBoth() {
    assertThatThrownBy(() -> podShare(pod(DIR_VOL, app("web", "{\"volume\":\"data\",\"path\":\"/etc/conf\"}", null)),
        new FakeGuestFs().file("/opt/stage2/web/rootfs/etc/conf")))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].path: /etc/conf is a file in the app rootfs; volume \"data\" is the"
            + " directory \"/srv/data\", and a directory can only be mounted on a directory");
  }

  @Test
  void perVolume_refusesSingleFiles_andPointsToThePodShare() {
    assertThatThrownBy(() -> perVolume(pod(FILE_VOL, app("web", "{\"volume\":\"hosts\",\"path\":\"/etc/hosts\"}", null)),
        GuestFs.EMPTY))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith("pod.json: volumes[0].source: \"/srv/hosts\" is a single file")
        .hasMessageEndingWith("use --share pod --share-dir DIR, which bind-mounts single files");
  }

  @Test
  void recursiveFalse_refusedPerVolume_keptInThePodShare() throws Exception {
    String vol = "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\",\"recursive\":false}";
    PodManifest pod = pod(vol, app("web", "{\"volume\":\"data\",\"path\":\"/d\"}", null));
    assertThatThrownBy(() -> perVolume(pod, GuestFs.EMPTY))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith("volume \"data\": \"recursive\": false cannot be honoured with one share per volume");
    assertThat(podShare(pod, GuestFs.EMPTY).podShare().get().entries())
        .containsExactly(new PodShare.Entry("data", "data", "/srv/data", false, false, false));
  }

  @Test
  void entryNames_longVolumeNamesAreShortened_uniquely() throws Exception {
    String a = "v".repeat(70) + "a";
    String b = "v".repeat(70) + "b";
    Plan p = podShare(pod("{\"name\":\"" + a + "\",\"kind\":\"host\",\"source\":\"/a\"},{\"name\":\"" + b
        + "\",\"kind\":\"host\",\"source\":\"/b\"}", app("web", "{\"volume\":\"" + a + "\",\"path\":\"/a\"},{\"volume\":\""
        + b + "\",\"path\":\"/b\"}", null)), GuestFs.EMPTY);
    List<PodShare.Entry> entries = p.podShare().get().entries();
    assertThat(entries).allSatisfy(e -> assertThat(e.name().length()).isLessThanOrEqualTo(PodShare.MAX_ENTRY_BYTES));
    assertThat(Set.of(entries.get(0).name(), entries.get(1).name())).hasSize(2);
  }

  @Test
  void podShareTag_reserved_isRefused() {
    PlanOptions o = new PlanOptions(Transport.NINE_P, 31, Set.of("kvmount-pod"), PlanOptions.DEFAULT_UNITS_DIR,
        PlanOptions.DEFAULT_MSIZE, PlanOptions.DEFAULT_CACHE, false, ShareStrategy.POD, java.util.Optional.of("/s"), io.kvmount.plan.Route.UNITS);
    assertThatThrownBy(() -> Planner.plan(pod(DIR_VOL, app("web", "{\"volume\":\"data\",\"path\":\"/d\"}", null)),
        Map.of(), o, GuestFs.EMPTY, HOSTS_IS_FILE))
        .isInstanceOf(PlanException.class).hasMessageContaining("\"kvmount-pod\" is reserved");
  }
}
