package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.systemd.UnitName;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** appc rules and planning decisions, one behaviour each. */
class PlannerTest {

  static PodManifest pod(String volumes, String apps) throws Exception {
    String json = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[" + volumes
        + "],\"apps\":[" + apps + "]}";
    return ManifestReader.readPod(json.getBytes(StandardCharsets.UTF_8), "pod.json");
  }

  static String app(String name, String mounts, String mountPoints) {
    return "{\"name\":\"" + name + "\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[" + mounts + "]"
        + (mountPoints == null ? "" : ",\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":["
            + mountPoints + "]}") + "}";
  }

  static Plan plan(PodManifest pod) throws Exception {
    return Planner.plan(pod, Map.of(), PlanOptions.defaults(), GuestFs.EMPTY);
  }

  static Plan plan(PodManifest pod, GuestFs fs) throws Exception {
    return Planner.plan(pod, Map.of(), PlanOptions.defaults(), fs);
  }

  static String file(Plan p, String name) {
    return p.files().stream().filter(f -> f.path().toString().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no file " + name + " in " + p.files())).content();
  }

  /** Plans a pod and returns the rejection, whether the reader or the planner gave it. */
  static io.kvmount.error.InvalidInputException rejection(String volumes, String apps, GuestFs fs) {
    try {
      plan(pod(volumes, apps), fs);
    } catch (io.kvmount.error.InvalidInputException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("unexpected " + e, e);
    }
    throw new AssertionError("not rejected");
  }

  @Test
  void plan_hostVolume_shareUnitBindUnitAndDropIn() throws Exception {
    Plan p = plan(pod("{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\"}",
        app("web", "{\"volume\":\"data\",\"path\":\"/var/data\"}", null)));
    assertThat(p.shares()).containsExactly(new Share("data", "data", "/srv/data", false, new UnitName("mnt-data.mount")));
    assertThat(file(p, "mnt-data.mount"))
        .contains("\n[Mount]\nWhat=data\nWhere=/mnt/data\nType=9p\n"
            + "Options=trans=virtio,version=9p2000.L,msize=512000,cache=mmap\n")
        .contains("DefaultDependencies=no\n");
    assertThat(file(p, "opt-stage2-web-rootfs-var-data.mount"))
        .contains("Requires=mnt-data.mount\nAfter=mnt-data.mount\n")
        .contains("What=/mnt/data\nWhere=/opt/stage2/web/rootfs/var/data\nType=none\nOptions=bind,rslave\n");
    assertThat(file(p, "web.service.d/10-kvmount-volumes.conf"))
        .endsWith("[Unit]\nRequires=opt-stage2-web-rootfs-var-data.mount\nAfter=opt-stage2-web-rootfs-var-data.mount\n")
        .doesNotContain("[Install]");
  }

  @Test
  void plan_appNameTooLongForItsDropIn_isBlamedOnTheName_atTheLimitItPlans() throws Exception {
    String vol = "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/s\"}";
    String mount = "{\"volume\":\"data\",\"path\":\"/d\"}";
    // At the limit the name passes, and the bind unit's name, 26 bytes longer, is the problem.
    PodManifest atLimit = pod(vol, app("a".repeat(MountResolver.MAX_APP_NAME_BYTES), mount, null));
    assertThatThrownBy(() -> plan(atLimit)).isInstanceOf(PlanException.class)
        .hasMessageStartingWith("apps[0].mounts[0].path: ")
        .hasMessageContaining("would be 271 bytes, systemd allows at most 255");
    for (int n : new int[] {MountResolver.MAX_APP_NAME_BYTES + 1, 300}) {
      PodManifest tooLong = pod(vol, app("b".repeat(n), mount, null));
      assertThatThrownBy(() -> plan(tooLong)).isInstanceOf(PlanException.class)
          .hasMessageStartingWith("apps[0].name: \"" + "b".repeat(40) + "...\" is " + n + " bytes, too long")
          .hasMessageEndingWith("names of at most 245 bytes pass this check");
    }
    // A name that fits everything plans.
    String fits = "a".repeat(200);
    assertThat(plan(pod(vol, app(fits, mount, null))).files()).extracting(f -> f.path().toString())
        .contains(fits + ".service.d/" + Planner.DROP_IN_NAME);
    // Without volumes the app gets no drop-in, and its name is not limited by it.
    assertThat(plan(pod(vol, app("c".repeat(300), "", null))).files()).hasSize(1);
  }

  @Test
  void plan_volumeReadOnlyFalse_overridesReadOnlyMountPoint() throws Exception {
    Plan p = plan(pod("{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/s\",\"readOnly\":false}",
        app("a", "", "{\"name\":\"data\",\"path\":\"/d\",\"readOnly\":true}")));
    assertThat(p.mounts().get(0).readOnly()).isFalse();
    assertThat(file(p, "opt-stage2-a-rootfs-d.mount")).contains("Options=bind,rslave\n");
  }

  @Test
  void plan_volumeReadOnlyUnset_takesMountPointReadOnly_andDeviceIsReadOnly() throws Exception {
    Plan p = plan(pod("{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/s\"}",
        app("a", "", "{\"name\":\"data\",\"path\":\"/d\",\"readOnly\":true}")));
    assertThat(p.mounts().get(0).readOnly()).isTrue();
    assertThat(file(p, "opt-stage2-a-rootfs-d.mount")).contains("Options=bind,ro,rslave\n");
    assertThat(p.shares().get(0).readOnly()).isTrue();
    assertThat(file(p, "mnt-data.mount")).contains(",cache=mmap,ro\n");
  }

  @Test
  void plan_volumeReadOnlyTrue_overridesWritableMountPoint() throws Exception {
    Plan p = plan(pod("{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/s\",\"readOnly\":true}",
        app("a", "{\"volume\":\"data\",\"path\":\"/d\"}", "{\"name\":\"data\",\"path\":\"/d\",\"readOnly\":false}")));
    assertThat(p.mounts()).hasSize(1);
    assertThat(p.mounts().get(0).readOnly()).isTrue();
  }

  @Test
  void plan_mountPointWithoutVolume_getsImplicitEmptyVolumeAndWarning() throws Exception {
    Plan p = plan(pod("", app("web", "", "{\"name\":\"cache\",\"path\":\"/var/cache\"}")));
    assertThat(p.mounts().get(0).volume()).isEqualTo("web-cache");
    assertThat(p.mounts().get(0).kind()).isEqualTo(VolumeKind.EMPTY);
    assertThat(p.warnings()).singleElement().asString()
        .contains("mount point \"cache\"").contains("empty volume \"web-cache\"");
    assertThat(p.directories()).anySatisfy(d -> {
      assertThat(d.path()).hasToString("/mnt/web-cache");
      assertThat(d.mode()).hasToString("0755");
      assertThat(d.managed()).isTrue();
    });
  }

  @Test
  void plan_mountPointCoveredByMountPath_isNotMountedTwice() throws Exception {
    Plan p = plan(pod("{\"name\":\"v\",\"kind\":\"empty\"}",
        app("a", "{\"volume\":\"v\",\"path\":\"/data/\"}", "{\"name\":\"other\",\"path\":\"//data\"}")));
    assertThat(p.mounts()).hasSize(1);
    assertThat(p.warnings()).isEmpty();
  }

  @Test
  void plan_undeclaredVolume_namesTheField() throws Exception {
    assertThat(rejection("", app("a", "{\"volume\":\"nope\",\"path\":\"/d\"}", null), GuestFs.EMPTY))
        .hasMessageContaining("apps[0].mounts[0].volume: volume \"nope\" is not declared in \"volumes\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/data/", "//data", "/data/.", "/./data", "/data//"})
  void plan_twoMountsOnOneCleanedTarget_isRefusedNamingBoth(String second) throws Exception {
    assertThat(rejection("{\"name\":\"v\",\"kind\":\"empty\"},{\"name\":\"w\",\"kind\":\"empty\"}",
        app("a", "{\"volume\":\"v\",\"path\":\"/data\"},{\"volume\":\"w\",\"path\":\"" + second + "\"}", null),
        GuestFs.EMPTY))
        .hasMessageContaining("apps[0].mounts[1].path").hasMessageContaining("apps[0].mounts[0]");
  }

  // Issue 24: "/../etc", "/a/../../etc" and "relative/path" are read inside the app rootfs now
  // (MountPathResolutionTest); a path that names the app's root, or nothing, is still refused.
  @ParameterizedTest
  @ValueSource(strings = {"/..", "/a/..", "a/../..", "..", ""})
  void plan_pathThatNamesTheAppRootOrNothing_isRefused(String path) throws Exception {
    PodManifest pod;
    try {
      pod = pod("{\"name\":\"v\",\"kind\":\"empty\"}", app("a", "{\"volume\":\"v\",\"path\":\"" + path + "\"}", null));
    } catch (io.kvmount.manifest.ManifestException e) {
      assertThat(e.getMessage()).contains("apps[0].mounts[0].path");
      return; // refused while reading: fine
    }
    PodManifest p = pod;
    assertThatThrownBy(() -> plan(p)).isInstanceOf(PlanException.class)
        .hasMessageStartingWith("apps[0].mounts[0].path: ");
  }

  @Test
  void plan_mountOnAppRoot_isRefused() throws Exception {
    PodManifest pod = pod("{\"name\":\"v\",\"kind\":\"empty\"}", app("a", "{\"volume\":\"v\",\"path\":\"/\"}", null));
    assertThatThrownBy(() -> plan(pod)).isInstanceOf(PlanException.class)
        .hasMessageContaining("would hide the whole app rootfs");
  }

  @Test
  void plan_targetThroughImageSymlink_whereIsCanonical() throws Exception {
    FakeGuestFs fs = new FakeGuestFs().dir("/opt/stage2/a/rootfs/run").link("/opt/stage2/a/rootfs/var/run", "../run");
    Plan p = plan(pod("{\"name\":\"v\",\"kind\":\"empty\"}", app("a", "{\"volume\":\"v\",\"path\":\"/var/run/app\"}", null)), fs);
    assertThat(p.mounts().get(0).target()).hasToString("/opt/stage2/a/rootfs/run/app");
    assertThat(file(p, "opt-stage2-a-rootfs-run-app.mount")).contains("Where=/opt/stage2/a/rootfs/run/app\n");
  }

  @Test
  void plan_absoluteSymlinkToEtc_staysInTheAppRootfs() throws Exception {
    FakeGuestFs fs = new FakeGuestFs().link("/opt/stage2/a/rootfs/data", "/etc");
    Plan p = plan(pod("{\"name\":\"v\",\"kind\":\"empty\"}", app("a", "{\"volume\":\"v\",\"path\":\"/data\"}", null)), fs);
    assertThat(p.mounts().get(0).target()).hasToString("/opt/stage2/a/rootfs/etc");
    assertThat(p.directories()).allSatisfy(d -> assertThat(d.path().toString()).doesNotStartWith("/etc"));
  }

  @Test
  void plan_fileMountPoint_isRefusedClearly() throws Exception {
    FakeGuestFs fs = new FakeGuestFs().file("/opt/stage2/a/rootfs/etc/hosts");
    PodManifest pod = pod("{\"name\":\"v\",\"kind\":\"empty\"}", app("a", "{\"volume\":\"v\",\"path\":\"/etc/hosts\"}", null));
    assertThatThrownBy(() -> plan(pod, fs)).isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].path: /etc/hosts is a file in the app rootfs; volume \"v\" is a directory,"
            + " and a directory can only be mounted on a directory");
  }

  @Test
  void plan_twoPathsResolvingToOneTarget_isRefused() throws Exception {
    FakeGuestFs fs = new FakeGuestFs().dir("/opt/stage2/a/rootfs/b").link("/opt/stage2/a/rootfs/a", "b");
    PodManifest pod = pod("{\"name\":\"v\",\"kind\":\"empty\"},{\"name\":\"w\",\"kind\":\"empty\"}",
        app("a", "{\"volume\":\"v\",\"path\":\"/a\"},{\"volume\":\"w\",\"path\":\"/b\"}", null));
    assertThatThrownBy(() -> plan(pod, fs)).isInstanceOf(PlanException.class)
        .hasMessageContaining("already the target of apps[0].mounts[0]");
  }

  @Test
  void plan_nestedTargets_childRequiresParent_andMountPointExistsInReadOnlyEmptyParent() throws Exception {
    Plan p = plan(pod("{\"name\":\"config\",\"kind\":\"empty\",\"readOnly\":true},{\"name\":\"s\",\"kind\":\"host\",\"source\":\"/s\"}",
        app("a", "{\"volume\":\"s\",\"path\":\"/config/secrets\"},{\"volume\":\"config\",\"path\":\"/config\"}", null)));
    assertThat(file(p, "opt-stage2-a-rootfs-config-secrets.mount"))
        .contains("Requires=mnt-s.mount opt-stage2-a-rootfs-config.mount\n")
        .contains("After=mnt-s.mount opt-stage2-a-rootfs-config.mount\n");
    assertThat(p.directories()).anySatisfy(d -> assertThat(d.path()).hasToString("/mnt/config/secrets"));
  }

  @Test
  void plan_percentAndSpaces_areEscapedInValues() throws Exception {
    Plan p = plan(pod("{\"name\":\"v\",\"kind\":\"empty\"}", app("a", "{\"volume\":\"v\",\"path\":\"/100% sure\"}", null)));
    assertThat(file(p, "opt-stage2-a-rootfs-100\\x25\\x20sure.mount")).contains("Where=/opt/stage2/a/rootfs/100%% sure\n");
  }

  @Test
  void plan_twoAppsShareAVolume_deviceWritableWhenOneWrites() throws Exception {
    Plan p = plan(pod("{\"name\":\"d\",\"kind\":\"host\",\"source\":\"/s\"}",
        app("w", "{\"volume\":\"d\",\"path\":\"/d\"}", null) + ","
            + app("r", "", "{\"name\":\"d\",\"path\":\"/d\",\"readOnly\":true}")));
    assertThat(p.shares().get(0).readOnly()).isFalse();
    assertThat(file(p, "opt-stage2-r-rootfs-d.mount")).contains("Options=bind,ro,rslave\n");
    assertThat(file(p, "opt-stage2-w-rootfs-d.mount")).contains("Options=bind,rslave\n");
  }

  @Test
  void plan_longVolumeName_tagFitsAndUnitUsesTheSameTag() throws Exception {
    String name = "a-volume-name-that-is-longer-than-thirty-one-bytes";
    Plan p = plan(pod("{\"name\":\"" + name + "\",\"kind\":\"host\",\"source\":\"/s\"}", ""));
    String tag = p.shares().get(0).tag();
    assertThat(tag.length()).isLessThanOrEqualTo(31);
    assertThat(file(p, "mnt-a\\x2dvolume\\x2dname\\x2dthat\\x2dis\\x2dlonger\\x2dthan\\x2dthirty\\x2done\\x2dbytes.mount"))
        .contains("What=" + tag + "\n");
  }

  @Test
  void plan_emptyVolumeNameLongerThanAComponent_isRefusedAsInput() {
    String name = "v".repeat(300);
    assertThat(rejection("{\"name\":\"" + name + "\",\"kind\":\"empty\"}", "", GuestFs.EMPTY))
        .hasMessageContaining("is 300 bytes").hasMessageContaining("at most 255");
  }

  @Test
  void plan_mountPathEndingInWhitespace_isRefusedBeforeSystemdWouldStripIt() {
    assertThat(rejection("{\"name\":\"v\",\"kind\":\"empty\"}",
        app("a", "{\"volume\":\"v\",\"path\":\"/var/data \"}", null), GuestFs.EMPTY))
        .hasMessageContaining("apps[0].mounts[0].path").hasMessageContaining("ends with whitespace");
  }

  @Test
  void plan_appWithoutMountsAppSectionOrImage_warnsThatItGetsNoVolumes() throws Exception {
    Plan p = plan(pod("", "{\"name\":\"lonely\",\"image\":{\"id\":\"sha512-aa\"}}"));
    assertThat(p.warnings()).singleElement().asString().contains("app \"lonely\" gets no volumes");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/d/", "//d", "/d/.", "/./d"})
  void plan_twoImageMountPointsOnOneTarget_areRefused(String second) throws Exception {
    // Bug class 20 for image mount points: before, the second one was silently dropped.
    PodManifest pod = pod("{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\"}",
        app("web", "", "{\"name\":\"data\",\"path\":\"/d\"},{\"name\":\"other\",\"path\":\"" + second + "\"}"));
    assertThatThrownBy(() -> plan(pod)).isInstanceOf(PlanException.class)
        .hasMessage("apps[0].app.mountPoints[1].path: \"" + second + "\" is the same target as"
            + " apps[0].app.mountPoints[0] (/d)");
  }

  @Test
  void plan_twoImageMountPointsOnDifferentTargets_bothMounted() throws Exception {
    PodManifest pod = pod("{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\"}",
        app("web", "", "{\"name\":\"data\",\"path\":\"/d\"},{\"name\":\"other\",\"path\":\"/d2\"}"));
    assertThat(plan(pod).mounts()).hasSize(2);
  }
}
