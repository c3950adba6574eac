package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.activatedBeforeService;
import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.refusedReadOnly;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sealed images (issue 21): the Debian 13 guest (systemd 257) boots from a stage1 rootfs that QEMU
 * shares read-only ({@code readonly=on}: the 9p server refuses every write), and gets its mounts
 * from outside the image. Two boots:
 *
 * <ul>
 *   <li>{@code --emit credentials}: four apps with a read-write and a read-only host volume, a
 *       share read-only through one app's mount point, a nested mount, and an empty volume (tmpfs,
 *       mode 0123, uid 9991, gid 9992) shared by two apps; the mounts come as the {@code
 *       fstab.extra} credential in {@code -smbios type=11};
 *   <li>{@code --emit cmdline}: one app with a host volume whose mount path holds a space, and an
 *       empty volume; the mounts come as {@code systemd.mount-extra=} words in {@code -append}.
 * </ul>
 *
 * <p>The test builds each image first (the app services, the pod target and the finishing unit,
 * every mount point that {@code sealed.imageMustContain} lists), digests it ({@link TreeDigest}),
 * runs {@code ./kvmount generate --emit ...}, boots with what it printed, and digests the image
 * again after poweroff. The apps' results go through a host directory shared as {@code /results}
 * (the root cannot take them). Also, once and without a boot: an image that lacks a mount point is
 * refused (exit 3, the path named).
 */
