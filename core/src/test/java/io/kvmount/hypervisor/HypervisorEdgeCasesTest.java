package io.kvmount.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import io.kvmount.systemd.UnitName;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Edge values of the backends that the broader tests do not pin: each refusal of {@link
 * HypervisorOptions}, socket paths under a runtime directory with a trailing slash, the exact
 * byte limits of a credential argument and of the SMBIOS 2.1 budget, and a pod without shares.
 * Each case was a surviving PIT mutant (see MUTATION.md).
 */
class HypervisorEdgeCasesTest {
  private static final HypervisorOptions O = HypervisorOptions.defaults();

  private static Share share(String volume, String source) {
    return new Share(volume, volume, source, false, new UnitName("mnt-" + volume + ".mount"));
  }

  /** The defaults with one field replaced; the replaced field decides whether it is accepted. */
  private static HypervisorOptions options(String sandbox, String cache, String runtimeDir, String memory, String program) {
    return new HypervisorOptions("none", runtimeDir, memory, program, sandbox, cache, "pc");
  }

  @Test
  void options_refuseEachUnknownOrMalformedField() {
    assertThatThrownBy(() -> options("jail", "auto", "/run/kvmount", "1G", "virtiofsd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("virtiofsd sandbox \"jail\" is not one of chroot, namespace, none");
    assertThatThrownBy(() -> options("namespace", "sometimes", "/run/kvmount", "1G", "virtiofsd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("virtiofsd cache \"sometimes\" is not one of always, auto, metadata, never");
    assertThatThrownBy(() -> options("namespace", "auto", "run/kvmount", "1G", "virtiofsd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("runtime directory \"run/kvmount\" must be an absolute path");
    assertThatThrownBy(() -> options("namespace", "auto", "/run/kv\u007fmount", "1G", "virtiofsd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("runtime directory \"/run/kv\u007fmount\"");
    assertThatThrownBy(() -> options("namespace", "auto", "/run/kv\u001fmount", "1G", "virtiofsd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("runtime directory \"/run/kv\u001fmount\"");
    assertThatThrownBy(() -> options("namespace", "auto", "/run/kvmount", "1 G", "virtiofsd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("guest memory \"1 G\" must be a number with an optional K, M or G suffix, such as 1G");
    assertThatThrownBy(() -> options("namespace", "auto", "/run/kvmount", "1G", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("virtiofsd program must not be empty");
  }

  @Test
  void options_acceptEveryListedValueAndASpaceInTheRuntimeDirectory() {
    for (String sandbox : HypervisorOptions.SANDBOXES) {
      assertThat(options(sandbox, "auto", "/run/kvmount", "1G", "virtiofsd").virtiofsdSandbox()).isEqualTo(sandbox);
    }
    for (String cache : HypervisorOptions.CACHES) {
      assertThat(options("namespace", cache, "/run/kvmount", "1G", "virtiofsd").virtiofsdCache()).isEqualTo(cache);
    }
    // 0x20 is the first byte that is not a control character: a space is a legal path byte.
    assertThat(options("namespace", "auto", "/run/my pods", "512M", "virtiofsd").socketPath("v"))
        .isEqualTo("/run/my pods/v.sock");
  }

  @Test
  void withQemuMachine_changesOnlyTheMachine() {
    HypervisorOptions o = new HypervisorOptions("mapped-file", "/run/p", "2G", "/usr/libexec/virtiofsd", "chroot", "never");
    assertThat(o.withQemuMachine("q35"))
        .isEqualTo(new HypervisorOptions("mapped-file", "/run/p", "2G", "/usr/libexec/virtiofsd", "chroot", "never", "q35"));
  }

  @Test
  void socketPath_addsNoSecondSlashAfterATrailingOne() {
    assertThat(options("namespace", "auto", "/run/kvmount/", "1G", "virtiofsd").socketPath("data"))
        .isEqualTo("/run/kvmount/data.sock");
    assertThat(options("namespace", "auto", "/", "1G", "virtiofsd").socketPath("data")).isEqualTo("/data.sock");
    assertThat(O.socketPath("data")).isEqualTo("/run/kvmount/data.sock");
  }

  @Test
  void firecracker_tagLimitIsVirtioFsOnEitherTransport() {
    // A pod of empty volumes is planned with this limit; it must pass PlanOptions' 12-byte minimum.
    assertThat(new Firecracker().maxTagBytes(Transport.NINE_P)).isEqualTo(36);
    assertThat(new Firecracker().maxTagBytes(Transport.VIRTIOFS)).isEqualTo(36);
  }

  @Test
  void noShares_giveNoArgumentsNoDaemonsAndNoWarnings() throws Exception {
    Arguments none = new Arguments(List.of(), List.of(), List.of());
    assertThat(new CloudHypervisor().arguments(List.of(), Transport.VIRTIOFS, O)).isEqualTo(none);
    assertThat(new Qemu().arguments(List.of(), Transport.VIRTIOFS, O)).isEqualTo(none);
    assertThat(new Qemu().arguments(List.of(), Transport.NINE_P, O)).isEqualTo(none);
  }

  @Test
  void qemuVirtiofs_warnsOnceAboutMemoryAndDaemons() throws Exception {
    Arguments a = new Qemu().arguments(List.of(share("a", "/a"), share("b", "/b")), Transport.VIRTIOFS,
        O.withQemuMachine("q35"));
    assertThat(a.warnings()).containsExactly(
        "qemu virtio-fs: start the VM with -m 1G (the shared memory backend's size) and start the virtiofsd daemons"
            + " first");
  }

  @Test
  void kvmtool_commaAsTheFirstByteOfTheSource_isRefused() {
    // kvmtool splits --9p=<dir>,<tag> at the first comma, wherever it is.
    assertThatThrownBy(() -> new Kvmtool().arguments(List.of(share("v", ",srv")), Transport.NINE_P, O))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith("volume \"v\": host source \",srv\" contains a comma");
  }

  @Test
  void credentialArgument_ofExactlyLinuxsLimitIsAccepted_oneBase64GroupMoreIsRefused() throws Exception {
    // MAX_ARG_STRLEN is 32 pages of 4 KiB including the NUL: 131,071 bytes. 98,262 bytes encode to
    // 131,016 base64 bytes; QEMU's "type=11,value=io.systemd.credential.binary:fstab.extra=" and
    // cloud-hypervisor's "oem_strings=[io.systemd.credential.binary:fstab.extra=" + "]" add 55 each.
    byte[] fits = new byte[98262];
    byte[] over = new byte[98262 + 1];
    for (String name : List.of("qemu", "cloud-hypervisor")) {
      Hypervisor h = Hypervisors.byName(name);
      Arguments base = new Arguments(List.of(), List.of(), List.of());
      Arguments ok = h.withCredential(base, "fstab.extra", fits);
      assertThat(ok.args().stream().mapToInt(String::length).max().getAsInt()).isEqualTo(131071);
      assertThatThrownBy(() -> h.withCredential(base, "fstab.extra", over)).isInstanceOf(PlanException.class)
          .hasMessageStartingWith("the fstab.extra credential (98263 bytes, 131075 in base64 in its");
    }
  }

  @Test
  void smbiosString_ofExactlyTheBudgetStaysSmbios21_oneByteMoreGetsEntryPoint64() throws Exception {
    // "io.systemd.credential.binary:" (29) + "mounts=" (7) + 59,964 base64 bytes of 44,973 bytes = 60,000.
    Qemu q = new Qemu();
    Arguments base = new Arguments(List.of(), List.of(), List.of());
    byte[] value = new byte[44973];
    Arguments at = q.withCredential(base, "mounts", value);
    assertThat(at.args()).hasSize(2).startsWith("-smbios");
    assertThat(at.args().get(1)).hasSize("type=11,value=".length() + Qemu.SMBIOS_21_BUDGET);
    assertThat(at.warnings()).isEmpty();
    Arguments past = q.withCredential(base, "mountsx", value);
    assertThat(past.args()).startsWith("-machine", "smbios-entry-point-type=64", "-smbios");
    assertThat(past.warnings()).singleElement().asString().contains("is 60001 bytes");
  }
}
