package io.kvmount.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import io.kvmount.systemd.UnitName;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The virtio-fs setup each backend reports: memory arguments among its own, one socket per share. */
class VirtiofsSetupTest {
  private static final HypervisorOptions OPTIONS =
      new HypervisorOptions("none", "/run/kvmount/pod-1", "2G", "virtiofsd", "namespace", "auto", "pc");

  private static List<Share> shares() throws Exception {
    return List.of(
        new Share("data", "data", "/srv/data", false, UnitName.of("mnt-data.mount")),
        new Share("conf", "conf", "/srv/conf", true, UnitName.of("mnt-conf.mount")));
  }

  @Test
  void qemu_memoryArgsOpenItsArgumentsAndEachShareHasItsSocket() throws Exception {
    Arguments a = Hypervisors.byName("qemu").arguments(shares(), Transport.VIRTIOFS, OPTIONS);
    VirtiofsSetup v = a.virtiofs().orElseThrow();
    assertThat(v.memoryArgs()).containsExactly(
        "-object", "memory-backend-memfd,id=kvmount-mem,size=2G,share=on", "-numa", "node,memdev=kvmount-mem");
    assertThat(a.args().subList(0, 4)).isEqualTo(v.memoryArgs());
    assertThat(v.runtimeDir()).isEqualTo("/run/kvmount/pod-1");
    assertThat(v.guestMemory()).isEqualTo("2G");
    assertThat(v.sockets()).containsExactly(
        new VirtiofsSetup.Socket("data", "/run/kvmount/pod-1/data.sock", "/srv/data", false),
        new VirtiofsSetup.Socket("conf", "/run/kvmount/pod-1/conf.sock", "/srv/conf", true));
    assertThat(a.args()).contains("socket,id=kvmount-data,path=/run/kvmount/pod-1/data.sock");
    assertThat(a.daemons().get(1)).contains("--socket-path=/run/kvmount/pod-1/conf.sock", "--readonly");
  }

  @Test
  void cloudHypervisor_memoryIsItsMemoryOption() throws Exception {
    Arguments a = Hypervisors.byName("cloud-hypervisor").arguments(shares(), Transport.VIRTIOFS, OPTIONS);
    VirtiofsSetup v = a.virtiofs().orElseThrow();
    assertThat(v.memoryArgs()).containsExactly("--memory", "size=2G,shared=on");
    assertThat(a.args().subList(0, 2)).isEqualTo(v.memoryArgs());
    assertThat(v.sockets()).extracting(VirtiofsSetup.Socket::path)
        .containsExactly("/run/kvmount/pod-1/data.sock", "/run/kvmount/pod-1/conf.sock");
  }

  @Test
  void nineP_orNoShares_hasNone() throws Exception {
    assertThat(Hypervisors.byName("qemu").arguments(shares(), Transport.NINE_P, OPTIONS).virtiofs()).isEmpty();
    assertThat(Hypervisors.byName("qemu").arguments(List.of(), Transport.VIRTIOFS, OPTIONS).virtiofs()).isEmpty();
    assertThat(Hypervisors.byName("cloud-hypervisor").arguments(List.of(), Transport.VIRTIOFS, OPTIONS).virtiofs())
        .isEqualTo(Optional.empty());
  }
}
