package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --qemu-machine}, the default transport per hypervisor, and the share-count limits, through
 * the command line (issue 19).
 */
class ManySharesCliTest {
  @TempDir Path tmp;

  /** A pod with {@code n} host volumes {@code v0..}, each mounted by app {@code web}. */
  private Path pod(int n) throws Exception {
    StringBuilder volumes = new StringBuilder();
    StringBuilder mounts = new StringBuilder();
    for (int i = 0; i < n; i++) {
      Path src = Files.createDirectories(tmp.resolve("host/v" + i));
      volumes.append(i == 0 ? "" : ",").append("{\"name\":\"v").append(i).append("\",\"kind\":\"host\",\"source\":\"")
          .append(src).append("\"}");
      mounts.append(i == 0 ? "" : ",").append("{\"volume\":\"v").append(i).append("\",\"path\":\"/srv/v").append(i)
          .append("\"}");
    }
    Path pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[" + volumes
        + "],\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[" + mounts + "]}]}");
    return pod;
  }

  private CliRunner.Result generate(Path pod, String... more) throws Exception {
    Path stage1 = Files.createDirectories(tmp.resolve("stage1"));
    List<String> args = new java.util.ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString(), "--format", "args"));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(new String[0]));
  }

  @Test
  void qemuMachine_q35_putsFortySharesBehindPciePciBridges() throws Exception {
    CliRunner.Result r = generate(pod(40), "--qemu-machine", "q35");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.subList(0, 4)).containsExactly(
        "-device", "pcie-pci-bridge,id=kvmount-br1,bus=pcie.0,addr=0x1e",
        "-device", "pcie-pci-bridge,id=kvmount-br2,bus=pcie.0,addr=0x1d");
    assertThat(lines).hasSize(4 + 4 * 40)
        .contains("virtio-9p-pci,fsdev=kvmount-v39,mount_tag=v39,bus=kvmount-br2,addr=0x7,disable-legacy=on");
    assertThat(lines).noneMatch(l -> l.startsWith("-M") || l.startsWith("-machine"));
  }

  @Test
  void qemuMachine_defaultIsPc_andAnUnknownOneIsAUsageError() throws Exception {
    CliRunner.Result bad = generate(pod(1), "--qemu-machine", "microvm");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("QEMU machine \"microvm\" is not one of pc, q35");
    assertThat(tmp.resolve("stage1/usr")).doesNotExist();

    CliRunner.Result pc = generate(pod(17));
    assertThat(pc.exit()).as(pc.err()).isZero();
    assertThat(pc.out().lines().toList().get(1)).isEqualTo("pci-bridge,id=kvmount-br1,chassis_nr=1,shpc=off,bus=pci.0,addr=0x1f");
  }

  @Test
  void cloudHypervisorAlone_usesVirtiofs_explicit9pStaysExit3() throws Exception {
    Path pod = pod(1);
    CliRunner.Result r = generate(pod, "--hypervisor", "cloud-hypervisor");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().toList()).contains("--fs")
        .anyMatch(l -> l.matches("tag=v0,socket=/run/kvmount/pod-[0-9a-f]{12}/v0\\.sock,.*"));
    assertThat(Files.readString(tmp.resolve("stage1/usr/lib/systemd/system/mnt-v0.mount"))).contains("Type=virtiofs");

    CliRunner.Result nineP = generate(pod, "--hypervisor", "cloud-hypervisor", "--transport", "9p", "--dry-run");
    assertThat(nineP.exit()).isEqualTo(3);
    assertThat(nineP.err()).contains("cloud-hypervisor").contains("--transport virtiofs");
  }

  @Test
  void tooManyShares_exit3_oneLineNamingTheLimit_nothingWritten() throws Exception {
    Path pod = pod(257);
    CliRunner.Result qemu = generate(pod);
    assertThat(qemu.exit()).isEqualTo(3);
    assertThat(qemu.err().strip()).doesNotContain("\n")
        .contains("257 host volumes are more than the 256 shares kvmount places");
    assertThat(tmp.resolve("stage1/usr")).doesNotExist();

    CliRunner.Result lkvm = generate(pod, "--hypervisor", "lkvm");
    assertThat(lkvm.exit()).isEqualTo(3);
    assertThat(lkvm.err()).contains("more than the 24 kvmtool can attach").contains("--hypervisor qemu");
    assertThat(tmp.resolve("stage1/usr")).doesNotExist();
  }
}
