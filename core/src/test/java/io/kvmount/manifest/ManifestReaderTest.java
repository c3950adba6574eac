package io.kvmount.manifest;

import static io.kvmount.manifest.ManifestReaderMessagesTest.mnt;
import static io.kvmount.manifest.ManifestReaderMessagesTest.mp;
import static io.kvmount.manifest.ManifestReaderMessagesTest.pod;
import static io.kvmount.manifest.ManifestReaderMessagesTest.vol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kvmount.path.FileMode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link ManifestReader} builds from valid input, and its limits. */
class ManifestReaderTest {

  private static PodManifest read(String json) throws ManifestException {
    return ManifestReader.readPod(json.getBytes(StandardCharsets.UTF_8), "pod.json");
  }

  private static ManifestException error(String json) {
    return catchThrowableOfType(ManifestException.class, () -> read(json));
  }

  private static AcName n(String s) {
    return new AcName(s);
  }

  @Test
  void readPod_volumeReadOnly_unsetFalseTrueAndNullAreDistinct() throws Exception {
    PodManifest pod =
        read(
            vol(
                "{\"name\":\"a\",\"kind\":\"host\",\"source\":\"/a\"},"
                    + "{\"name\":\"b\",\"kind\":\"host\",\"source\":\"/b\",\"readOnly\":false},"
                    + "{\"name\":\"c\",\"kind\":\"host\",\"source\":\"/c\",\"readOnly\":true},"
                    + "{\"name\":\"d\",\"kind\":\"empty\",\"readOnly\":null}"));

    assertThat(pod.volumes())
        .extracting(Volume::readOnly)
        .containsExactly(Optional.empty(), Optional.of(false), Optional.of(true), Optional.empty());
  }

  @Test
  void readPod_emptyVolume_defaultsAndExplicitValues() throws Exception {
    PodManifest pod =
        read(
            vol(
                "{\"name\":\"tmp\",\"kind\":\"empty\"},"
                    + "{\"name\":\"own\",\"kind\":\"empty\",\"mode\":\"1777\",\"uid\":4294967294,\"gid\":100,\"source\":\"\"}"));

    assertThat(pod.volumes())
        .containsExactly(
            new Volume.Empty(n("tmp"), Optional.empty(), new FileMode(0755), 0, 0),
            new Volume.Empty(n("own"), Optional.empty(), new FileMode(01777), 4294967294L, 100));
  }

  @Test
  void readPod_hostVolume_sourceKeptAsWrittenAndRecursive() throws Exception {
    PodManifest pod =
        read(
            vol(
                "{\"name\":\"h\",\"kind\":\"host\",\"source\":\"/srv/../etc/\",\"recursive\":false}"));

    assertThat(pod.volumes())
        .containsExactly(
            new Volume.Host(n("h"), "/srv/../etc/", Optional.empty(), Optional.of(false)));
  }

  @Test
  void readPod_keysInOtherCase_matchLikeAppc() throws Exception {
    PodManifest pod =
        read(
            "{\"ACKIND\":\"PodManifest\",\"Volumes\":[{\"NAME\":\"data\",\"Kind\":\"host\","
                + "\"SOURCE\":\"/srv\",\"READONLY\":true}]}");

    assertThat(pod.volumes())
        .containsExactly(new Volume.Host(n("data"), "/srv", Optional.of(true), Optional.empty()));
    assertThat(pod.acVersion()).isEmpty();
  }

  @Test
  void readPod_keysWithGoCaseFolds_matchLikeAppc() throws Exception {
    // Go's EqualFold also folds KELVIN SIGN to k and LONG S to s; appc would read these keys.
    PodManifest pod =
        read(
            "{\"ac\u212aind\":\"PodManifest\",\"volumes\":[{\"name\":\"d\",\"\u212aind\":\"host\","
                + "\"\u017fource\":\"/srv\",\"recur\u017fIVE\":false}]}");

    assertThat(pod.volumes())
        .containsExactly(new Volume.Host(n("d"), "/srv", Optional.empty(), Optional.of(false)));
    assertThat(error(vol("{\"name\":\"d\",\"kind\":\"empty\",\"mode\":\"0700\",\"mode\u0301\":1}")))
        .isNull();
  }

