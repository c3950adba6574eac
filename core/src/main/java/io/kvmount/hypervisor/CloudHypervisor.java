package io.kvmount.hypervisor;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * cloud-hypervisor: virtio-fs only. Shared memory with {@code --memory size=MEM,shared=on}, then
 * {@code --fs tag=TAG,socket=SOCKET,num_queues=1,queue_size=1024 ...} (one value per share after a
 * single {@code --fs}), with a virtiofsd per share. Tags up to 36 bytes. cloud-hypervisor's option
 * parser has no escape for a comma, so a socket path with one is refused. Read-only is enforced by
 * virtiofsd's {@code --readonly}.
 *
 * <p><b>Many shares.</b> Each {@code --fs} is a PCI device; a PCI segment has 32 device ids, id 0
 * is its root bridge, and the VM's own disks, network, console and RNG sit on segment 0 too. Up to
 * {@value #MAX_SEGMENT0_SHARES} shares stay on segment 0 (the arguments are the same as before
 * this limit existed). More shares all go to segments of their own, {@value #SHARES_PER_SEGMENT}
 * per segment from segment 1 on ({@code pci_segment=N} in each {@code --fs} value), and {@code
 * --platform num_pci_segments=N} is printed first; cloud-hypervisor takes one {@code --platform},
 * so a warning says to merge it into the VM's own. cloud-hypervisor allows {@value #MAX_SEGMENTS}
 * segments, so at most {@value #MAX_SHARES} shares; more are refused. (Segment placement follows
 * cloud-hypervisor's {@code FsConfig} and {@code PlatformConfig}; no guest was booted with it
 * here.)
 */
public final class CloudHypervisor implements Hypervisor {

  /** The most shares left on PCI segment 0 with the VM's own devices. */
  public static final int MAX_SEGMENT0_SHARES = 24;

  /** Shares per additional segment: its 32 device ids without the root bridge's id 0. */
  public static final int SHARES_PER_SEGMENT = 31;

  /** cloud-hypervisor's largest {@code num_pci_segments}. */
  public static final int MAX_SEGMENTS = 96;

  /** The most shares: segments 1 to {@code MAX_SEGMENTS - 1}, full. */
  public static final int MAX_SHARES = (MAX_SEGMENTS - 1) * SHARES_PER_SEGMENT;

  @Override
  public String name() {
    return "cloud-hypervisor";
  }

  /** virtio-fs: cloud-hypervisor has no virtio-9p device. */
  @Override
  public Transport defaultTransport() {
    return Transport.VIRTIOFS;
  }

  @Override
  public int maxTagBytes(Transport transport) throws PlanException {
    if (transport != Transport.VIRTIOFS) {
      throw new PlanException(
          "hypervisor cloud-hypervisor: it has no virtio-9p device; use --transport virtiofs");
    }
    return Qemu.MAX_VIRTIOFS_TAG_BYTES;
  }

  @Override
  public Arguments arguments(List<Share> shares, Transport transport, HypervisorOptions options)
      throws PlanException {
    maxTagBytes(transport);
    List<String> args = new ArrayList<>();
    if (shares.isEmpty()) {
      return new Arguments(args, List.of(), List.of());
    }
    if (shares.size() > MAX_SHARES) {
      throw new PlanException("hypervisor cloud-hypervisor: " + shares.size() + " host volumes are more than the "
          + MAX_SHARES + " it can attach (" + (MAX_SEGMENTS - 1) + " PCI segments of " + SHARES_PER_SEGMENT
          + " devices besides segment 0); share fewer, larger host directories");
    }
    boolean segmented = shares.size() > MAX_SEGMENT0_SHARES;
    List<String> warnings = new ArrayList<>();
    if (segmented) {
      int segments = 1 + (shares.size() + SHARES_PER_SEGMENT - 1) / SHARES_PER_SEGMENT;
      args.add("--platform");
      args.add("num_pci_segments=" + segments);
      warnings.add("cloud-hypervisor: " + shares.size() + " shares need " + segments + " PCI segments; it takes one"
          + " --platform, so merge num_pci_segments=" + segments + " into the VM's own --platform if it has one");
    }
    args.addAll(VirtiofsSetup.cloudHypervisorMemoryArgs(options.guestMemory()));
    args.add("--fs");
    for (int i = 0; i < shares.size(); i++) {
      Share s = shares.get(i);
      String socket = options.socketPath(s.tag());
      if (socket.indexOf(',') >= 0) {
        throw new PlanException(
            "volume \"" + s.volume() + "\": socket path \"" + socket + "\" contains a comma, which"
                + " cloud-hypervisor's --fs option cannot express; choose a runtime directory without commas");
      }
      args.add("tag=" + s.tag() + ",socket=" + socket + ",num_queues=1,queue_size=1024"
          + (segmented ? ",pci_segment=" + (1 + i / SHARES_PER_SEGMENT) : ""));
    }
    return new Arguments(args, Virtiofsd.daemons(shares, options), warnings, java.util.Optional.of(
        VirtiofsSetup.of(shares, options, VirtiofsSetup.cloudHypervisorMemoryArgs(options.guestMemory()))));
  }

  /**
   * Adds the credential as an SMBIOS OEM string: {@code --platform
   * oem_strings=[io.systemd.credential.binary:NAME=BASE64]} (cloud-hypervisor 26 and newer write
   * them as SMBIOS type 11), merged into the {@code --platform} already printed for PCI segments;
   * an argument longer than {@link #MAX_ARGUMENT_BYTES} is refused.
   */
  @Override
  public Arguments withCredential(Arguments args, String name, byte[] value) throws PlanException {
    List<String> out = new ArrayList<>(args.args());
    String oem = "oem_strings=[" + Hypervisor.smbiosCredential(name, value) + "]";
    int i = out.indexOf("--platform");
    if (i >= 0) {
      out.set(i + 1, out.get(i + 1) + "," + oem);
    } else {
      out.add(0, oem);
      out.add(0, "--platform");
    }
    Hypervisor.checkArgumentLength(out.get(out.indexOf("--platform") + 1), name, value, "--platform");
    return new Arguments(out, args.daemons(), args.warnings(), args.virtiofs());
  }
}
