package io.kvmount.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import io.kvmount.systemd.UnitName;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each backend's argument grammar, limits and refusals (issue 6, fault classes 1, 5, 6, 26). */
class HypervisorTest {
  private static final HypervisorOptions O = HypervisorOptions.defaults();

  /** A share as the planner makes it; the backends read all but its unit. */
  private static Share share(String volume, String tag, String source, boolean readOnly) {
    return new Share(volume, tag, source, readOnly, new UnitName("mnt-" + volume + ".mount"));
  }

  @Test
  void kvmtool_rktExpectation_volumeFooSourceSrc1() throws Exception {
    // rkt stage1/init/kvm mount_test.go: {foo, host, src1} -> --9p=src1,foo; empty volumes give nothing.
    Arguments a = new Kvmtool().arguments(List.of(share("foo", "foo", "src1", false)), Transport.NINE_P, O);
    assertThat(a.args()).containsExactly("--9p=src1,foo");
    assertThat(new Kvmtool().arguments(List.of(), Transport.NINE_P, O).args()).isEmpty();
  }

  @Test
  void kvmtool_commaInSource_isRefusedSayingWhy() {
    assertThatThrownBy(() -> new Kvmtool().arguments(
            List.of(share("v", "v", "/srv/a,b", false)), Transport.NINE_P, O))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("volume \"v\"").hasMessageContaining("contains a comma")
        .hasMessageContaining("--9p=<dir>,<tag>");
  }

  @Test
  void kvmtool_readOnly_isNeverDroppedSilently() throws Exception {
    Arguments a = new Kvmtool().arguments(List.of(share("v", "v", "/s", true)), Transport.NINE_P, O);
    assertThat(a.warnings()).singleElement().asString().contains("read-only");
  }

  @Test
  void kvmtool_virtiofs_isRefused() {
    assertThatThrownBy(() -> new Kvmtool().maxTagBytes(Transport.VIRTIOFS))
        .isInstanceOf(PlanException.class).hasMessageContaining("virtio-fs");
  }

  @Test
  void limits_perBackendAndTransport() throws Exception {
    assertThat(new Qemu().maxTagBytes(Transport.NINE_P)).isEqualTo(31);
    assertThat(new Qemu().maxTagBytes(Transport.VIRTIOFS)).isEqualTo(36);
    assertThat(new Kvmtool().maxTagBytes(Transport.NINE_P)).isEqualTo(32);
    assertThat(new CloudHypervisor().maxTagBytes(Transport.VIRTIOFS)).isEqualTo(36);
  }

  @Test
  void qemu9p_commasDoubled_readOnlyAtTheDevice() throws Exception {
    Arguments a = new Qemu().arguments(List.of(share("v", "tag-v", "/srv/a,b", true)), Transport.NINE_P, O);
    assertThat(a.args()).containsExactly(
        "-fsdev", "local,id=kvmount-tag-v,path=/srv/a,,b,security_model=none,multidevs=remap,readonly=on",
        "-device", "virtio-9p-pci,fsdev=kvmount-tag-v,mount_tag=tag-v");
    assertThat(a.daemons()).isEmpty();
  }

  @Test
  void qemu9p_securityModelIsSelectable() throws Exception {
    HypervisorOptions o = new HypervisorOptions("mapped-xattr", "/run/kvmount", "1G", "virtiofsd", "namespace", "auto");
    assertThat(new Qemu().arguments(List.of(share("v", "v", "/s", false)), Transport.NINE_P, o).args().get(1))
        .contains("security_model=mapped-xattr");
    assertThatThrownBy(() -> new HypervisorOptions("bogus", "/r", "1G", "v", "namespace", "auto"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void qemuVirtiofs_memoryBackendChardevDeviceAndDaemonWithReadonly() throws Exception {
    Arguments a = new Qemu().arguments(List.of(share("v", "v", "/s,x", true)), Transport.VIRTIOFS, O);
    assertThat(a.args()).containsExactly(
        "-object", "memory-backend-memfd,id=kvmount-mem,size=1G,share=on",
        "-numa", "node,memdev=kvmount-mem",
        "-chardev", "socket,id=kvmount-v,path=/run/kvmount/v.sock",
        "-device", "vhost-user-fs-pci,chardev=kvmount-v,tag=v");
    assertThat(a.daemons()).containsExactly(List.of("virtiofsd", "--socket-path=/run/kvmount/v.sock",
        "--shared-dir=/s,x", "--sandbox=namespace", "--cache=auto", "--announce-submounts", "--readonly"));
  }

  @Test
  void cloudHypervisor_virtiofsOnly() throws Exception {
    assertThatThrownBy(() -> new CloudHypervisor().maxTagBytes(Transport.NINE_P))
        .isInstanceOf(PlanException.class).hasMessageContaining("--transport virtiofs");
    Arguments a = new CloudHypervisor().arguments(
        List.of(share("a", "a", "/a", false), share("b", "b", "/b", true)), Transport.VIRTIOFS, O);
    assertThat(a.args()).containsExactly("--memory", "size=1G,shared=on", "--fs",
        "tag=a,socket=/run/kvmount/a.sock,num_queues=1,queue_size=1024",
        "tag=b,socket=/run/kvmount/b.sock,num_queues=1,queue_size=1024");
    assertThat(a.daemons().get(1)).contains("--readonly");
    assertThat(a.daemons().get(0)).doesNotContain("--readonly");
  }

  @Test
  void cloudHypervisor_commaInSocketPath_isRefused() {
    HypervisorOptions o = new HypervisorOptions("none", "/run/a,b", "1G", "virtiofsd", "namespace", "auto");
    assertThatThrownBy(() -> new CloudHypervisor().arguments(List.of(share("v", "v", "/s", false)), Transport.VIRTIOFS, o))
        .isInstanceOf(PlanException.class).hasMessageContaining("comma");
  }

  @Test
  void firecracker_hostVolume_isRefusedWithWhatToDo() throws Exception {
    assertThatThrownBy(() -> new Firecracker().arguments(List.of(share("v", "v", "/s", false)), Transport.VIRTIOFS, O))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("firecracker").hasMessageContaining("block-device image")
        .hasMessageContaining("--hypervisor qemu");
    assertThat(new Firecracker().arguments(List.of(), Transport.VIRTIOFS, O).args()).isEmpty();
  }

  @Test
  void hypervisors_unknownName_listsKnownOnes() {
    assertThatThrownBy(() -> Hypervisors.byName("xen"))
        .isInstanceOf(PlanException.class)
        .hasMessage("unknown hypervisor \"xen\" (known: qemu, lkvm, cloud-hypervisor, firecracker)");
  }
}