  @Test
  void readPod_unknownFields_areIgnoredAtEveryLevel() throws Exception {
    PodManifest pod =
        read(
            "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"isolators\":[{\"name\":\"x\",\"value\":{\"a\":[1,2,{}]}}],"
                + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"readOnlyRootFS\":true,"
                + "\"app\":{\"exec\":[\"/bin/sh\"],\"mountPoints\":[{\"name\":\"d\",\"path\":\"/d\",\"x\":null}]},"
                + "\"mounts\":[{\"volume\":\"d\",\"path\":\"/e\",\"extra\":{\"z\":true}}]}],"
                + "\"volumes\":[{\"name\":\"d\",\"kind\":\"empty\",\"flavor\":\"x\"}],\"userLabels\":{\"k\":\"v\"}}");

    assertThat(pod.apps())
        .containsExactly(
            new RuntimeApp(
                n("web"),
                Optional.of(List.of(new MountPoint(n("d"), "/d", false))),
                List.of(Mount.of(n("d"), "/e"))));
  }

  @Test
  void readPod_appSection_mountPointsOptionalSemantics() throws Exception {
    PodManifest pod =
        read(
            pod(
                ",\"apps\":[{\"name\":\"none\"},{\"name\":\"nul\",\"app\":null},"
                    + "{\"name\":\"nomp\",\"app\":{\"exec\":[\"/x\"]}},"
                    + "{\"name\":\"two\",\"app\":{\"mountPoints\":[{\"name\":\"a\",\"path\":\"/a\",\"readOnly\":true},{\"name\":\"a\",\"path\":\"/b\"}]}}]"));

    assertThat(pod.apps())
        .extracting(RuntimeApp::mountPoints)
        .containsExactly(
            Optional.empty(),
            Optional.empty(),
            Optional.of(List.of()),
            Optional.of(
                List.of(new MountPoint(n("a"), "/a", true), new MountPoint(n("a"), "/b", false))));
  }

  @Test
  void readPod_mountWithAppVolumeOnly_takesItsName() throws Exception {
    PodManifest pod =
        read(
            pod(
                ",\"apps\":[{\"name\":\"web\",\"mounts\":[{\"path\":\"/x\",\"appVolume\":"
                    + "{\"name\":\"inline\",\"kind\":\"host\",\"source\":\"/srv\",\"readOnly\":true}}]}]"));

    Volume inline = new Volume.Host(n("inline"), "/srv", Optional.of(true), Optional.empty());
    assertThat(pod.apps().get(0).mounts())
        .containsExactly(new Mount(n("inline"), "/x", Optional.of(inline)));
    assertThat(pod.volumes()).isEmpty();
  }

  @Test
  void readPod_sameAppVolumeInTwoApps_isAccepted() throws Exception {
    String m =
        "{\"path\":\"/x\",\"appVolume\":{\"name\":\"v\",\"kind\":\"empty\",\"mode\":\"0700\"}}";
    PodManifest pod =
        read(
            pod(
                ",\"apps\":[{\"name\":\"a\",\"mounts\":["
                    + m
                    + "]},{\"name\":\"b\",\"mounts\":["
                    + m
                    + "]}]"));

    assertThat(pod.apps()).hasSize(2);
  }

  @Test
  void readPod_mountsOnDifferentPathsOfOneVolume_areAccepted() throws Exception {
    PodManifest pod =
        read(
            mnt(
                "{\"volume\":\"data\",\"path\":\"/data\"},{\"volume\":\"data\",\"path\":\"/data/sub\"}"));

    assertThat(pod.apps().get(0).mounts())
        .extracting(Mount::path)
        .containsExactly("/data", "/data/sub");
  }

  @Test
  void readPod_pathsWithNonAsciiAndSpaces_areKept() throws Exception {
    PodManifest pod = read(mp("{\"name\":\"a\",\"path\":\"/srv/日本 語/é\"}"));

    assertThat(pod.apps().get(0).mountPoints().orElseThrow().get(0).path())
        .isEqualTo("/srv/日本 語/é");
  }

  @Test
  void readImage_requiresKindVersionName() throws Exception {
    assertThat(
            ManifestReader.readImage(
                "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/a_b~c\"}"
                    .getBytes(StandardCharsets.UTF_8),
                "image.json"))
        .isEqualTo(new ImageManifest("example.com/a_b~c", List.of()));
    assertThatThrownBy(
            () ->
                ManifestReader.readImage(
                    "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"name\":\"a\"}"
                        .getBytes(StandardCharsets.UTF_8),
                    "image.json"))
        .isInstanceOf(ManifestException.class)
        .hasMessage("image.json: acKind: \"PodManifest\" is not \"ImageManifest\"");
    // Issue 24: a relative mount point path is read from the app's root when planning (as rkt and
    // appc do), and kept as written here.
    assertThat(
            ManifestReader.readImage(
                    "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"a\",\"app\":{\"mountPoints\":[{\"name\":\"db\",\"path\":\"db\"},{\"name\":\"up\",\"path\":\"/dir1/../../x\"}]}}"
                        .getBytes(StandardCharsets.UTF_8),
                    "image.json")
                .mountPoints())
        .extracting(MountPoint::path)
        .containsExactly("db", "/dir1/../../x");
    assertThatThrownBy(
            () ->
                ManifestReader.readImage(
                    "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"a\",\"app\":{\"mountPoints\":[{\"name\":\"db\",\"path\":\"\"}]}}"
                        .getBytes(StandardCharsets.UTF_8),
                    "image.json"))
        .hasMessage(
            "image.json: app.mountPoints[0].path: must not be empty (an absolute path inside the app"
                + " rootfs is required)");
  }

