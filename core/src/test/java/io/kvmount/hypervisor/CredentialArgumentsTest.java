package io.kvmount.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import io.kvmount.systemd.UnitName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How each backend hands the guest a systemd credential ({@code --emit credentials}). */
class CredentialArgumentsTest {

  static final byte[] FSTAB = "vol /run/kvmount/vol 9p trans=virtio,ro,noauto 0 0\n".getBytes(StandardCharsets.UTF_8);

  static List<Share> shares(int n) {
    List<Share> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Share("v" + i, "v" + i, "/srv/v" + i, false, new UnitName("run-kvmount-v" + i + ".mount")));
    }
    return out;
  }

  @Test
  void qemuAddsOneSmbiosType11StringWhoseBase64DecodesToTheCredential() throws Exception {
    Hypervisor q = Hypervisors.byName("qemu");
    Arguments plain = q.arguments(shares(1), Transport.NINE_P, HypervisorOptions.defaults());
    Arguments a = q.withCredential(plain, "fstab.extra", FSTAB);
    assertThat(a.args().subList(0, plain.args().size())).isEqualTo(plain.args());
    List<String> added = a.args().subList(plain.args().size(), a.args().size());
    assertThat(added).hasSize(2);
    assertThat(added.get(0)).isEqualTo("-smbios");
    String prefix = "type=11,value=io.systemd.credential.binary:fstab.extra=";
    assertThat(added.get(1)).startsWith(prefix).doesNotContain(",,");
    assertThat(Base64.getDecoder().decode(added.get(1).substring(prefix.length()))).isEqualTo(FSTAB);
    // The only commas are QEMU's own separator: base64 has none to double.
    assertThat(added.get(1).chars().filter(c -> c == ',').count()).isEqualTo(1);
    assertThat(a.warnings()).isEqualTo(plain.warnings());
  }

  @Test
  void qemuLiftsTheSmbios21TableLimitForALargeCredential() throws Exception {
    Hypervisor q = Hypervisors.byName("qemu");
    byte[] big = new byte[Qemu.SMBIOS_21_BUDGET];
    Arguments a = q.withCredential(q.arguments(List.of(), Transport.NINE_P, HypervisorOptions.defaults()), "fstab.extra", big);
    assertThat(a.args()).startsWith("-machine", "smbios-entry-point-type=64", "-smbios");
    assertThat(a.warnings()).singleElement().asString().contains("SMBIOS 2.1");
    byte[] small = new byte[Qemu.SMBIOS_21_BUDGET * 3 / 4 - 100];
    Arguments b = q.withCredential(q.arguments(List.of(), Transport.NINE_P, HypervisorOptions.defaults()), "fstab.extra", small);
    assertThat(b.args()).doesNotContain("-machine");
  }

  @Test
  void cloudHypervisorUsesOemStringsMergedIntoItsOnePlatformOption() throws Exception {
    Hypervisor ch = Hypervisors.byName("cloud-hypervisor");
    String oem = "oem_strings=[io.systemd.credential.binary:fstab.extra=" + Base64.getEncoder().encodeToString(FSTAB) + "]";
    Arguments few = ch.withCredential(ch.arguments(shares(2), Transport.VIRTIOFS, HypervisorOptions.defaults()),
        "fstab.extra", FSTAB);
    assertThat(few.args()).startsWith("--platform", oem);
    assertThat(few.args().stream().filter(x -> x.equals("--platform")).count()).isEqualTo(1);
    Arguments many = ch.withCredential(ch.arguments(shares(40), Transport.VIRTIOFS, HypervisorOptions.defaults()),
        "fstab.extra", FSTAB);
    int i = many.args().indexOf("--platform");
    assertThat(many.args().stream().filter(x -> x.equals("--platform")).count()).isEqualTo(1);
    assertThat(many.args().get(i + 1)).matches("num_pci_segments=\\d+," + java.util.regex.Pattern.quote(oem));
  }

  @Test
  void backendsWithoutSmbiosOrFwCfgPointToTheCommandLine() throws Exception {
    for (String name : List.of("lkvm", "firecracker")) {
      Hypervisor h = Hypervisors.byName(name);
      Arguments a = new Arguments(List.of(), List.of(), List.of());
      assertThatThrownBy(() -> h.withCredential(a, "fstab.extra", FSTAB)).isInstanceOf(PlanException.class)
          .hasMessageContaining("hypervisor " + h.name()).hasMessageContaining("--emit cmdline");
    }
  }

  @Test
  void anArgumentLongerThanLinuxPassesIsRefused() throws Exception {
    // 98,244 bytes encode to 130,992 base64 bytes: with the prefix, 131,047 of QEMU's 131,071.
    byte[] fits = new byte[98244];
    byte[] over = new byte[98244 + 30];
    for (String name : List.of("qemu", "cloud-hypervisor")) {
      Hypervisor h = Hypervisors.byName(name);
      Arguments base = h.arguments(List.of(), name.equals("qemu") ? Transport.NINE_P : Transport.VIRTIOFS,
          HypervisorOptions.defaults());
      Arguments ok = h.withCredential(base, "fstab.extra", fits);
      assertThat(ok.args().stream().mapToInt(String::length).max().getAsInt())
          .isLessThanOrEqualTo(Hypervisor.MAX_ARGUMENT_BYTES);
      assertThatThrownBy(() -> h.withCredential(base, "fstab.extra", over)).isInstanceOf(PlanException.class)
          .hasMessageContaining("Linux limits to 131071 bytes").hasMessageContaining("98274 bytes");
    }
  }
}
