package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pod with 128 host volumes over 9p, one share each, booted once on QEMU's default {@code pc}
 * machine (issue 19). Before bridges, QEMU refused to start with more than 28 shares ({@code PCI:
 * no slot/function available}); now kvmount puts them behind 4 {@code pci-bridge}s. One app mounts
 * every volume and reads each volume's marker file.
 */
@ExtendWith(E2eCondition.class)
class ManyVolumesInGuestTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static final int VOLUMES = 128;
  private static GuestPod pod;
  private static GuestPod.Generated generated;
  private static GuestPod.Boot boot;

  private static String name(int i) {
    return String.format("vol%03d", i);
  }

  @BeforeAll
  static void bootPod() throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("many-volumes"));
    GuestPod.App app = pod.app("many");
    for (int i = 0; i < VOLUMES; i++) {
      Path dir = pod.hostDir(name(i));
      Files.writeString(dir.resolve("marker"), "marker of " + name(i));
      pod.hostVolume(name(i), dir, i % 2 == 1);
      app.mount(name(i), "/vols/" + name(i));
    }
    app.mounted("start.mounted first", "/vols/" + name(0)).mounted("start.mounted last", "/vols/" + name(VOLUMES - 1));
    // One line of shell builtins for all markers (no process per volume: under TCG, 128 `cat`s
    // took about two minutes); each volume's line is "marker <name>=<content>", as App.read writes.
    app.line("for d in \"$R\"/vols/vol*; do m=ABSENT; IFS= read -r m < \"$d/marker\" || [ -n \"$m\" ];"
        + " printf 'marker %s=%s\\n' \"${d##*/}\" \"$m\"; done");
    String machine = E2eEnvironment.qemuMachine();
    generated = pod.generate(List.of("--qemu-machine", machine));
    List<String> args = new ArrayList<>();
    if (!machine.equals("pc")) {
      args.addAll(List.of("-M", machine));
    }
    args.addAll(generated.hypervisorArgs());
    boot = pod.boot(args);
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
  }

  @Test
  void everyOneOf128VolumesIsVisibleToTheApp() throws IOException {
    Map<String, String> r = boot.results("many");
    mountedAs(boot, r, "start.mounted first", "9p", false);
    mountedAs(boot, r, "start.mounted last", "9p", true);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < VOLUMES; i++) {
      if (("marker of " + name(i)).equals(value(boot, r, "marker " + name(i)))) {
        seen.add(name(i));
      }
    }
    assertThat(seen).as("volumes whose marker the app read").hasSize(VOLUMES);
  }

  @Test
  void theSharesSitBehindFourPciBridgesAsModernVirtioDevices() {
    List<String> args = generated.hypervisorArgs();
    String bridge = E2eEnvironment.qemuMachine().equals("q35") ? "pcie-pci-bridge" : "pci-bridge";
    assertThat(args.stream().filter(a -> a.startsWith(bridge + ",id=kvmount-br"))).hasSize(4);
    assertThat(args.stream().filter(a -> a.startsWith("virtio-9p-pci,") && a.endsWith(",disable-legacy=on")))
        .hasSize(VOLUMES);
    assertThat(args.stream().filter(a -> a.startsWith("local,") && a.contains(",multidevs=remap"))).hasSize(VOLUMES);
  }
}
