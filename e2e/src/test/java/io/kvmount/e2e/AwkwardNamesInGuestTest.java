package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.activatedBeforeService;
import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Names that broke earlier implementations, in one pod and one boot: dashes, spaces and non-ASCII
 * in host paths, mount paths and app names (fault classes 7, 8); a volume name longer than QEMU's
 * 31-byte mount tag limit (1, 2, 4); a comma in a host path (5).
 */
@ExtendWith(E2eCondition.class)
class AwkwardNamesInGuestTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static final String LONG_VOLUME = "a-volume-name-much-longer-than-thirty-one-bytes";
  private static final String ODD_MOUNT_PATH = "/var/lib/my-data/with space/ünï-日本";
  private static GuestPod pod;
  private static GuestPod.Generated generated;
  private static GuestPod.Boot boot;
  private static Path odd;
  private static Path longSource;
  private static Path comma;

  @BeforeAll
  static void bootPod() throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("awkward-names"));
    odd = pod.hostDir("dir-with-dash/sp ace/ünïcödé-日本");
    Files.writeString(odd.resolve("in.txt"), "odd-host", StandardCharsets.UTF_8);
    longSource = pod.hostDir("long");
    Files.writeString(longSource.resolve("in.txt"), "long-host");
    comma = pod.hostDir("a,b");
    Files.writeString(comma.resolve("in.txt"), "comma-host");

    pod.hostVolume("my-vol", odd, null).hostVolume(LONG_VOLUME, longSource, null).hostVolume("comma", comma, null);
    pod.app("dash-app")
        .mount("my-vol", ODD_MOUNT_PATH)
        .mounted("start.mounted", ODD_MOUNT_PATH)
        .activation("start.activation", ODD_MOUNT_PATH)
        .read("read", ODD_MOUNT_PATH + "/in.txt")
        .write("write", ODD_MOUNT_PATH + "/from guest-ü.txt", "odd-guest");
    pod.app("longapp")
        .mount(LONG_VOLUME, "/long")
        .mounted("start.mounted", "/long")
        .activation("start.activation", "/long")
        .read("read", "/long/in.txt")
        .write("write", "/long/out.txt", "long-guest");
    pod.app("commaapp")
        .mount("comma", "/comma")
        .mounted("start.mounted", "/comma")
        .activation("start.activation", "/comma")
        .read("read", "/comma/in.txt")
        .write("write", "/comma/out.txt", "comma-guest");
    generated = pod.generate();
    boot = pod.boot(generated.hypervisorArgs());
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
  }

  private static void worksBothWays(String app, String hostFile, String hostContent, Path written, String writtenContent) throws IOException {
    Map<String, String> r = boot.results(app);
    String key = "start.mounted";
    mountedAs(boot, r, key, "9p", false);
    activatedBeforeService(boot, r, "start.activation");
    assertThat(value(boot, r, "read")).as("%s reads %s", app, hostFile).isEqualTo(hostContent);
    assertThat(value(boot, r, "write")).isEqualTo("OK");
    assertThat(written).hasContent(writtenContent);
  }

  @Test
  void dashesSpacesAndNonAsciiInPathsAndNames() throws IOException {
    worksBothWays("dash-app", "in.txt", "odd-host", odd.resolve("from guest-ü.txt"), "odd-guest");
    assertThat(pod.stage1().resolve("opt/stage2/dash-app/rootfs" + ODD_MOUNT_PATH)).isDirectory();
  }

  @Test
  void volumeNameLongerThanQemusMountTagLimit() throws IOException {
    worksBothWays("longapp", "in.txt", "long-host", longSource.resolve("out.txt"), "long-guest");
    Pattern tag = Pattern.compile("(?:^|,)mount_tag=([^,]*)");
    for (String a : generated.hypervisorArgs()) {
      Matcher m = tag.matcher(a);
      if (m.find()) {
        assertThat(m.group(1).getBytes(StandardCharsets.UTF_8).length).as("mount tag in %s", a).isLessThanOrEqualTo(31);
      }
    }
  }

  @Test
  void commaInAHostPath() throws IOException {
    worksBothWays("commaapp", "in.txt", "comma-host", comma.resolve("out.txt"), "comma-guest");
    assertThat(generated.hypervisorArgs())
        .as("QEMU needs the comma doubled")
        .anySatisfy(a -> assertThat(a).contains("path=" + comma.toString().replace(",", ",,")));
  }
}
