package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Why kvmount writes drop-ins (fault class 14), shown in the same kind of guest and without kvmount:
 * rkt's 2015 units (only {@code Before=} and {@code [Install] RequiredBy=}, fixtures in
 * {@code src/test/resources/rkt2015/}) are never pulled in when nothing enables them, so
 * {@code app1} runs without its volume. {@code app2} gets the same kind of units plus a
 * {@code Requires=}/{@code After=} drop-in (what kvmount does) and has its volume, which shows the
 * guest could mount the share and that the drop-in is the difference.
 */
@ExtendWith(E2eCondition.class)
class Rkt2015UnitsInGuestTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static final String APP1_BIND = "opt-stage2-app1-rootfs-var-lib-data.mount";
  private static final String APP2_BIND = "opt-stage2-app2-rootfs-var-lib-data.mount";
  private static GuestPod pod;
  private static GuestPod.Boot boot;

  @BeforeAll
  static void bootPod() throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("rkt2015"));
    Path hostdata = pod.hostDir("hostdata");
    Files.writeString(hostdata.resolve("in.txt"), "from-host");
    Path units = pod.stage1().resolve("usr/lib/systemd/system");
    String nineP = resource("mnt-hostdata.mount");
    String app1Bind = resource(APP1_BIND);
    Files.writeString(units.resolve("mnt-hostdata.mount"), nineP);
    Files.writeString(units.resolve(APP1_BIND), app1Bind);
    Files.writeString(units.resolve(APP2_BIND), app1Bind.replace("app1", "app2"));
    Path dropIn = units.resolve("app2.service.d");
    Files.createDirectories(dropIn);
    Files.writeString(dropIn.resolve("10-volumes.conf"), "[Unit]\nRequires=" + APP2_BIND + "\nAfter=" + APP2_BIND + "\n");
    // rkt created the mount point directories itself.
    Files.createDirectories(pod.stage1().resolve("mnt/hostdata"));
    for (String app : List.of("app1", "app2")) {
      Files.createDirectories(pod.stage1().resolve("opt/stage2/" + app + "/rootfs/var/lib/data"));
      pod.app(app)
          .mounted("start.mounted", "/var/lib/data")
          .line("say bind.state \"$(prop opt-stage2-$APP-rootfs-var-lib-data.mount ActiveState)\"")
          .read("read", "/var/lib/data/in.txt");
    }
    boot =
        pod.boot(
            List.of(
                "-fsdev", "local,id=hostdata,path=" + GuestPod.qemuValue(hostdata.toString()) + ",security_model=none",
                "-device", "virtio-9p-pci,fsdev=hostdata,mount_tag=hostdata"));
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Rkt2015UnitsInGuestTest.class.getResourceAsStream("/rkt2015/" + name)) {
      assertThat(in).as("test resource rkt2015/%s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void rkt2015UnitsLeaveTheAppWithoutItsVolume() {
    Map<String, String> r = boot.results("app1");
    assertThat(value(boot, r, "done")).as("app1 ran").isEqualTo("yes");
    assertThat(value(boot, r, "start.mounted")).isEqualTo("ABSENT");
    assertThat(value(boot, r, "bind.state")).isEqualTo("inactive");
    assertThat(value(boot, r, "read")).startsWith("ERROR").contains("No such file");
  }

  @Test
  void theSameUnitsWithARequiresAfterDropInGiveTheAppItsVolume() {
    Map<String, String> r = boot.results("app2");
    mountedAs(boot, r, "start.mounted", "9p", false);
    assertThat(value(boot, r, "bind.state")).isEqualTo("active");
    assertThat(value(boot, r, "read")).isEqualTo("from-host");
  }
}
