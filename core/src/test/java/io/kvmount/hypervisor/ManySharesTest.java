package io.kvmount.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import io.kvmount.systemd.UnitName;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where each backend puts many shares (issue 19): QEMU's root bus up to 16, bridges beyond, on
 * {@code pc} and {@code q35}; cloud-hypervisor's PCI segments; the refusals past each limit.
 */
class ManySharesTest {
  private static final HypervisorOptions PC = HypervisorOptions.defaults();
  private static final HypervisorOptions Q35 = PC.withQemuMachine("q35");

  private static List<Share> shares(int n) {
    List<Share> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new Share("v" + i, "v" + i, "/srv/v" + i, i % 2 == 1, new UnitName("mnt-v" + i + ".mount")));
    }
    return list;
  }

  /** The two argv elements of share {@code i} over 9p, with its placement suffix. */
  private static List<String> nineP(int i, String placement) {
    return List.of("-fsdev", "local,id=kvmount-v" + i + ",path=/srv/v" + i + ",security_model=none,multidevs=remap"
            + (i % 2 == 1 ? ",readonly=on" : ""),
        "-device", "virtio-9p-pci,fsdev=kvmount-v" + i + ",mount_tag=v" + i + placement);
  }

  private static List<String> expected9p(int n, List<String> bridges, boolean bridged) {
    List<String> out = new ArrayList<>();
    for (String b : bridges) {
      out.add("-device");
      out.add(b);
    }
    for (int i = 0; i < n; i++) {
      String at = bridged
          ? ",bus=kvmount-br" + (i / 32 + 1) + ",addr=0x" + Integer.toHexString(i % 32) + ",disable-legacy=on"
          : "";
      out.addAll(nineP(i, at));
    }
    return out;
  }

  private static List<String> pcBridges(int count) {
    List<String> all = List.of(
        "pci-bridge,id=kvmount-br1,chassis_nr=1,shpc=off,bus=pci.0,addr=0x1f",
        "pci-bridge,id=kvmount-br2,chassis_nr=2,shpc=off,bus=pci.0,addr=0x1e",
        "pci-bridge,id=kvmount-br3,chassis_nr=3,shpc=off,bus=pci.0,addr=0x1d",
        "pci-bridge,id=kvmount-br4,chassis_nr=4,shpc=off,bus=pci.0,addr=0x1c");
    return all.subList(0, count);
  }

  private static List<String> q35Bridges(int count) {
    List<String> all = List.of(
        "pcie-pci-bridge,id=kvmount-br1,bus=pcie.0,addr=0x1e",
        "pcie-pci-bridge,id=kvmount-br2,bus=pcie.0,addr=0x1d",
        "pcie-pci-bridge,id=kvmount-br3,bus=pcie.0,addr=0x1c",
        "pcie-pci-bridge,id=kvmount-br4,bus=pcie.0,addr=0x1b");
    return all.subList(0, count);
  }

  @Test
  void qemu_oneShare_staysOnTheRootBusAsBefore_onBothMachines() throws Exception {
    List<String> one = List.of(
        "-fsdev", "local,id=kvmount-v0,path=/srv/v0,security_model=none,multidevs=remap",
        "-device", "virtio-9p-pci,fsdev=kvmount-v0,mount_tag=v0");
    assertThat(new Qemu().arguments(shares(1), Transport.NINE_P, PC).args()).isEqualTo(one);
    assertThat(new Qemu().arguments(shares(1), Transport.NINE_P, Q35).args()).isEqualTo(one);
  }

  @Test
  void qemu_sixteenSharesOnTheRootBus_seventeenBehindABridge() throws Exception {
    assertThat(new Qemu().arguments(shares(16), Transport.NINE_P, PC).args())
        .isEqualTo(expected9p(16, List.of(), false))
        .noneMatch(a -> a.contains("bus="));
    assertThat(new Qemu().arguments(shares(17), Transport.NINE_P, PC).args())
        .isEqualTo(expected9p(17, pcBridges(1), true));
  }

  @Test
  void qemu_28Shares_oneBridge() throws Exception {
    List<String> pc = new Qemu().arguments(shares(28), Transport.NINE_P, PC).args();
    assertThat(pc).isEqualTo(expected9p(28, pcBridges(1), true));
    assertThat(pc.subList(0, 6)).containsExactly(
        "-device", "pci-bridge,id=kvmount-br1,chassis_nr=1,shpc=off,bus=pci.0,addr=0x1f",
        "-fsdev", "local,id=kvmount-v0,path=/srv/v0,security_model=none,multidevs=remap",
        "-device", "virtio-9p-pci,fsdev=kvmount-v0,mount_tag=v0,bus=kvmount-br1,addr=0x0,disable-legacy=on");
    assertThat(pc.get(pc.size() - 1))
        .isEqualTo("virtio-9p-pci,fsdev=kvmount-v27,mount_tag=v27,bus=kvmount-br1,addr=0x1b,disable-legacy=on");
    assertThat(new Qemu().arguments(shares(28), Transport.NINE_P, Q35).args())
        .isEqualTo(expected9p(28, q35Bridges(1), true));
  }

  @Test
  void qemu_40Shares_twoBridges_theSecondFromSlot0() throws Exception {
    List<String> pc = new Qemu().arguments(shares(40), Transport.NINE_P, PC).args();
    assertThat(pc).isEqualTo(expected9p(40, pcBridges(2), true));
    assertThat(pc).contains(
        "virtio-9p-pci,fsdev=kvmount-v31,mount_tag=v31,bus=kvmount-br1,addr=0x1f,disable-legacy=on",
        "virtio-9p-pci,fsdev=kvmount-v32,mount_tag=v32,bus=kvmount-br2,addr=0x0,disable-legacy=on",
        "virtio-9p-pci,fsdev=kvmount-v39,mount_tag=v39,bus=kvmount-br2,addr=0x7,disable-legacy=on");
    assertThat(new Qemu().arguments(shares(40), Transport.NINE_P, Q35).args())
        .isEqualTo(expected9p(40, q35Bridges(2), true));
  }

  @Test
  void qemu_128Shares_fourFullBridges() throws Exception {
    List<String> pc = new Qemu().arguments(shares(128), Transport.NINE_P, PC).args();
    assertThat(pc).hasSize(2 * 4 + 4 * 128).isEqualTo(expected9p(128, pcBridges(4), true));
    assertThat(pc.get(pc.size() - 1))
        .isEqualTo("virtio-9p-pci,fsdev=kvmount-v127,mount_tag=v127,bus=kvmount-br4,addr=0x1f,disable-legacy=on");
    assertThat(new Qemu().arguments(shares(128), Transport.NINE_P, Q35).args())
        .isEqualTo(expected9p(128, q35Bridges(4), true));
  }

  @Test
  void qemu_256SharesIsTheMaximum_257IsRefusedNamingTheLimit() throws Exception {
    List<String> args = new Qemu().arguments(shares(256), Transport.NINE_P, PC).args();
    assertThat(args).contains("pci-bridge,id=kvmount-br8,chassis_nr=8,shpc=off,bus=pci.0,addr=0x18")
        .doesNotContain("pci-bridge,id=kvmount-br9,chassis_nr=9,shpc=off,bus=pci.0,addr=0x17");
    assertThat(new Qemu().arguments(shares(256), Transport.NINE_P, Q35).args())
        .contains("pcie-pci-bridge,id=kvmount-br8,bus=pcie.0,addr=0x17");
    for (HypervisorOptions o : List.of(PC, Q35)) {
      for (Transport t : Transport.values()) {
        assertThatThrownBy(() -> new Qemu().arguments(shares(257), t, o))
            .isInstanceOf(PlanException.class)
            .hasMessage("hypervisor qemu: 257 host volumes are more than the 256 shares kvmount places"
                + " (8 PCI bridges of 32 devices); share fewer, larger host directories");
      }
    }
  }

  @Test
  void qemuVirtiofs_40Shares_bridgesFirstThenMemoryThenDevicesBehindThem() throws Exception {
    Arguments a = new Qemu().arguments(shares(40), Transport.VIRTIOFS, Q35);
    assertThat(a.args().subList(0, 8)).containsExactly(
        "-device", "pcie-pci-bridge,id=kvmount-br1,bus=pcie.0,addr=0x1e",
        "-device", "pcie-pci-bridge,id=kvmount-br2,bus=pcie.0,addr=0x1d",
        "-object", "memory-backend-memfd,id=kvmount-mem,size=1G,share=on",
        "-numa", "node,memdev=kvmount-mem");
    assertThat(a.args()).hasSize(8 + 4 * 40).contains(
        "vhost-user-fs-pci,chardev=kvmount-v0,tag=v0,bus=kvmount-br1,addr=0x0,disable-legacy=on",
        "vhost-user-fs-pci,chardev=kvmount-v39,tag=v39,bus=kvmount-br2,addr=0x7,disable-legacy=on");
    assertThat(a.daemons()).hasSize(40);
  }

  @Test
  void qemuMachine_onlyPcAndQ35() {
    assertThatThrownBy(() -> PC.withQemuMachine("microvm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("QEMU machine \"microvm\" is not one of pc, q35");
    assertThat(PC.qemuMachine()).isEqualTo("pc");
  }

  @Test
  void kvmtool_24SharesFit_25AreRefusedNamingTheLimitAndQemu() throws Exception {
    assertThat(new Kvmtool().arguments(shares(24), Transport.NINE_P, PC).args())
        .hasSize(24).startsWith("--9p=/srv/v0,v0").endsWith("--9p=/srv/v23,v23");
    assertThatThrownBy(() -> new Kvmtool().arguments(shares(25), Transport.NINE_P, PC))
        .isInstanceOf(PlanException.class)
        .hasMessage("hypervisor lkvm: 25 host volumes are more than the 24 kvmtool can attach (one PCI bus of 32"
            + " devices, 8 kept for its own); use --hypervisor qemu (up to 256)");
  }

  @Test
  void cloudHypervisor_24SharesOnSegment0AsBefore() throws Exception {
    Arguments a = new CloudHypervisor().arguments(shares(24), Transport.VIRTIOFS, PC);
    assertThat(a.args()).hasSize(3 + 24).startsWith("--memory", "size=1G,shared=on", "--fs",
        "tag=v0,socket=/run/kvmount/v0.sock,num_queues=1,queue_size=1024");
    assertThat(a.args()).noneMatch(s -> s.contains("pci_segment") || s.contains("--platform"));
    assertThat(a.warnings()).isEmpty();
  }

  @Test
  void cloudHypervisor_40Shares_twoSegmentsOf31AfterSegment0() throws Exception {
    Arguments a = new CloudHypervisor().arguments(shares(40), Transport.VIRTIOFS, PC);
    assertThat(a.args().subList(0, 6)).containsExactly("--platform", "num_pci_segments=3",
        "--memory", "size=1G,shared=on", "--fs",
        "tag=v0,socket=/run/kvmount/v0.sock,num_queues=1,queue_size=1024,pci_segment=1");
    assertThat(a.args()).hasSize(5 + 40).contains(
        "tag=v30,socket=/run/kvmount/v30.sock,num_queues=1,queue_size=1024,pci_segment=1",
        "tag=v31,socket=/run/kvmount/v31.sock,num_queues=1,queue_size=1024,pci_segment=2",
        "tag=v39,socket=/run/kvmount/v39.sock,num_queues=1,queue_size=1024,pci_segment=2");
    assertThat(a.warnings()).singleElement().asString()
        .contains("merge num_pci_segments=3 into the VM's own --platform");
  }

  @Test
  void cloudHypervisor_2945SharesFillAll96Segments_2946AreRefused() throws Exception {
    List<String> args = new CloudHypervisor().arguments(shares(2945), Transport.VIRTIOFS, PC).args();
    assertThat(args.get(1)).isEqualTo("num_pci_segments=96");
    assertThat(args.get(args.size() - 1)).endsWith(",pci_segment=95");
    assertThatThrownBy(() -> new CloudHypervisor().arguments(shares(2946), Transport.VIRTIOFS, PC))
        .isInstanceOf(PlanException.class)
        .hasMessage("hypervisor cloud-hypervisor: 2946 host volumes are more than the 2945 it can attach"
            + " (95 PCI segments of 31 devices besides segment 0); share fewer, larger host directories");
  }

  @Test
  void defaultTransport_isTheOneTheBackendHas() {
    assertThat(new CloudHypervisor().defaultTransport()).isEqualTo(Transport.VIRTIOFS);
    assertThat(new Qemu().defaultTransport()).isEqualTo(Transport.NINE_P);
    assertThat(new Kvmtool().defaultTransport()).isEqualTo(Transport.NINE_P);
  }
}