@ExtendWith(E2eCondition.class)
class SealedImageInGuestTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** App name -> app paths of its mounts, credentials pod. */
  private static final Map<String, List<String>> MOUNTS = new LinkedHashMap<>();

  static {
    MOUNTS.put("writer", List.of("/data", "/shared", "/cache"));
    MOUNTS.put("reader", List.of("/ro", "/cache"));
    MOUNTS.put("viewer", List.of("/shared"));
    MOUNTS.put("nester", List.of("/config", "/config/secrets"));
  }

  private static final String SPACE_PATH = "/var/lib/my data";

  private static GuestPod pod;
  private static GuestPod.Generated generated;
  private static GuestPod.Boot boot;
  private static List<String> imageBuilt;
  private static Map<String, String> imageBefore;
  private static Map<String, String> imageAfter;
  private static Path data;
  private static Path roData;
  private static Path shared;
  private static Path config;
  private static Path secrets;
  private static FileTime roKeepMtime;
  private static Path missingManifest;

  private static GuestPod cmdPod;
  private static GuestPod.Generated cmdGenerated;
  private static GuestPod.Boot cmdBoot;
  private static List<String> cmdImageBuilt;
  private static Map<String, String> cmdImageBefore;
  private static Map<String, String> cmdImageAfter;
  private static Path spaceData;

  @BeforeAll
  static void bootBothPods() throws IOException {
    ENV.requireTrixieGuest();
    setUpCredentialsPod();
    setUpCmdlinePod();
    imageBefore = TreeDigest.of(pod.stage1());
    cmdImageBefore = TreeDigest.of(cmdPod.stage1());

    generated = pod.generate(List.of("--emit", "credentials"));
    missingManifest = manifestWithAMountPointTheImageLacks();
    cmdGenerated = cmdPod.generate(List.of("--emit", "cmdline"));

    boot = pod.bootSealed(generated.hypervisorArgs(), List.of());
    imageAfter = TreeDigest.of(pod.stage1());
    cmdBoot = cmdPod.bootSealed(cmdGenerated.hypervisorArgs(), cmdGenerated.kernelCmdline());
    cmdImageAfter = TreeDigest.of(cmdPod.stage1());
  }

  private static void setUpCredentialsPod() throws IOException {
    pod = GuestPod.createSealed(ENV, E2eEnvironment.workDir("sealed-credentials"));
    data = pod.hostDir("data");
    Files.writeString(data.resolve("in.txt"), "from-host");
    roData = pod.hostDir("ro-data");
    Files.writeString(roData.resolve("keep.txt"), "keep me");
    roKeepMtime = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(roData.resolve("keep.txt"), roKeepMtime);
    shared = pod.hostDir("shared");
    Files.writeString(shared.resolve("seed.txt"), "seeded");
    config = pod.hostDir("config");
    Files.writeString(config.resolve("app.conf"), "setting=1");
    pod.hostDir("config/secrets"); // the nested mount point lives in the read-only host volume
    secrets = pod.hostDir("secrets");

    pod.hostVolume("data", data, null)
        .hostVolume("ro-data", roData, true)
        .hostVolume("shared", shared, null)
        .hostVolume("config", config, true)
        .hostVolume("secrets", secrets, null)
        .emptyVolume("cache", "0123", 9991, 9992);

    for (var e : MOUNTS.entrySet()) {
      GuestPod.App app = pod.app(e.getKey());
      probeMounts(app, e.getValue());
    }
    pod.app("writer")
        .mount("data", "/data")
        .mount("shared", "/shared")
        .mount("cache", "/cache")
        .read("read", "/data/in.txt")
        .write("write", "/data/from-writer.txt", "written-in-guest")
        .write("write.shared", "/shared/from-writer.txt", "writer-was-here")
        .write("write.cache", "/cache/w.txt", "cache-data")
        .line("say cred.dir \"$(ls -1 /run/credentials/@system 2>&1 | oneline)\"")
        // The image itself: root in the guest cannot write into it (QEMU's readonly=on).
        .line("if e=$( (: > /kvmount-e2e/written-by-guest) 2>&1); then say root.write OK;"
            + " else say root.write \"ERROR $(echo \"$e\" | oneline)\"; fi")
        .line("say cred.list \"$(systemd-creds --system list --no-legend 2>&1 | oneline)\"");
    pod.app("reader")
        .mount("ro-data", "/ro")
        .mount("cache", "/cache")
        .read("read", "/ro/keep.txt")
        .write("overwrite", "/ro/keep.txt", "overwritten")
        .write("create", "/ro/new.txt", "new");
    pod.app("viewer")
        .mount("shared", "/shared")
        .mountPoint("shared", "/shared", true)
        .read("read", "/shared/seed.txt")
        .write("write", "/shared/from-viewer.txt", "viewer-was-here");
    pod.app("nester")
        .mount("config", "/config")
        .mount("secrets", "/config/secrets")
        .read("read", "/config/app.conf")
        .write("write.config", "/config/new.conf", "x")
        .write("write.secrets", "/config/secrets/s.txt", "secret-from-guest");

    imageBuilt = new ArrayList<>();
    for (var e : MOUNTS.entrySet()) {
      for (String path : e.getValue()) {
        if (!path.equals("/config/secrets")) { // inside the config volume, not in the image
          String where = "/opt/stage2/" + e.getKey() + "/rootfs" + path;
          pod.imageEntry(where);
          imageBuilt.add("directory " + where);
        }
      }
      imageBuilt.add("service " + e.getKey() + ".service");
    }
    pod.writeGuestUnits();
  }

  private static void setUpCmdlinePod() throws IOException {
    cmdPod = GuestPod.createSealed(ENV, E2eEnvironment.workDir("sealed-cmdline"));
    spaceData = cmdPod.hostDir("space data");
    cmdPod.hostVolume("my-data", spaceData, null).emptyVolume("tmp", "0750", 1234, 5678);
    GuestPod.App app = cmdPod.app("spacey");
    probeMounts(app, List.of(SPACE_PATH, "/scratch"));
    app.mount("my-data", SPACE_PATH)
        .mount("tmp", "/scratch")
        .write("write", SPACE_PATH + "/from-guest.txt", "space-ok")
        .write("write.scratch", "/scratch/x.txt", "scratch-ok")
        .line("say cred.dir \"$(ls -1 /run/credentials/@system 2>&1 | oneline)\"");
    cmdImageBuilt = new ArrayList<>();
    for (String path : List.of(SPACE_PATH, "/scratch")) {
      String where = "/opt/stage2/spacey/rootfs" + path;
      cmdPod.imageEntry(where);
      cmdImageBuilt.add("directory " + where);
    }
    cmdImageBuilt.add("service spacey.service");
    cmdPod.writeGuestUnits();
  }

  /**
   * At the start of the app: per mount the file system and options, the mount unit's activation,
   * mode and owner, device number and the unit's {@code SourcePath=} (where the generator read
   * it); then the service's {@code Requires=} and {@code After=}.
   */
  private static void probeMounts(GuestPod.App app, List<String> paths) {
    for (String path : paths) {
      app.mounted("start.mounted " + path, path)
          .activation("start.activation " + path, path)
          .stat("stat " + path, path)
          .line("say " + Shell.quote("dev " + path) + " \"$(stat -c %d -- \"$R\"" + Shell.quote(path) + ")\"")
          .line("say " + Shell.quote("source " + path) + " \"$(prop \"$(systemd-escape --path --suffix=mount -- \"$R\""
              + Shell.quote(path) + ")\" SourcePath)\"");
    }
    app.serviceProperty("service.requires", "Requires").serviceProperty("service.after", "After");
  }

  /** {@code pod.json} plus a mount at {@code /not/in/image} for the writer, as {@code pod-missing.json}. */
  private static Path manifestWithAMountPointTheImageLacks() throws IOException {
    ObjectNode manifest = (ObjectNode) JSON.readTree(pod.work().resolve("pod.json").toFile());
    ObjectNode writer = (ObjectNode) manifest.path("apps").get(0);
    assertThat(writer.path("name").asText()).isEqualTo("writer");
    writer.withArray("mounts").addObject().put("volume", "data").put("path", "/not/in/image");
    Path file = pod.work().resolve("pod-missing.json");
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), manifest);
    return file;
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
    if (cmdPod != null) {
      cmdPod.cleanUp();
    }
  }

  @Test
  void credentials_imageMustContainIsExactlyWhatTheTestBuilt_andNothingWasWritten() {
    assertThat(generated.json().path("emit").asText()).isEqualTo("credentials");
    assertThat(generated.imageMustContain()).containsExactlyInAnyOrderElementsOf(imageBuilt);
    assertThat(generated.hypervisorArgs())
        .as("the fstab.extra credential in the QEMU arguments")
        .anySatisfy(a -> assertThat(a).startsWith("type=11,value=io.systemd.credential.binary:fstab.extra="));
    assertThat(generated.kernelCmdline()).isEmpty();
    assertThat(TreeDigest.differences(imageBefore, imageAfter)).as("image changes (generate, boot)").isEmpty();
    assertThat(imageAfter).as("the digest covers the image").hasSizeGreaterThan(1000);
  }

  @Test
  void credentials_theGuestReceivedFstabExtra_andItsGeneratorMadeTheMounts() {
    Map<String, String> w = boot.results("writer");
    assertThat(value(boot, w, "cred.dir")).as("/run/credentials/@system").contains("fstab.extra");
    assertThat(value(boot, w, "cred.list")).as("systemd-creds --system list").contains("fstab.extra");
    refusedReadOnly(boot, w, "root.write");
    assertThat(boot.results().resolve("journal.txt"))
        .as("the journal")
        .content()
        .contains("Received regular credentials: fstab.extra");
    for (var e : MOUNTS.entrySet()) {
      Map<String, String> r = boot.results(e.getKey());
      for (String path : e.getValue()) {
        assertThat(value(boot, r, "source " + path)).as("%s %s: SourcePath=", e.getKey(), path).isEqualTo("/run/credentials");
      }
    }
    assertThat(boot.exitCode()).as("QEMU powered off\n%s", boot.diagnostics()).isZero();
  }

  @Test
  void credentials_readWriteVolumes_writesReachTheHost() throws IOException {
    Map<String, String> r = boot.results("writer");
    mountedAs(boot, r, "start.mounted /data", "9p", false);
    mountedAs(boot, r, "start.mounted /shared", "9p", false);
    assertThat(value(boot, r, "read")).isEqualTo("from-host");
    assertThat(value(boot, r, "write")).isEqualTo("OK");
    assertThat(value(boot, r, "write.shared")).isEqualTo("OK");
    assertThat(data.resolve("from-writer.txt")).hasContent("written-in-guest");
    assertThat(shared.resolve("from-writer.txt")).hasContent("writer-was-here");
  }

  @Test
  void credentials_readOnlyHolds_byVolumeAndByMountPoint() throws IOException {
    Map<String, String> r = boot.results("reader");
    mountedAs(boot, r, "start.mounted /ro", "9p", true);
    assertThat(value(boot, r, "read")).isEqualTo("keep me");
    refusedReadOnly(boot, r, "overwrite");
    refusedReadOnly(boot, r, "create");
    assertThat(roData.resolve("keep.txt")).hasContent("keep me");
    assertThat(Files.getLastModifiedTime(roData.resolve("keep.txt"))).isEqualTo(roKeepMtime);
    assertThat(roData.resolve("new.txt")).doesNotExist();

    Map<String, String> v = boot.results("viewer");
    mountedAs(boot, v, "start.mounted /shared", "9p", true);
    assertThat(value(boot, v, "read")).isEqualTo("seeded");
    refusedReadOnly(boot, v, "write");
    assertThat(shared.resolve("from-viewer.txt")).doesNotExist();
  }

  @Test
  void credentials_nestedMount_readOnlyParentWritableChild() throws IOException {
    Map<String, String> r = boot.results("nester");
    mountedAs(boot, r, "start.mounted /config", "9p", true);
    mountedAs(boot, r, "start.mounted /config/secrets", "9p", false);
    assertThat(value(boot, r, "read")).isEqualTo("setting=1");
    refusedReadOnly(boot, r, "write.config");
    assertThat(value(boot, r, "write.secrets")).isEqualTo("OK");
    assertThat(secrets.resolve("s.txt")).hasContent("secret-from-guest");
    assertThat(config.resolve("new.conf")).doesNotExist();
    assertThat(config.resolve("secrets/s.txt")).doesNotExist();
  }

  @Test
  void credentials_emptyVolumeIsOneTmpfsWithItsExactModeAndOwner_sharedByTwoApps() {
    Map<String, String> w = boot.results("writer");
    Map<String, String> r = boot.results("reader");
    mountedAs(boot, w, "start.mounted /cache", "tmpfs", false);
    mountedAs(boot, r, "start.mounted /cache", "tmpfs", false);
    assertThat(value(boot, w, "stat /cache")).isEqualTo("123 9991 9992");
    assertThat(value(boot, r, "stat /cache")).isEqualTo("123 9991 9992");
    assertThat(value(boot, w, "dev /cache")).as("one tmpfs for both apps").isEqualTo(value(boot, r, "dev /cache"));
    assertThat(value(boot, w, "write.cache")).isEqualTo("OK");
  }

  @Test
  void credentials_everyAppRequiresAndIsOrderedAfterItsMounts() {
    for (var e : MOUNTS.entrySet()) {
      Map<String, String> r = boot.results(e.getKey());
      for (String path : e.getValue()) {
        assertThat(value(boot, r, "start.mounted " + path)).as("%s: %s at service start", e.getKey(), path).isNotEqualTo("ABSENT");
        activatedBeforeService(boot, r, "start.activation " + path);
        String unit = value(boot, r, "start.activation " + path).split(" ")[0];
        assertThat(Checks.unitList(value(boot, r, "service.requires"))).as("%s Requires=", e.getKey()).contains(unit);
        assertThat(Checks.unitList(value(boot, r, "service.after"))).as("%s After=", e.getKey()).contains(unit);
      }
    }
  }

  @Test
  void credentials_anImageWithoutAMountPointIsRefused_withThePathNamed() throws IOException {
    Shell.Result r =
        Shell.run(
            ENV.repo(),
            Duration.ofMinutes(10),
            List.of(ENV.repo().resolve("kvmount").toString(), "generate", "--pod-manifest", missingManifest.toString(),
                "--stage1-rootfs", pod.stage1().toString(), "--hypervisor", "qemu", "--emit", "credentials", "--format", "json"));
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isEqualTo(3);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).contains("/opt/stage2/writer/rootfs/not/in/image").contains("apps[0].mounts[3]");
    assertThat(r.stderr().strip().lines().filter(l -> !l.startsWith("kvmount: warning:")).count())
        .as("one error line: %s", r.stderr())
        .isEqualTo(1);
    assertThat(pod.stage1().resolve("opt/stage2/writer/rootfs/not")).doesNotExist();
  }

  @Test
  void cmdline_aSpaceInTheMountPathAndAnEmptyVolume_throughTheKernelCommandLine() throws IOException {
    assertThat(cmdGenerated.json().path("emit").asText()).isEqualTo("cmdline");
    assertThat(cmdGenerated.imageMustContain()).containsExactlyInAnyOrderElementsOf(cmdImageBuilt);
    assertThat(cmdGenerated.kernelCmdline()).isNotEmpty().allSatisfy(w -> assertThat(w).startsWith("systemd.mount-extra=").doesNotContain(" "));
    assertThat(cmdGenerated.hypervisorArgs()).noneMatch(a -> a.contains("fstab.extra"));

    Map<String, String> r = cmdBoot.results("spacey");
    mountedAs(cmdBoot, r, "start.mounted " + SPACE_PATH, "9p", false);
    mountedAs(cmdBoot, r, "start.mounted /scratch", "tmpfs", false);
    assertThat(value(cmdBoot, r, "write")).isEqualTo("OK");
    assertThat(spaceData.resolve("from-guest.txt")).hasContent("space-ok");
    assertThat(value(cmdBoot, r, "stat /scratch")).isEqualTo("750 1234 5678");
    assertThat(value(cmdBoot, r, "write.scratch")).isEqualTo("OK");
    assertThat(value(cmdBoot, r, "cred.dir")).as("no credential on this route").doesNotContain("fstab.extra");
    for (String path : List.of(SPACE_PATH, "/scratch")) {
      assertThat(value(cmdBoot, r, "source " + path)).as("%s: SourcePath=", path).isEqualTo("/proc/cmdline");
      activatedBeforeService(cmdBoot, r, "start.activation " + path);
      String unit = value(cmdBoot, r, "start.activation " + path).split(" ")[0];
      assertThat(Checks.unitList(value(cmdBoot, r, "service.requires"))).as("Requires=").contains(unit);
      assertThat(Checks.unitList(value(cmdBoot, r, "service.after"))).as("After=").contains(unit);
    }
    assertThat(TreeDigest.differences(cmdImageBefore, cmdImageAfter)).as("image changes (generate, boot)").isEmpty();
    assertThat(cmdBoot.exitCode()).as("QEMU powered off\n%s", cmdBoot.diagnostics()).isZero();
  }
}
