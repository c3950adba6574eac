package io.kvmount.oci;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.oci.OciConfig.OciMount;
import io.kvmount.oci.OciConfig.Root;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link OciReader#read} accepts the shapes real engines write ({@code oci-configs/}, hand-written,
 * see SOURCES.md there) and keeps every mount as written, in listed order; the keys it does not
 * model (process, hooks, linux, annotations) are skipped.
 */
class OciRealWorldConfigTest {

  /** The 7 mounts of {@code runc spec} and {@code crun spec} (spec facts, section 5). */
  static final List<OciMount> SPEC_DEFAULTS =
      List.of(
          m("/proc", "proc", "proc"),
          m("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
          m(
              "/dev/pts",
              "devpts",
              "devpts",
              "nosuid",
              "noexec",
              "newinstance",
              "ptmxmode=0666",
              "mode=0620",
              "gid=5"),
          m("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
          m("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
          m("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
          m("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"));

  static OciMount m(String destination, String type, String source, String... options) {
    return new OciMount(
        destination,
        Optional.of(source),
        Optional.of(type),
        List.of(options),
        Optional.empty(),
        Optional.empty());
  }

  static OciConfig read(String file) throws IOException, OciException {
    try (InputStream in = OciRealWorldConfigTest.class.getResourceAsStream("/oci-configs/" + file)) {
      assertThat(in).as(file).isNotNull();
      return OciReader.read(in.readAllBytes(), file);
    }
  }

  @Test
  void read_runcSpec_readOnlyRootAndTheSevenDefaultMounts() throws Exception {
    assertThat(read("runc-spec.json"))
        .isEqualTo(new OciConfig("1.2.1", new Root("rootfs", true), SPEC_DEFAULTS, List.of(),
            new OciConfig.Linux(Optional.empty(), List.of("/proc/acpi", "/proc/kcore", "/sys/firmware"),
                List.of("/proc/bus", "/proc/sys", "/proc/sysrq-trigger"))));
  }

  @Test
  void read_crunSpec_readOnlyRootAndTheSevenDefaultMounts() throws Exception {
    assertThat(read("crun-spec.json"))
        .isEqualTo(new OciConfig("1.0.0", new Root("rootfs", true), SPEC_DEFAULTS, List.of(),
            new OciConfig.Linux(Optional.empty(), List.of("/proc/kcore", "/sys/firmware"), List.of("/proc/sys"))));
  }

  @Test
  void read_runtimeSpecExample_mountsWithoutTheSysfsRo() throws Exception {
    OciConfig c = read("runtime-spec-example.json");

    assertThat(c.ociVersion()).isEqualTo("1.0.1");
    assertThat(c.root()).isEqualTo(new Root("rootfs", true));
    assertThat(c.mounts()).hasSize(7);
    assertThat(c.mounts().subList(0, 5)).isEqualTo(SPEC_DEFAULTS.subList(0, 5));
    assertThat(c.mounts().get(5)).isEqualTo(m("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev"));
    assertThat(c.mounts().get(6)).isEqualTo(SPEC_DEFAULTS.get(6));
    assertThat(c.mounts()).noneMatch(OciMount::isBind);
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void read_podmanLike_fileBindsWithBindRprivate() throws Exception {
    OciConfig c = read("podman-like.json");
    String run = "/run/containers/storage/overlay-containers/8f2c/userdata/";
    String[] fileBind = {"bind", "rprivate", "ro", "nosuid", "noexec", "nodev"};

    assertThat(c.ociVersion()).isEqualTo("1.2.0");
    assertThat(c.root())
        .isEqualTo(new Root("/var/lib/containers/storage/overlay/3c1f/merged", true));
    assertThat(c.mounts())
        .containsExactly(
            m("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            SPEC_DEFAULTS.get(1),
            SPEC_DEFAULTS.get(5),
            SPEC_DEFAULTS.get(2),
            SPEC_DEFAULTS.get(4),
            m(
                "/sys/fs/cgroup",
                "cgroup",
                "cgroup",
                "rprivate",
                "nosuid",
                "noexec",
                "nodev",
                "relatime",
                "ro"),
            m("/data", "bind", "/srv/data", "ro", "rbind", "rprivate", "nosuid", "nodev"),
            m("/scratch", "tmpfs", "tmpfs", "rw", "rprivate", "nosuid", "nodev", "tmpcopyup", "size=64m"),
            m(
                "/dev/shm",
                "bind",
                "/var/lib/containers/storage/overlay-containers/8f2c/userdata/shm",
                "bind",
                "rprivate",
                "nosuid",
                "noexec",
                "nodev"),
            m("/etc/resolv.conf", "bind", run + "resolv.conf", fileBind),
            m("/etc/hosts", "bind", run + "hosts", fileBind),
            m("/etc/hostname", "bind", run + "hostname", fileBind),
            m("/run/.containerenv", "bind", run + ".containerenv", fileBind));
    assertThat(c.mounts().stream().filter(OciMount::isBind).map(OciMount::destination))
        .containsExactly(
            "/data", "/dev/shm", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname",
            "/run/.containerenv");
  }
}