  /** The two message shapes the command line's users see most, exactly as documented. */
  @Test
  void readPod_documentedExampleMessages() {
    assertThat(
            error(
                    pod(
                        ",\"apps\":[{\"name\":\"a\"},{\"name\":\"b\",\"mounts\":[{\"volume\":\"Data\",\"path\":\"/d\"}]}]"))
                .getMessage())
        .isEqualTo(
            "pod.json: apps[1].mounts[0].volume: \"Data\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    assertThat(
            error(
                    vol(
                        "{\"name\":\"data\",\"kind\":\"empty\"},{\"name\":\"x\",\"kind\":\"empty\"},"
                            + "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/d\"}"))
                .getMessage())
        .isEqualTo("pod.json: volumes[2].name: duplicate volume name \"data\" (also volumes[0])");
  }

  @Test
  void readPod_mountOfAnotherAppsAppVolume_isNotADeclaredVolume() {
    // appc/rkt look a mount without appVolume up in the pod's volumes only.
    assertThat(
            error(
                    pod(
                        ",\"apps\":[{\"name\":\"a\",\"mounts\":[{\"path\":\"/x\",\"appVolume\":"
                            + "{\"name\":\"v\",\"kind\":\"empty\"}}]},"
                            + "{\"name\":\"b\",\"mounts\":[{\"volume\":\"v\",\"path\":\"/x\"}]}]"))
                .getMessage())
        .isEqualTo(
            "pod.json: apps[1].mounts[0].volume: volume \"v\" is not declared in \"volumes\" (and the mount has no \"appVolume\")");
  }

  @Test
  void readPod_recursiveOnEmptyVolume_isAcceptedAndIgnoredLikeAppc() throws Exception {
    assertThat(read(vol("{\"name\":\"t\",\"kind\":\"empty\",\"recursive\":true}")).volumes())
        .containsExactly(Volume.Empty.withDefaults(n("t"), Optional.empty()));
  }

  @Test
  void manifestException_sourceWithNewline_isEscapedInMessage() {
    ManifestException e =
        catchThrowableOfType(
            ManifestException.class,
            () -> ManifestReader.readPod("[]".getBytes(StandardCharsets.UTF_8), "my\nfile.json"));

    assertThat(e.getMessage())
        .isEqualTo(
            "my\\n"
                + "file.json: expected a JSON object at the top level, got an array (line 1, column"
                + " 1)");
    assertThat(e.source()).isEqualTo("my\nfile.json");
    assertThat(e.fieldPath()).isEmpty();
  }

  // --- limits -----------------------------------------------------------------------------------

  @Test
  void limits_thousandAppsTimesTenMounts_readFast() throws Exception {
    StringBuilder sb = new StringBuilder(pod(",\"apps\":[").replaceAll("}$", ""));
    for (int a = 0; a < 1000; a++) {
      sb.append(a == 0 ? "" : ",").append("{\"name\":\"app-").append(a).append("\",\"mounts\":[");
      for (int m = 0; m < 10; m++) {
        sb.append(m == 0 ? "" : ",")
            .append("{\"volume\":\"vol-")
            .append(m)
            .append("\",\"path\":\"/mnt/")
            .append(m)
            .append("\"}");
      }
      sb.append("]}");
    }
    sb.append("],\"volumes\":[");
    for (int v = 0; v < 10; v++) {
      sb.append(v == 0 ? "" : ",")
          .append("{\"name\":\"vol-")
          .append(v)
          .append("\",\"kind\":\"empty\"}");
    }
    sb.append("]}");
    byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);

    // CPU time of this thread, best of three: wall time on a loaded build machine says little.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long best = Long.MAX_VALUE;
    PodManifest pod = null;
    for (int run = 0; run < 3; run++) {
      long start = threads.getCurrentThreadCpuTime();
      pod = ManifestReader.readPod(json, "pod.json");
      best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
    }

