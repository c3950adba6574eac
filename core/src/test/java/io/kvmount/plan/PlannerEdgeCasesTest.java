package io.kvmount.plan;

import static io.kvmount.plan.PlannerTest.app;
import static io.kvmount.plan.PlannerTest.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The appc planner's and the tag function's rarer paths, each with the value or message it gives. */
class PlannerEdgeCasesTest {

  private static final String DATA = "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\"}";

  @Test
  void stage1ReadError_isReportedAsSuch() {
    GuestFs broken = new GuestFs() {
      @Override
      public Kind kind(GuestPath path) throws IOException {
        throw new IOException("read " + path + ": input/output error");
      }

      @Override
      public String readLink(GuestPath path) throws IOException {
        throw new IOException("not reached");
      }
    };
    assertThatThrownBy(() -> Planner.plan(pod(DATA, app("a", "{\"volume\":\"data\",\"path\":\"/d\"}", null)), Map.of(),
        PlanOptions.defaults(), broken))
        .isExactlyInstanceOf(IOException.class).hasMessage("read /opt: input/output error");
  }

  @Test
  void volumeOnTheRoot_isRefused() {
    assertThatThrownBy(() -> PlannerTest.plan(pod(DATA, app("a", "{\"volume\":\"data\",\"path\":\"/\"}", null))))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].path: mounting a volume on \"/\" would hide the whole app rootfs");
  }

  @Test
  void directoryVolumeOnADeviceSocketOrPipe_isRefused() {
    FakeGuestFs fs = new FakeGuestFs().other("/opt/stage2/a/rootfs/dev/log");
    assertThatThrownBy(() -> PlannerTest.plan(pod(DATA, app("a", "{\"volume\":\"data\",\"path\":\"/dev/log\"}", null)), fs))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].path: /dev/log is a device, socket or pipe in the app rootfs; volume \"data\" is"
            + " the directory \"/srv/data\", and a directory can only be mounted on a directory");
  }

  /** A unit of an app that cannot be named is reported as a plan error, not lost among the app's parts. */
  @Test
  void remountServiceNameTooLong_isAPlanError() {
    // The bind unit's name is 251 bytes; its -remount.service name would be 261.
    String path = "/" + "x".repeat(225);
    String ro = "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\",\"readOnly\":true}";
    assertThatThrownBy(() -> Planner.plan(pod(ro, app("a", "{\"volume\":\"data\",\"path\":\"" + path + "\"}", null)),
        Map.of(), PlanOptions.defaults().withLegacyRemount(true), GuestFs.EMPTY))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith("apps[0].mounts[0].path: ")
        .hasMessageContaining("-remount.service");
  }

  /** A mount inside a read-only host volume needs its mount point made in the source beforehand. */
  @Test
  void mountInsideAReadOnlyHostVolume_needsItsMountPointOnTheHost() throws Exception {
    String volumes = "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\",\"readOnly\":true},"
        + "{\"name\":\"sub\",\"kind\":\"host\",\"source\":\"/srv/sub\"}";
    Plan p = PlannerTest.plan(pod(volumes, app("a", "{\"volume\":\"data\",\"path\":\"/d\"},"
        + "{\"volume\":\"sub\",\"path\":\"/d/s/t\"}", null)));
    assertThat(p.hostMountPoints()).containsExactly(new Plan.HostMountPoint("data", "/srv/data/s/t",
        "apps[0].mounts[1]", "/d/s/t lies inside the read-only mount /d of volume \"data\", where nothing can create"
            + " its mount point"));
  }

  /** The host root as a read-only volume: the mount point's host path has one slash after it. */
  @Test
  void mountInsideAReadOnlyHostRoot_hostPathHasOneSlash() throws Exception {
    String volumes = "{\"name\":\"root\",\"kind\":\"host\",\"source\":\"/\",\"readOnly\":true},"
        + "{\"name\":\"sub\",\"kind\":\"host\",\"source\":\"/srv/sub\"}";
    Plan p = PlannerTest.plan(pod(volumes, app("a", "{\"volume\":\"root\",\"path\":\"/host\"},"
        + "{\"volume\":\"sub\",\"path\":\"/host/srv/x\"}", null)));
    assertThat(p.hostMountPoints()).extracting(Plan.HostMountPoint::path).containsExactly("/srv/x");
  }

  @Test
  void volumeOnALinkToTheAppRootfs_isRefused() {
    FakeGuestFs fs = new FakeGuestFs().link("/opt/stage2/a/rootfs/self", "/");
    assertThatThrownBy(() -> PlannerTest.plan(pod(DATA, app("a", "{\"volume\":\"data\",\"path\":\"/self\"}", null)), fs))
        .isInstanceOf(PlanException.class)
        .hasMessage("apps[0].mounts[0].path: /self resolves to the app rootfs itself through a symlink");
  }

  @Test
  void tagLimit_atLeast12Bytes() {
    assertThat(MountTag.assign(List.of("a".repeat(20)), 12, Set.of()).get("a".repeat(20))).hasSize(12);
    assertThatThrownBy(() -> MountTag.assign(List.of("a"), 11, Set.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tag limit 11 is too small");
  }

  private static String sha256Hex8(String s) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d).substring(0, 8);
  }

  /** On a collision the hash input gets a counter, #1, #2..., until the tag is free. */
  @Test
  void tag_collidingTwice_takesTheSecondCounter() throws Exception {
    String name = "v".repeat(40);
    String prefix = "v".repeat(22) + "-";
    String first = prefix + sha256Hex8(name);
    String second = prefix + sha256Hex8(name + "#1");
    assertThat(MountTag.assign(List.of(name), 31, Set.of()).get(name)).isEqualTo(first);
    assertThat(MountTag.assign(List.of(name), 31, Set.of(first)).get(name)).isEqualTo(second);
    assertThat(MountTag.assign(List.of(name), 31, Set.of(first, second)).get(name))
        .isEqualTo(prefix + sha256Hex8(name + "#2"));
  }

  /** A prefix made only of dashes is dropped whole: the tag is the separator and the hash. */
  @Test
  void tag_ofADashOnlyName_isDashAndHash() throws Exception {
    String name = "-".repeat(40);
    assertThat(MountTag.assign(List.of(name), 31, Set.of()).get(name)).isEqualTo("-" + sha256Hex8(name));
  }
}
