package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate} and {@code verify} with {@code --emit credentials|cmdline}: nothing written
 * into the stage1 rootfs (the sealed image), every mount point checked there first, the route in
 * every format, and the refusals a sealed image needs.
 */
class SealedRouteCliTest {

  @TempDir Path tmp;
  Path image;
  Path pod;

  static final String[] MOUNT_POINTS = {
    "opt/stage2/web/rootfs/var/data", "opt/stage2/web/rootfs/cache", "opt/stage2/db/rootfs/data dir"};

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(tmp.resolve("host/data"));
    Files.createDirectories(tmp.resolve("host/conf"));
    pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":["
        + "{\"name\":\"web\",\"image\":{\"id\":\"sha512-00\"},\"mounts\":[{\"volume\":\"data\",\"path\":\"/var/data\"},"
        + "{\"volume\":\"conf\",\"path\":\"/var/data/conf\"},{\"volume\":\"cache\",\"path\":\"/cache\"}]},"
        + "{\"name\":\"db\",\"image\":{\"id\":\"sha512-01\"},\"mounts\":[{\"volume\":\"data\",\"path\":\"/data dir\"}]}],"
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + tmp.resolve("host/data") + "\"},"
        + "{\"name\":\"conf\",\"kind\":\"host\",\"source\":\"" + tmp.resolve("host/conf") + "\",\"readOnly\":true},"
        + "{\"name\":\"cache\",\"kind\":\"empty\",\"mode\":\"0123\",\"uid\":9991,\"gid\":9992}]}");
    image = tmp.resolve("image");
    for (String d : MOUNT_POINTS) {
      Files.createDirectories(image.resolve(d));
    }
    // Merged /usr, as Debian 12 and 13 images are: /lib is a link into /usr.
    Files.createDirectories(image.resolve("usr/lib"));
    Files.createSymbolicLink(image.resolve("lib"), Path.of("usr/lib"));
    Path lib = image.resolve("usr/lib/x86_64-linux-gnu/systemd");
    Files.createDirectories(lib);
    Files.writeString(lib.resolve("libsystemd-shared-257.so"), "");
  }

  private CliRunner.Result generate(String... extra) {
    List<String> args = new ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        image.toString()));
    args.addAll(List.of(extra));
    return CliRunner.run(args.toArray(new String[0]));
  }

  @Test
  void credentialsWriteNothingAndHandTheFstabToQemu() throws Exception {
    SortedMap<String, String> before = TreeSnapshot.of(image);
    for (String format : List.of("text", "json", "args", "dot")) {
      CliRunner.Result r = generate("--emit", "credentials", "--format", format);
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.err()).isEmpty();
      assertThat(TreeSnapshot.of(image)).as(format).isEqualTo(before);
    }
    CliRunner.Result json = generate("--emit", "credentials", "--format", "json");
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertThat(j.get("emit").asText()).isEqualTo("credentials");
    JsonNode s = j.get("sealed");
    assertThat(s.get("route").asText()).isEqualTo("credentials");
    assertThat(s.get("guestSystemd").asInt()).isEqualTo(257);
    String fstab = s.get("credential").get("text").asText();
    assertThat(fstab).contains("tmpfs /run/kvmount/cache tmpfs mode=0123,uid=9991,gid=9992,noauto 0 0\n",
        "/run/kvmount/data /opt/stage2/db/rootfs/data\\040dir none bind,rslave,"
            + "x-systemd.requires=run-kvmount-data.mount,x-systemd.required-by=db.service,x-systemd.before=db.service 0 0\n");
    String smbios = null;
    for (JsonNode a : j.get("hypervisorArgs")) {
      if (a.asText().startsWith("type=11,")) {
        smbios = a.asText();
      }
    }
    assertThat(smbios).isNotNull();
    assertThat(new String(Base64.getDecoder().decode(smbios.substring(smbios.indexOf("fstab.extra=") + 12))))
        .isEqualTo(fstab);
    assertThat(s.get("imageMustContain").toString()).contains("\"path\":\"/opt/stage2/db/rootfs/data dir\"",
        "\"kind\":\"directory\"", "\"path\":\"web.service\",\"kind\":\"service\"");
    assertThat(j.get("units")).isEmpty(); // nothing is written
    assertThat(j.get("directories")).isEmpty();
    CliRunner.Result text = generate("--emit", "credentials");
    assertThat(text.out()).contains("fstab.extra credential: nothing written into the stage1 rootfs",
        "Credential fstab.extra (in the hypervisor arguments below; 7 fstab line(s)):",
        "The image must contain", "the image has systemd 257")
        .doesNotContain("Files in ");
    assertThat(generate("--emit", "credentials", "--format", "dot").out()).contains("fstab.extra credential)",
        "9p tag data at /run/kvmount/data", "tmpfs at /run/kvmount/cache (mode 0123, 9991:9992)")
        .doesNotContain("/mnt/");
  }

  @Test
  void cmdlinePrintsTheWordsAndWritesNothing() throws Exception {
    SortedMap<String, String> before = TreeSnapshot.of(image);
    CliRunner.Result r = generate("--emit", "cmdline");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("kernel command line: nothing written", "Kernel command line (",
        "  systemd.mount-extra=/run/kvmount/data:/opt/stage2/db/rootfs/data\\x20dir:none:bind,rslave,"
            + "x-systemd.requires=run-kvmount-data.mount,x-systemd.required-by=db.service,x-systemd.before=db.service\n")
        .doesNotContain("-smbios");
    assertThat(TreeSnapshot.of(image)).isEqualTo(before);
    JsonNode j = new ObjectMapper().readTree(generate("--emit", "cmdline", "--format", "json").out());
    assertThat(j.get("sealed").get("kernelCmdline")).hasSize(7);
    assertThat(j.get("sealed").get("kernelCmdlineBytes").asInt()).isBetween(500, 2047);
    assertThat(j.get("sealed").has("credential")).isFalse();
  }

  @Test
  void everyMissingMountPointIsListedInOneRun_exit3_andNothingWritten() throws Exception {
    Files.delete(image.resolve(MOUNT_POINTS[0]));
    Files.delete(image.resolve(MOUNT_POINTS[2]));
    SortedMap<String, String> before = TreeSnapshot.of(image);
    for (String route : List.of("credentials", "cmdline")) {
      for (boolean dry : new boolean[] {false, true}) {
        CliRunner.Result r = dry ? generate("--emit", route, "--dry-run") : generate("--emit", route);
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("lacks 2 of what the pod needs: /opt/stage2/web/rootfs/var/data (directory, for"
            + " apps[0].mounts[0]), /opt/stage2/db/rootfs/data dir (directory, for apps[1].mounts[0])")
            .doesNotContain("Exception");
        assertThat(TreeSnapshot.of(image)).isEqualTo(before);
      }
    }
    CliRunner.Result missing = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        tmp.resolve("nope").toString(), "--emit", "credentials");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("does not exist");
  }

  @Test
  void refusalsAUserCanAct_on() throws Exception {
    CliRunner.Result kvmtool = generate("--emit", "credentials", "--hypervisor", "lkvm");
    assertThat(kvmtool.exit()).isEqualTo(3);
    assertThat(kvmtool.err()).contains("hypervisor lkvm cannot hand the guest a systemd credential", "--emit cmdline");
    assertThat(generate("--emit", "cmdline", "--hypervisor", "lkvm").exit()).isZero();
    CliRunner.Result remount = generate("--emit", "credentials", "--legacy-remount");
    assertThat(remount.exit()).isEqualTo(2);
    assertThat(remount.err()).contains("--legacy-remount is for --emit units");
    CliRunner.Result args = generate("--emit", "cmdline", "--format", "args");
    assertThat(args.exit()).isEqualTo(2);
    assertThat(args.err()).contains("--format args prints hypervisor arguments only");
    assertThat(CliRunner.run("verify", "--pod-manifest", pod.toString(), "--stage1-rootfs", "", "--emit", "cmdline")
        .exit()).isEqualTo(2);
    CliRunner.Result word = generate("--emit", "fstab");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.err()).contains("--emit must be one of units, credentials, cmdline, not \"fstab\"");
    Files.delete(image.resolve("usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-257.so"));
    Files.writeString(image.resolve("usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so"), "");
    CliRunner.Result old = generate("--emit", "credentials");
    assertThat(old.exit()).isEqualTo(3);
    assertThat(old.err()).contains("the guest image has systemd 252, which ignores the fstab.extra credential");
    Files.delete(image.resolve("usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so"));
    CliRunner.Result unknown = generate("--emit", "cmdline");
    assertThat(unknown.exit()).isZero();
    assertThat(unknown.err()).contains("warning: --emit cmdline needs systemd 254 or newer");
  }

  @Test
  void verifyChecksMountPointsServicesAndLeftoverUnits() throws Exception {
    CliRunner.Result r = CliRunner.run("verify", "--pod-manifest", pod.toString(), "--stage1-rootfs", image.toString(),
        "--emit", "credentials");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).contains("image-service: web.service: not in", "image-service: db.service: not in")
        .doesNotContain("image-mount-point");
    Files.createDirectories(image.resolve("usr/lib/systemd/system"));
    Files.writeString(image.resolve("usr/lib/systemd/system/web.service"), "[Service]\nExecStart=/bin/true\n");
    Files.writeString(image.resolve("usr/lib/systemd/system/db.service"), "[Service]\nExecStart=/bin/true\n");
    SortedMap<String, String> before = TreeSnapshot.of(image);
    CliRunner.Result ok = CliRunner.run("verify", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        image.toString(), "--emit", "cmdline");
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).startsWith("ok: ").contains("nothing to write");
    Files.delete(image.resolve(MOUNT_POINTS[1]));
    CliRunner.Result gone = CliRunner.run("verify", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        image.toString(), "--emit", "credentials");
    assertThat(gone.exit()).isEqualTo(3);
    assertThat(gone.out()).contains("image-mount-point: /opt/stage2/web/rootfs/cache: no directory there");
    Files.createDirectories(image.resolve(MOUNT_POINTS[1]));
    // An image that an --emit units run wrote into carries unit files beside the handed-over mounts.
    assertThat(CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", image.toString())
        .exit()).isZero();
    CliRunner.Result leftover = CliRunner.run("verify", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        image.toString(), "--emit", "credentials");
    assertThat(leftover.exit()).isEqualTo(3);
    assertThat(leftover.out()).contains("image-units: .kvmount/state",
        "image-units: /usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf: a drop-in left by");
    assertThat(generate("--emit", "credentials").err()).contains("warning: the sealed image holds .kvmount/state",
        "warning: the sealed image: /usr/lib/systemd/system/db.service.d/10-kvmount-volumes.conf");
    CliRunner.Result noPod = CliRunner.run("verify", "--stage1-rootfs", image.toString(), "--emit", "credentials");
    assertThat(noPod.exit()).isEqualTo(2);
    assertThat(before).isNotEmpty();
  }
}