    assertThat(pod.apps()).hasSize(1000);
    assertThat(pod.apps()).allSatisfy(app -> assertThat(app.mounts()).hasSize(10));
    assertThat(best / 1_000_000)
        .as("CPU milliseconds to read %d bytes", json.length)
        .isLessThan(1000);
  }

  @Test
  void limits_documentSize_refusedBeforeParsing() {
    byte[] big = new byte[ManifestReader.MAX_DOCUMENT_BYTES + 1];
    Arrays.fill(big, (byte) ' ');

    assertThatThrownBy(() -> ManifestReader.readPod(big, "pod.json"))
        .isInstanceOf(ManifestException.class)
        .hasMessage(
            "pod.json: document of 67108865 bytes is larger than the limit of 67108864 bytes");
  }

  @Test
  void limits_depth_exactlyAtLimitPassesOneMoreFails() throws Exception {
    int inner = ManifestReader.MAX_DEPTH - 1; // the top-level object is level 1
    read(pod(",\"x\":" + "[".repeat(inner) + "]".repeat(inner)));

    assertThat(
            error(pod(",\"x\":" + "{\"a\":".repeat(inner + 1) + "1" + "}".repeat(inner + 1)))
                .reason())
        .startsWith("nesting deeper than 64 levels");
  }

  @Test
  void limits_stringLength_exactlyAtLimitPassesOneMoreFails() throws Exception {
    int max = ManifestReader.MAX_STRING_LENGTH;
    read(pod(",\"x\":\"" + "a".repeat(max) + "\""));

    assertThat(error(pod(",\"x\":\"" + "a".repeat(max + 1) + "\"")).getMessage())
        .isEqualTo(
            "pod.json: x: string of 65537 characters is longer than the limit of 65536 (line 1,"
                + " column 65589)");
    assertThat(error(pod(",\"x\":[\"" + "a".repeat(max + 1) + "\"]")).fieldPath())
        .isEqualTo("x[0]");
  }

  @Test
  void limits_pathBytes_4095PassesAnd4096Fails() throws Exception {
    read(mp("{\"name\":\"a\",\"path\":\"/" + "a/".repeat(2047) + "\"}"));

    assertThat(error(mp("{\"name\":\"a\",\"path\":\"/" + "a/".repeat(2047) + "a\"}")).reason())
        .endsWith(" (4096 characters) is longer than 4095 bytes");
  }

  @Test
  void limits_apps_atLimitPassesOneMoreFails() throws Exception {
    assertThat(read(apps(ManifestReader.MAX_APPS)).apps()).hasSize(ManifestReader.MAX_APPS);
    assertThat(error(apps(ManifestReader.MAX_APPS + 1)).getMessage())
        .isEqualTo("pod.json: apps[10000]: too many apps (at most 10000)");
  }

  private static String apps(int n) {
    StringBuilder sb = new StringBuilder("{\"acKind\":\"PodManifest\",\"apps\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"name\":\"a").append(i).append("\"}");
    }
    return sb.append("]}").toString();
  }

  @Test
  void limits_volumes_oneMoreThanLimitFails() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= ManifestReader.MAX_VOLUMES; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"name\":\"v")
          .append(i)
          .append("\",\"kind\":\"empty\"}");
    }
    assertThat(error(vol(sb.toString())).getMessage())
        .isEqualTo("pod.json: volumes[10000]: too many volumes (at most 10000)");
  }

  @Test
  void limits_mountsAndMountPoints_oneMoreThanLimitFails() {
    StringBuilder mounts = new StringBuilder();
    StringBuilder points = new StringBuilder();
    for (int i = 0; i <= ManifestReader.MAX_MOUNTS_PER_APP; i++) {
      mounts
          .append(i == 0 ? "" : ",")
          .append("{\"volume\":\"data\",\"path\":\"/m")
          .append(i)
          .append("\"}");
      points
          .append(i == 0 ? "" : ",")
          .append("{\"name\":\"data\",\"path\":\"/m")
          .append(i)
          .append("\"}");
    }
    assertThat(error(mnt(mounts.toString())).getMessage())
        .isEqualTo("pod.json: apps[0].mounts[10000]: too many mounts in one app (at most 10000)");
    assertThat(error(mp(points.toString())).getMessage())
        .isEqualTo(
            "pod.json: apps[0].app.mountPoints[10000]: too many mount points in one app (at most"
                + " 10000)");
  }
}
