package io.kvmount.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.Kvmount;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.Plan;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.PlannedFileMountPoint;
import io.kvmount.plan.ResolvedMount;
import io.kvmount.plan.VolumeKind;
import io.kvmount.systemd.UnitName;
import java.util.ArrayList;
import java.util.Optional;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Transport;
import io.kvmount.verify.Finding.Check;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Verifier} on real trees written by {@link Kvmount#apply}: a clean tree has no finding,
 * and each way of damaging it (rename a unit, delete a required unit, chmod or chown an empty
 * volume, edit a unit, change a tag, ...) gives the finding for it, naming the path, the volume
 * or app, and nothing unrelated.
 */
class VerifierTest {
  @TempDir Path tmp;
  Path stage1;
  Path units;
  Path podFile;
  Plan plan;

  @BeforeEach
  void generate() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path data = Files.createDirectories(tmp.resolve("host/data"));
    podFile = tmp.resolve("pod.json");
    writePod(podFile, data, "data");
    plan = plan(podFile, Transport.NINE_P);
    Kvmount.apply(plan, stage1);
    units = stage1.resolve("usr/lib/systemd/system");
  }

  private static void writePod(Path file, Path data, String volume) throws IOException {
    Files.writeString(file, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"" + volume + "\",\"kind\":\"host\",\"source\":\"" + data + "\"},"
        + "{\"name\":\"scratch\",\"kind\":\"empty\",\"mode\":\"0700\",\"uid\":0,\"gid\":0}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"" + volume + "\",\"path\":\"/var/data\"},{\"volume\":\"scratch\",\"path\":\"/tmp/s\"}]},"
        + "{\"name\":\"worker\",\"image\":{\"id\":\"sha512-bb\"},\"mounts\":["
        + "{\"volume\":\"" + volume + "\",\"path\":\"/in\"}]}]}");
  }

  private Plan plan(Path pod, Transport t) throws Exception {
    PodManifest m = ManifestReader.readPod(Files.readAllBytes(pod), pod.toString());
    return Kvmount.plan(m, Map.of(), Hypervisors.byName("qemu"), t, PlanOptions.defaults(),
        HypervisorOptions.defaults(), stage1).plan();
  }

  private VerifyReport verifyWithPlan() throws IOException {
    return Verifier.verify(stage1, VerifyOptions.against(plan).withSystemdAnalyze(false));
  }

  private VerifyReport verifyTreeOnly() throws IOException {
    return Verifier.verify(stage1, VerifyOptions.treeOnly(VerifyOptions.DEFAULT_UNITS_DIR).withSystemdAnalyze(false));
  }

  private static List<Check> checks(VerifyReport r) {
    return r.findings().stream().map(Finding::check).distinct().toList();
  }

  private static String lines(VerifyReport r) {
    return String.join("\n", r.findings().stream().map(Finding::toString).toList());
  }

  @Test
  void cleanTree_noFindings_withAndWithoutPlan() throws Exception {
    VerifyReport withPlan = verifyWithPlan();
    assertThat(withPlan.findings()).as(lines(withPlan)).isEmpty();
    assertThat(withPlan.clean()).isTrue();
    assertThat(withPlan.filesChecked()).containsExactly(
        "usr/lib/systemd/system/mnt-data.mount",
        "usr/lib/systemd/system/opt-stage2-web-rootfs-tmp-s.mount",
        "usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount",
        "usr/lib/systemd/system/opt-stage2-worker-rootfs-in.mount",
        "usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf",
        "usr/lib/systemd/system/worker.service.d/10-kvmount-volumes.conf");
    assertThat(withPlan.directoriesChecked()).contains("mnt/scratch", "mnt/data", "opt/stage2/web/rootfs/var/data");
    VerifyReport treeOnly = verifyTreeOnly();
    assertThat(treeOnly.findings()).as(lines(treeOnly)).isEmpty();
  }

  @Test
  void podShare_bindsFromItsEntries_areClean_andAnEntryOfAnotherDirectoryIsNot() throws Exception {
    Path podStage1 = Files.createDirectory(tmp.resolve("pod-stage1"));
    PodManifest m = ManifestReader.readPod(Files.readAllBytes(podFile), podFile.toString());
    Plan podPlan = Kvmount.plan(m, Map.of(), Hypervisors.byName("qemu"), Transport.NINE_P,
        PlanOptions.defaults().withPodShare(tmp.resolve("share").toString()), HypervisorOptions.defaults(), podStage1)
        .plan();
    Kvmount.apply(podPlan, podStage1);
    VerifyReport r = Verifier.verify(podStage1, VerifyOptions.against(podPlan).withSystemdAnalyze(false));
    assertThat(r.findings()).as(lines(r)).isEmpty();
    VerifyReport treeOnly = Verifier.verify(
        podStage1, VerifyOptions.treeOnly(VerifyOptions.DEFAULT_UNITS_DIR).withSystemdAnalyze(false));
    assertThat(treeOnly.findings()).as(lines(treeOnly)).isEmpty();
    // A bind from below some other directory than the pod share's mount point has no share.
    Path bind = podStage1.resolve("usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount");
    Files.writeString(bind, Files.readString(bind).replace("What=/mnt/kvmount_pod/data", "What=/mnt/other/data"));
    VerifyReport edited = Verifier.verify(
        podStage1, VerifyOptions.treeOnly(VerifyOptions.DEFAULT_UNITS_DIR).withSystemdAnalyze(false));
    assertThat(lines(edited)).contains("source What=/mnt/other/data is not mounted by any share unit");
  }

  @Test
  void largeTree_stateFileOverOneMebibyte_isRead() throws Exception {
    // 800 apps x 10 mounts: a state file of about 1.2 MB, more than the 1 MiB a unit may have.
    Path big = Files.createDirectory(tmp.resolve("big"));
    Path data = Files.createDirectories(tmp.resolve("host/big"));
    StringBuilder pod = new StringBuilder("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[{"
        + "\"name\":\"v\",\"kind\":\"host\",\"source\":\"" + data + "\"}],\"apps\":[");
    for (int a = 0; a < 800; a++) {
      pod.append(a == 0 ? "" : ",").append("{\"name\":\"app-").append(a).append("\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[");
      for (int m = 0; m < 10; m++) {
        pod.append(m == 0 ? "" : ",").append("{\"volume\":\"v\",\"path\":\"/data/m").append(m).append("\"}");
      }
      pod.append("]}");
    }
    Path file = tmp.resolve("big.json");
    Files.writeString(file, pod.append("]}").toString());
    PodManifest m = ManifestReader.readPod(Files.readAllBytes(file), file.toString());
    Plan p = Kvmount.plan(m, Map.of(), Hypervisors.byName("qemu"), Transport.NINE_P, PlanOptions.defaults(),
        HypervisorOptions.defaults(), big).plan();
    Kvmount.apply(p, big);
    assertThat(Files.size(big.resolve(".kvmount/state"))).isGreaterThan(1 << 20);

    VerifyReport r = Verifier.verify(big, VerifyOptions.against(p).withSystemdAnalyze(false));
    assertThat(r.findings()).as(lines(r)).isEmpty();
    assertThat(r.filesChecked()).hasSize(p.files().size());
  }

  @Test
  void largeDropIn_overOneMebibyte_isRead() throws Exception {
    // One app with 10,000 mounts (the limit) on long paths: its drop-in lists 10,000 unit names
    // of about 85 bytes on each of two lines (each under the 1 MiB systemd reads), 1.7 MB.
    Path big = Files.createDirectory(tmp.resolve("big"));
    Path data = Files.createDirectories(tmp.resolve("host/big"));
    String dir = "/" + "d".repeat(25) + "/" + "e".repeat(25);
    StringBuilder pod = new StringBuilder("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[{"
        + "\"name\":\"v\",\"kind\":\"host\",\"source\":\"" + data + "\"}],\"apps\":[{\"name\":\"web\","
        + "\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[");
    for (int m = 0; m < 10_000; m++) {
      pod.append(m == 0 ? "" : ",").append("{\"volume\":\"v\",\"path\":\"").append(dir).append("/m").append(m)
          .append("\"}");
    }
    Path file = tmp.resolve("big.json");
    Files.writeString(file, pod.append("]}]}").toString());
    PodManifest m = ManifestReader.readPod(Files.readAllBytes(file), file.toString());
    Plan p = Kvmount.plan(m, Map.of(), Hypervisors.byName("qemu"), Transport.NINE_P, PlanOptions.defaults(),
        HypervisorOptions.defaults(), big).plan();
    Kvmount.apply(p, big);
    assertThat(Files.size(big.resolve("usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf")))
        .isGreaterThan(1 << 20);

    VerifyReport r = Verifier.verify(big, VerifyOptions.against(p).withSystemdAnalyze(false));
    assertThat(r.findings()).as(lines(r)).isEmpty();
  }

  @Test
  void cleanTree_systemdAnalyzeAcceptsIt() throws Exception {
    assumeTrue(SystemdAnalyze.find().isPresent(), "systemd-analyze is not installed");
    VerifyReport r = Verifier.verify(stage1, VerifyOptions.against(plan));
    assertThat(r.findings()).as(lines(r)).isEmpty();
  }

  @Test
  void renamedUnit_unitNameAndDeletedAndUnexpected() throws Exception {
    Files.move(units.resolve("mnt-data.mount"), units.resolve("mnt-dat.mount"));
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).contains(
        new Finding(Check.UNIT_NAME, "usr/lib/systemd/system/mnt-dat.mount",
            "share unit: Where=/mnt/data needs the file name \"mnt-data.mount\" (systemd-escape --path"
                + " --suffix=mount); systemd refuses a mount unit whose name does not match its Where="),
        new Finding(Check.DELETED, "usr/lib/systemd/system/mnt-data.mount",
            "listed in .kvmount/state but missing; re-run kvmount generate to restore it"));
    assertThat(checks(r)).contains(Check.UNEXPECTED_FILE, Check.MISSING_UNIT, Check.STATE)
        .doesNotContain(Check.CONTENT, Check.EMPTY_VOLUME, Check.TAG, Check.MODIFIED);
    // Without the plan the same rename is still found.
    assertThat(checks(verifyTreeOnly())).contains(Check.UNIT_NAME, Check.DELETED, Check.MISSING_UNIT);
  }

  @Test
  void renamedUnit_systemdAnalyzeReportsIt() throws Exception {
    assumeTrue(SystemdAnalyze.find().isPresent(), "systemd-analyze is not installed");
    Files.move(units.resolve("mnt-data.mount"), units.resolve("mnt-dat.mount"));
    VerifyReport r = Verifier.verify(stage1, VerifyOptions.treeOnly(VerifyOptions.DEFAULT_UNITS_DIR));
    assertThat(r.findings()).filteredOn(f -> f.check() == Check.SYSTEMD_ANALYZE)
        .extracting(Finding::toString)
        .anySatisfy(l -> assertThat(l).contains("mnt-dat.mount").contains("Where= setting doesn't match unit name"));
  }

  @Test
  void deletedDropInTarget_missingUnitNamesTheApp() throws Exception {
    Files.delete(units.resolve("opt-stage2-worker-rootfs-in.mount"));
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).contains(new Finding(Check.MISSING_UNIT,
        "usr/lib/systemd/system/worker.service.d/10-kvmount-volumes.conf",
        "app \"worker\": drop-in requires opt-stage2-worker-rootfs-in.mount, which is not in"
            + " usr/lib/systemd/system (nor in the stage1 rootfs's other unit directories); systemd will fail the"
            + " app's service"));
    assertThat(checks(r)).containsExactlyInAnyOrder(Check.MISSING_UNIT, Check.DELETED);
  }

  @Test
  void requiredUnitInAnotherUnitDirectory_isFound() throws Exception {
    Path etc = Files.createDirectories(stage1.resolve("etc/systemd/system"));
    Files.move(units.resolve("opt-stage2-worker-rootfs-in.mount"), etc.resolve("opt-stage2-worker-rootfs-in.mount"));
    VerifyReport r = verifyTreeOnly();
    assertThat(checks(r)).doesNotContain(Check.MISSING_UNIT).contains(Check.DELETED);
  }

  @Test
  void chmodEmptyVolume_emptyVolumeMode() throws Exception {
    Files.setAttribute(stage1.resolve("mnt/scratch"), "unix:mode", 0755);
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).containsExactly(new Finding(Check.EMPTY_VOLUME, "mnt/scratch",
        "empty volume \"scratch\": mode 0755, but the manifest gives 0700"));
  }

  @Test
  void chownEmptyVolume_emptyVolumeOwner() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
    Files.setAttribute(stage1.resolve("mnt/scratch"), "unix:uid", 1000);
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).containsExactly(new Finding(Check.EMPTY_VOLUME, "mnt/scratch",
        "empty volume \"scratch\": owner 1000:0, but the manifest gives 0:0"));
  }

  @Test
  void removedEmptyVolume_isReportedAsEmptyVolumeAndBindSource() throws Exception {
    Files.delete(stage1.resolve("mnt/scratch"));
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).extracting(Finding::toString).containsExactly(
        "empty-volume: mnt/scratch: empty volume \"scratch\": directory missing (the manifest gives mode 0700, owner"
            + " 0:0); run kvmount generate",
        "bind-source: usr/lib/systemd/system/opt-stage2-web-rootfs-tmp-s.mount: volume \"scratch\": source"
            + " What=/mnt/scratch is not mounted by any share unit and is not an empty-volume directory in the stage1"
            + " rootfs (missing)");
  }

  @Test
  void emptyVolumeReplacedBySymlink_isNotFollowed() throws Exception {
    Path outside = Files.createDirectory(tmp.resolve("outside"));
    Files.delete(stage1.resolve("mnt/scratch"));
    Files.createSymbolicLink(stage1.resolve("mnt/scratch"), outside);
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).extracting(Finding::toString)
        .contains("empty-volume: mnt/scratch: empty volume \"scratch\": directory is a symbolic link (the manifest"
            + " gives mode 0700, owner 0:0); run kvmount generate");
  }

  @Test
  void editedUnit_modifiedAndContent() throws Exception {
    Path bind = units.resolve("opt-stage2-worker-rootfs-in.mount");
    Files.writeString(bind, Files.readString(bind).replace("Type=none", "Type=ext4"));
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).hasSize(2);
    assertThat(r.findings().get(0).toString()).isEqualTo(
        "content: usr/lib/systemd/system/opt-stage2-worker-rootfs-in.mount: bind unit of volume \"data\" for app"
            + " \"worker\" at /in (apps[1].mounts[0]) differs from what the pod manifest gives: line 14: expected"
            + " \"Type=none\", found \"Type=ext4\"");
    assertThat(r.findings().get(1).check()).isEqualTo(Check.MODIFIED);
    assertThat(r.findings().get(1).message()).startsWith("changed since kvmount wrote it (SHA-256 ");
    // Without a plan, only the state file knows.
    assertThat(checks(verifyTreeOnly())).containsExactly(Check.MODIFIED);
  }

  @Test
  void changedTag_tagFinding_notAlsoContent() throws Exception {
    Path share = units.resolve("mnt-data.mount");
    Files.writeString(share, Files.readString(share).replace("What=data", "What=other"));
    VerifyReport r = verifyWithPlan();
    assertThat(r.findings()).extracting(Finding::check).containsExactly(Check.TAG, Check.MODIFIED);
    assertThat(r.findings().get(0).toString()).isEqualTo(
        "tag: usr/lib/systemd/system/mnt-data.mount: volume \"data\": share unit mounts tag \"other\", but the pod"
            + " manifest gives the tag \"data\" (the hypervisor arguments share " + tmp.resolve("host/data")
            + " under that tag)");
  }

  @Test
  void manifestTagChanged_tagFindingAgainstNewPlan() throws Exception {
    // The tree is untouched, but the manifest now calls the volume differently: the tree is stale.
    Path pod2 = tmp.resolve("pod2.json");
    writePod(pod2, tmp.resolve("host/data"), "data2");
    Plan p2 = plan(pod2, Transport.NINE_P);
    VerifyReport r = Verifier.verify(stage1, VerifyOptions.against(p2).withSystemdAnalyze(false));
    assertThat(checks(r)).contains(Check.MISSING_FILE, Check.UNEXPECTED_FILE, Check.CONTENT, Check.DIRECTORY);
    assertThat(lines(r)).contains("missing-file: usr/lib/systemd/system/mnt-data2.mount: share unit of volume"
        + " \"data2\" is missing; run kvmount generate");
  }

  @Test
  void duplicateTags_withoutPlan() throws Exception {
    Path share = units.resolve("mnt-data.mount");
    String text = Files.readString(share).replace("Where=/mnt/data", "Where=/mnt/copy");
    Files.writeString(units.resolve("mnt-copy.mount"), text);
    VerifyReport r = verifyTreeOnly();
    assertThat(lines(r)).contains("tag: usr/lib/systemd/system/mnt-data.mount: share unit mounts tag \"data\", which"
        + " share unit mnt-copy.mount mounts too; each volume needs its own tag");
  }

  @Test
  void bindWithoutShareOrDirectory_bindSource() throws Exception {
    Path bind = units.resolve("opt-stage2-web-rootfs-var-data.mount");
    Files.writeString(bind, Files.readString(bind).replace("What=/mnt/data", "What=/mnt/nothing"));
    VerifyReport r = verifyTreeOnly();
    assertThat(r.findings()).extracting(Finding::toString).contains(
        "bind-source: usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount: volume \"nothing\": source"
            + " What=/mnt/nothing is not mounted by any share unit and is not an empty-volume directory in the"
            + " stage1 rootfs (missing)");
  }

  @Test
  void bindNotRequiringItsShare_bindSource() throws Exception {
    Path bind = units.resolve("opt-stage2-web-rootfs-var-data.mount");
    Files.writeString(bind, Files.readString(bind).replace("Requires=mnt-data.mount\n", ""));
    VerifyReport r = verifyTreeOnly();
    assertThat(lines(r)).contains("bind-source: usr/lib/systemd/system/opt-stage2-web-rootfs-var-data.mount: volume"
        + " \"data\": bind unit does not require share unit mnt-data.mount");
  }

  @Test
  void deletedStateFile_stateFinding() throws Exception {
    Files.delete(stage1.resolve(".kvmount/state"));
    assertThat(lines(verifyTreeOnly())).isEqualTo("state: .kvmount/state: missing, but 6 file(s) carry kvmount's"
        + " header: kvmount cannot tell whether they changed");
  }

  /** Units written before the header changed (the legacy header) are still known as kvmount's. */
  @Test
  void deletedStateFile_legacyHeaderStillKvmounts() throws Exception {
    Files.delete(stage1.resolve(".kvmount/state"));
    try (var files = Files.walk(units)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.writeString(f, Files.readString(f).replace(io.kvmount.plan.Planner.HEADER,
            io.kvmount.plan.Planner.LEGACY_HEADER));
      }
    }
    assertThat(Files.readString(units.resolve("mnt-data.mount"))).startsWith("# " + io.kvmount.plan.Planner.LEGACY_HEADER);
    assertThat(lines(verifyTreeOnly())).isEqualTo("state: .kvmount/state: missing, but 6 file(s) carry kvmount's"
        + " header: kvmount cannot tell whether they changed");
  }

  @Test
  void emptyStage1_treeOnly_saysNothingWasGenerated() throws Exception {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    VerifyReport r = Verifier.verify(empty,
        VerifyOptions.treeOnly(VerifyOptions.DEFAULT_UNITS_DIR).withSystemdAnalyze(false));
    assertThat(lines(r)).isEqualTo("state: .kvmount/state: missing and no unit with kvmount's header in"
        + " usr/lib/systemd/system: nothing was generated here (wrong --stage1-rootfs or --units-dir?)");
  }

  @Test
  void unitReplacedBySymlink_unreadable_notFollowed() throws Exception {
    Path share = units.resolve("mnt-data.mount");
    Path elsewhere = tmp.resolve("elsewhere.mount");
    Files.move(share, elsewhere);
    Files.createSymbolicLink(share, elsewhere);
    VerifyReport r = verifyWithPlan();
    assertThat(lines(r)).contains("unreadable: usr/lib/systemd/system/mnt-data.mount: is a symbolic link; kvmount"
        + " writes regular files only");
    assertThat(checks(r)).doesNotContain(Check.MISSING_FILE);
    assertThat(Files.isSymbolicLink(share)).isTrue();
  }

  @Test
  void unparsableUnit_unreadable() throws Exception {
    Path share = units.resolve("mnt-data.mount");
    Files.writeString(share, Files.readString(share) + "[Broken\n");
    assertThat(lines(verifyTreeOnly())).contains("unreadable: usr/lib/systemd/system/mnt-data.mount: systemd would"
        + " refuse to load it: ");
  }

  @Test
  void interruptedRun_stateFinding() throws Exception {
    Path state = stage1.resolve(".kvmount/state");
    Files.writeString(state, Files.readString(state) + "staging usr/lib/systemd/system/.kvmount-staging-x\n");
    assertThat(lines(verifyTreeOnly())).contains("state: .kvmount/state: line ")
        .contains("an interrupted kvmount run left \"usr/lib/systemd/system/.kvmount-staging-x\" behind");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mkdir", "staging", "mkdir ", "file"})
  void stateLineWithoutItsPath_malformedFinding(String line) throws Exception {
    // A bare "mkdir" or "staging" made verify fail with a string index error (exit 4).
    Path state = stage1.resolve(".kvmount/state");
    Files.writeString(state, Files.readString(state) + line + "\n");
    assertThat(lines(verifyTreeOnly())).contains("state: .kvmount/state: line ").contains(": malformed (");
  }

  /**
   * The plan with two file mount points of single-file volumes: {@code /etc/hosts} of app web
   * (with its mount, for the description) and one with no mount in the plan.
   */
  private Plan withFileMountPoints() throws Exception {
    GuestPath hosts = GuestPath.parse("/opt/stage2/web/rootfs/etc/hosts");
    GuestPath other = GuestPath.parse("/opt/stage2/worker/rootfs/etc/hostname");
    List<ResolvedMount> mounts = new ArrayList<>(plan.mounts());
    mounts.add(new ResolvedMount("web", "hosts", VolumeKind.HOST, Optional.of("/srv/hosts"),
        GuestPath.parse("/etc/hosts"), hosts, true, UnitName.mount(hosts), "apps[0].mounts[2]"));
    return new Plan(plan.shares(), plan.unitsDir(), plan.files(), plan.units(), plan.directories(), mounts,
        plan.warnings(), plan.hostMountPoints(),
        List.of(new PlannedFileMountPoint(hosts), new PlannedFileMountPoint(other)), plan.podShare(), List.of());
  }

  @Test
  void fileMountPoints_regularFiles_noFinding_missingOrNotAFile_oneLineEach() throws Exception {
    Plan p = withFileMountPoints();
    Kvmount.apply(p, stage1);
    VerifyOptions against = VerifyOptions.against(p).withSystemdAnalyze(false);
    VerifyReport clean = Verifier.verify(stage1, against);
    assertThat(clean.findings()).as(lines(clean)).isEmpty();

    // The app's own content in it is fine: only the kind of file matters.
    Files.writeString(stage1.resolve("opt/stage2/worker/rootfs/etc/hostname"), "worker\n");
    assertThat(Verifier.verify(stage1, against).findings()).isEmpty();

    Files.delete(stage1.resolve("opt/stage2/web/rootfs/etc/hosts"));
    Files.delete(stage1.resolve("opt/stage2/worker/rootfs/etc/hostname"));
    Files.createDirectory(stage1.resolve("opt/stage2/worker/rootfs/etc/hostname"));
    VerifyReport r = Verifier.verify(stage1, against);
    assertThat(r.findings()).extracting(Finding::toString).containsExactly(
        "file-mount-point: opt/stage2/web/rootfs/etc/hosts: app \"web\": mount point /etc/hosts of volume"
            + " \"hosts\": file missing; run kvmount generate",
        "file-mount-point: opt/stage2/worker/rootfs/etc/hostname: file mount point: it is a directory; a"
            + " single-file volume needs a regular file to bind onto (kvmount generate refuses to replace it)");
    // Without the plan, file mount points are not known.
    assertThat(checks(verifyTreeOnly())).doesNotContain(Check.FILE_MOUNT_POINT);
  }

  @Test
  void fileMountPointReplacedBySymlink_isAFinding_notFollowed() throws Exception {
    Plan p = withFileMountPoints();
    Kvmount.apply(p, stage1);
    Path outside = Files.writeString(tmp.resolve("outside-hosts"), "x\n");
    Path hosts = stage1.resolve("opt/stage2/web/rootfs/etc/hosts");
    Files.delete(hosts);
    Files.createSymbolicLink(hosts, outside);
    VerifyReport r = Verifier.verify(stage1, VerifyOptions.against(p).withSystemdAnalyze(false));
    assertThat(r.findings()).extracting(Finding::toString).containsExactly(
        "file-mount-point: opt/stage2/web/rootfs/etc/hosts: app \"web\": mount point /etc/hosts of volume"
            + " \"hosts\": it is a symbolic link; a single-file volume needs a regular file to bind onto (kvmount"
            + " generate refuses to replace it)");
  }

  @Test
  void verifyNeverWrites() throws Exception {
    Files.move(units.resolve("mnt-data.mount"), units.resolve("mnt-dat.mount"));
    String before = snapshot();
    verifyWithPlan();
    Verifier.verify(stage1, VerifyOptions.against(plan));
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void missingStage1_ioException() {
    assertThatThrownBy(() -> Verifier.verify(tmp.resolve("nope"), VerifyOptions.against(plan)))
        .isInstanceOf(IOException.class).hasMessageContaining("does not exist");
  }

  @Test
  void firstDifference_describesTheLine() {
    assertThat(Verifier.firstDifference("a\nb\n", "a\nc\n")).isEqualTo("line 2: expected \"b\", found \"c\"");
    // A long line is shown from shortly before the two part, never cut off before it.
    String common = "Requires=" + "opt-stage2-db-rootfs-x.mount ".repeat(4);
    assertThat(Verifier.firstDifference(common + "a.mount\n", common + "b.mount\n")).isEqualTo("line 1, column "
        + (common.length() + 1) + ": expected \"..." + common.substring(common.length() - 20) + "a.mount\", found \"..."
        + common.substring(common.length() - 20) + "b.mount\"");
    assertThat(Verifier.firstDifference("a\nb\n", "a\n")).isEqualTo("line 2: expected \"b\", found \"\"");
    assertThat(Verifier.firstDifference("a\n", "a\nb\n")).isEqualTo("line 2: expected \"\", found \"b\"");
    assertThat(Verifier.firstDifference("a", "a\n")).isEqualTo("line 2: expected end of file, found \"\"");
  }

  @Test
  void systemdAnalyzeOutput_attributedToUnitsAndDropIns() {
    SystemdAnalyze.Result r = SystemdAnalyze.interpret(
        "/tmp/k1/mnt-x.mount: Where= setting doesn't match unit name. Refusing.\n"
            + "web.service: Failed to create web.service/start: Unit a.mount not found.\n"
            + "/lib/systemd/system/other.service:3: Unknown key name 'Foo'\n",
        1, "/tmp/k1", Map.of("mnt-x.mount", "u/mnt-x.mount", "web.service", "u/web.service.d"), "u");
    assertThat(r.findings()).extracting(Finding::toString).containsExactly(
        "systemd-analyze: u/mnt-x.mount: Where= setting doesn't match unit name. Refusing.",
        "systemd-analyze: u/web.service.d: Failed to create web.service/start: Unit a.mount not found.");
    assertThat(r.notes()).containsExactly("systemd-analyze printed 1 line(s) about units that are not kvmount's;"
        + " ignored");
  }

  private String snapshot() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (var s = Files.walk(stage1)) {
      for (Path p : s.sorted().toList()) {
        sb.append(stage1.relativize(p)).append(' ')
            .append(Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).append(' ')
            .append(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS)).append(' ');
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          sb.append(new String(Files.readAllBytes(p), StandardCharsets.UTF_8).hashCode());
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
