package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves the engine-written fixtures of {@link EngineConfigs}: each file is a JSON object and holds
 * the mounts its engine and flags must produce (listed in {@code
 * src/test/resources/engine-configs/README.md}), so that golden tests over them start from what
 * they claim to be.
 */
class EngineConfigsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** runc and crun spec defaults, in order (oci-mounts.md section 5). */
  private static final List<String> SPEC_DESTINATIONS =
      List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup");

  @Test
  void everyConfigIsAJsonObjectWithMountsAndARoot() throws IOException {
    EngineConfigs e = EngineConfigs.get();
    for (Path config : e.all()) {
      JsonNode root = read(config);
      assertThat(root.isObject()).as(config.toString()).isTrue();
      assertThat(root.path("ociVersion").isTextual()).as(config + " ociVersion").isTrue();
      assertThat(root.path("mounts").isArray()).as(config + " mounts").isTrue();
      for (JsonNode m : root.path("mounts")) {
        assertThat(m.path("destination").asText()).as(config + " destination").startsWith("/");
      }
      assertThat(root.path("root").path("path").isTextual()).as(config + " root.path").isTrue();
    }
  }

  @Test
  void versionsAreRecorded() throws IOException {
    String v = Files.readString(EngineConfigs.get().versions(), StandardCharsets.UTF_8);
    assertThat(v).contains("runc version ", "crun version ", "podman version ");
  }

  @Test
  void runcAndCrunSpecHaveTheSevenDefaultMountsInOrder() throws IOException {
    EngineConfigs e = EngineConfigs.get();
    for (Path config : List.of(e.runc(), e.crun())) {
      JsonNode root = read(config);
      assertThat(destinations(root)).as(config.toString()).isEqualTo(SPEC_DESTINATIONS);
      assertThat(root.path("root").path("path").asText()).isEqualTo("rootfs");
      assertThat(root.path("root").path("readonly").asBoolean()).isTrue();
      assertThat(options(mount(root, "/sys"))).contains("ro", "nosuid", "noexec", "nodev");
      assertThat(mount(root, "/sys/fs/cgroup").path("type").asText()).isEqualTo("cgroup");
      assertThat(options(mount(root, "/dev/shm"))).contains("mode=1777", "size=65536k");
    }
  }

  @Test
  void podmanVolumeIsARecursiveBindOfTheHostDirectory() throws IOException {
    EngineConfigs e = EngineConfigs.get();
    Path config = e.podman("volume");
    JsonNode data = mount(read(config), "/data");
    assertThat(data.path("type").asText()).isEqualTo("bind");
    assertThat(options(data)).contains("rbind", "rw").doesNotContain("ro");
    Path source = Path.of(data.path("source").asText());
    assertThat(source).isDirectory();
    assertThat(e.placeholders(config)).containsEntry(source.toString(), "@HOSTDIR@");
  }

  @Test
  void podmanReadOnlyVolumeAndFileMountCarryRo() throws IOException {
    EngineConfigs e = EngineConfigs.get();
    JsonNode ro = mount(read(e.podman("volume-ro")), "/ro");
    assertThat(options(ro)).contains("rbind", "ro");
    assertThat(Path.of(ro.path("source").asText())).isDirectory();

    JsonNode file = mount(read(e.podman("mount-file")), "/etc/app.conf");
    assertThat(file.path("type").asText()).isEqualTo("bind");
    assertThat(options(file)).contains("ro");
    assertThat(Path.of(file.path("source").asText())).isRegularFile();
  }

  @Test
  void podmanTmpfsKeepsSizeAndMode() throws IOException {
    JsonNode scratch = mount(read(EngineConfigs.get().podman("tmpfs")), "/scratch");
    assertThat(scratch.path("type").asText()).isEqualTo("tmpfs");
    assertThat(options(scratch)).contains("size=64m", "mode=1777");
  }

  @Test
  void podmanReadOnlyMakesTheRootReadOnlyAndAddsTmpfsAndRoBinds() throws IOException {
    for (String name : List.of("read-only", "all")) {
      JsonNode root = read(EngineConfigs.get().podman(name));
      assertThat(root.path("root").path("readonly").asBoolean()).as(name).isTrue();
      for (String d : List.of("/run", "/tmp", "/var/tmp")) {
        assertThat(mount(root, d).path("type").asText()).as(name + " " + d).isEqualTo("tmpfs");
      }
      assertThat(options(mount(root, "/etc/hosts"))).as(name).contains("bind", "ro");
      assertThat(options(mount(root, "/etc/hostname"))).as(name).contains("bind", "ro");
    }
    assertThat(read(EngineConfigs.get().podman("volume")).path("root").path("readonly").asBoolean()).isFalse();
  }

  @Test
  void podmanAddsItsOwnFileBindsAndResolvConfWithANetwork() throws IOException {
    EngineConfigs e = EngineConfigs.get();
    JsonNode volume = read(e.podman("volume"));
    for (String d : List.of("/etc/hosts", "/etc/hostname", "/run/.containerenv")) {
      JsonNode m = mount(volume, d);
      assertThat(m.path("type").asText()).as(d).isEqualTo("bind");
      assertThat(Path.of(m.path("source").asText())).as(d).isRegularFile();
    }
    assertThat(Path.of(mount(volume, "/dev/shm").path("source").asText())).isDirectory();
    assertThat(destinations(volume)).doesNotContain("/etc/resolv.conf");
    JsonNode resolv = mount(read(e.podman("host-net")), "/etc/resolv.conf");
    assertThat(Path.of(resolv.path("source").asText())).isRegularFile();
  }

  @Test
  void podmanSortsMountsByDepth() throws IOException {
    // The documented reason why only same-depth mounts may change order between runs.
    for (String name : EngineConfigs.PODMAN_CASES) {
      List<Integer> depths = new ArrayList<>();
      for (String d : destinations(read(EngineConfigs.get().podman(name)))) {
        depths.add(Path.of(d).getNameCount());
      }
      assertThat(depths).as(name).isSorted();
    }
  }

  @Test
  void placeholderCopiesHoldNoTempPath() throws IOException {
    EngineConfigs e = EngineConfigs.get();
    for (Path config : e.all()) {
      String text = Files.readString(config.resolveSibling("config.placeholders.json"), StandardCharsets.UTF_8);
      assertThat(text).as(config.toString()).doesNotContain(e.dir().toString());
      String original = Files.readString(config, StandardCharsets.UTF_8);
      for (Map.Entry<String, String> p : e.placeholders(config).entrySet()) {
        original = original.replace(p.getKey(), p.getValue());
      }
      assertThat(text).as(config.toString()).isEqualTo(original);
    }
  }

  private static JsonNode read(Path config) throws IOException {
    return JSON.readTree(config.toFile());
  }

  private static List<String> destinations(JsonNode root) {
    List<String> out = new ArrayList<>();
    root.path("mounts").forEach(m -> out.add(m.path("destination").asText()));
    return out;
  }

  private static JsonNode mount(JsonNode root, String destination) {
    for (JsonNode m : root.path("mounts")) {
      if (m.path("destination").asText().equals(destination)) {
        return m;
      }
    }
    throw new AssertionError("no mount with destination " + destination + " in " + destinations(root));
  }

  private static List<String> options(JsonNode mount) {
    List<String> out = new ArrayList<>();
    mount.path("options").forEach(o -> out.add(o.asText()));
    return out;
  }
}
