package io.kvmount.hypervisor;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU. Over virtio-9p, per share: {@code -fsdev
 * local,id=ID,path=SOURCE,security_model=M,multidevs=remap[,readonly=on]} and {@code -device
 * virtio-9p-pci,fsdev=ID,mount_tag=TAG} (tags up to 31 bytes). {@code multidevs=remap} (QEMU 4.2
 * and later) gives files from different host filesystems below one source distinct inode numbers
 * in the guest; QEMU before 10.0 defaults to {@code warn}, which only logs the collision. Over
 * virtio-fs: once {@code -object memory-backend-memfd,id=kvmount-mem,size=MEM,share=on} and {@code
 * -numa node,memdev=kvmount-mem}, then per share {@code -chardev socket,id=ID,path=SOCKET} and
 * {@code -device vhost-user-fs-pci,chardev=ID,tag=TAG} (tags up to 36 bytes), with a virtiofsd
 * per share. Option values have their commas doubled, as QEMU's option parser requires ({@code
 * path=/data/a,,b}).
 *
 * <p><b>Device placement.</b> Every share is one PCI device. QEMU's {@code pc} and {@code q35}
 * machines leave 28 of the root bus's 32 slots free with their default devices, and the VM needs
 * some of them for its own disk, network or root share. Up to {@value #MAX_ROOT_BUS_SHARES} shares
 * are therefore left on the root bus where QEMU places them (the arguments are the same as before
 * bridges existed). More shares all go behind PCI bridges that kvmount adds, {@value
 * #DEVICES_PER_BRIDGE} per bridge at slots {@code 0x0} to {@code 0x1f}, the bridges on the root
 * bus at fixed slots counted down from the top ({@code 0x1f} on {@code pc}, {@code 0x1e} on {@code
 * q35}, whose slot 31 holds the ICH9 functions), well away from the low slots QEMU fills with its
 * default and automatically placed devices:
 *
 * <ul>
 *   <li>{@code pc}: {@code -device pci-bridge,id=kvmount-brN,chassis_nr=N,shpc=off,bus=pci.0,addr=SLOT}.
 *       {@code shpc=off}: no hot-plug controller, so slot 0 behind it is usable and the firmware
 *       reserves no I/O window for hot-plug.
 *   <li>{@code q35}: {@code -device pcie-pci-bridge,id=kvmount-brN,bus=pcie.0,addr=SLOT}, the
 *       bridge QEMU's docs/pcie.txt names for conventional PCI devices on a PCI Express machine;
 *       32 devices per slot of the root bus, where PCIe root ports would take one slot per 8.
 * </ul>
 *
 * <p>Devices behind a bridge get {@code disable-legacy=on} (modern virtio only, Linux 4.0 and
 * later): without an I/O BAR they need no share of the 64 KiB I/O space, which docs/pcie.txt says
 * allows only about 9 bridges with I/O devices. kvmount uses at most {@value #MAX_BRIDGES} bridges,
 * so at most {@value #MAX_SHARES} shares on either machine; more are refused. kvmount does not
 * print {@code -M}: the machine (and its other options) belong to the VM's own command line, and a
 * mismatch cannot pass unnoticed, because QEMU refuses to start when bus {@code pci.0} or {@code
 * pcie.0} does not exist.
 */
public final class Qemu implements Hypervisor {

  /** QEMU's 9p mount-tag limit in bytes. */
  public static final int MAX_9P_TAG_BYTES = 31;

  /** The virtio-fs tag limit in bytes (the device's config field). */
  public static final int MAX_VIRTIOFS_TAG_BYTES = 36;

  /** The most shares left on the root bus; more go behind bridges. */
  public static final int MAX_ROOT_BUS_SHARES = 16;

  /** Devices behind one bridge: its 32 slots, function 0 each. */
  public static final int DEVICES_PER_BRIDGE = 32;

  /** The most bridges kvmount adds. */
  public static final int MAX_BRIDGES = 8;

  /** The most shares kvmount places: {@link #MAX_BRIDGES} times {@link #DEVICES_PER_BRIDGE}. */
  public static final int MAX_SHARES = MAX_BRIDGES * DEVICES_PER_BRIDGE;

  @Override
  public String name() {
    return "qemu";
  }

  @Override
  public int maxTagBytes(Transport transport) {
    return transport == Transport.NINE_P ? MAX_9P_TAG_BYTES : MAX_VIRTIOFS_TAG_BYTES;
  }

  @Override
  public Arguments arguments(List<Share> shares, Transport transport, HypervisorOptions options)
      throws PlanException {
    if (shares.size() > MAX_SHARES) {
      throw new PlanException("hypervisor qemu: " + shares.size() + " host volumes are more than the " + MAX_SHARES
          + " shares kvmount places (" + MAX_BRIDGES + " PCI bridges of " + DEVICES_PER_BRIDGE
          + " devices); share fewer, larger host directories");
    }
    List<String> args = new ArrayList<>();
    boolean bridged = shares.size() > MAX_ROOT_BUS_SHARES;
    if (bridged) {
      int bridges = (shares.size() + DEVICES_PER_BRIDGE - 1) / DEVICES_PER_BRIDGE;
      for (int b = 1; b <= bridges; b++) {
        args.add("-device");
        args.add(bridge(options.qemuMachine(), b));
      }
    }
    if (transport == Transport.NINE_P) {
      for (int i = 0; i < shares.size(); i++) {
        Share s = shares.get(i);
        String id = "kvmount-" + s.tag();
        args.add("-fsdev");
        args.add("local,id=" + id + ",path=" + escapeOptionValue(s.source()) + ",security_model="
            + options.securityModel() + ",multidevs=remap" + (s.readOnly() ? ",readonly=on" : ""));
        args.add("-device");
        args.add("virtio-9p-pci,fsdev=" + id + ",mount_tag=" + escapeOptionValue(s.tag()) + placement(bridged, i));
      }
      return new Arguments(args, List.of(), List.of());
    }
    if (!shares.isEmpty()) {
      args.addAll(VirtiofsSetup.qemuMemoryArgs(options.guestMemory()));
    }
    for (int i = 0; i < shares.size(); i++) {
      Share s = shares.get(i);
      String id = "kvmount-" + s.tag();
      args.add("-chardev");
      args.add("socket,id=" + id + ",path=" + escapeOptionValue(options.socketPath(s.tag())));
      args.add("-device");
      args.add("vhost-user-fs-pci,chardev=" + id + ",tag=" + escapeOptionValue(s.tag()) + placement(bridged, i));
    }
    List<String> warnings = new ArrayList<>();
    if (!shares.isEmpty()) {
      warnings.add("qemu virtio-fs: start the VM with -m " + options.guestMemory()
          + " (the shared memory backend's size) and start the virtiofsd daemons first");
    }
    return new Arguments(args, Virtiofsd.daemons(shares, options), warnings, shares.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(VirtiofsSetup.of(shares, options, VirtiofsSetup.qemuMemoryArgs(options.guestMemory()))));
  }

  /** The {@code -device} value of bridge number {@code n} (1-based) on the machine. */
  private static String bridge(String machine, int n) {
    if (machine.equals("q35")) {
      return "pcie-pci-bridge,id=kvmount-br" + n + ",bus=pcie.0,addr=" + hex(0x1e - (n - 1));
    }
    return "pci-bridge,id=kvmount-br" + n + ",chassis_nr=" + n + ",shpc=off,bus=pci.0,addr=" + hex(0x1f - (n - 1));
  }

  /** The placement properties of the share at plan index {@code i}; none on the root bus. */
  private static String placement(boolean bridged, int i) {
    if (!bridged) {
      return "";
    }
    return ",bus=kvmount-br" + (i / DEVICES_PER_BRIDGE + 1) + ",addr=" + hex(i % DEVICES_PER_BRIDGE)
        + ",disable-legacy=on";
  }

  private static String hex(int slot) {
    return "0x" + Integer.toHexString(slot);
  }

  /**
   * Escapes a value for QEMU's {@code key=value,...} option syntax: every comma is doubled.
   *
   * @param value any text
   * @return the text with {@code ,} replaced by {@code ,,}
   */
  public static String escapeOptionValue(String value) {
    return value.replace(",", ",,");
  }

  /**
   * Above this many bytes of credential strings, SMBIOS 2.1's 65535-byte table (QEMU 7.2's default
   * entry point) may overflow: {@code -machine smbios-entry-point-type=64} is added.
   */
  static final int SMBIOS_21_BUDGET = 60000;

  /**
   * Adds {@code -smbios type=11,value=io.systemd.credential.binary:NAME=BASE64}: SMBIOS rather than
   * fw_cfg because the guest kernel reads it without a module ({@code CONFIG_DMI_SYSFS=y} in
   * Debian, where {@code qemu_fw_cfg} is a module), it needs no file on the host, and base64 needs
   * no comma escaping. A credential over {@link #SMBIOS_21_BUDGET} bytes also gets {@code -machine
   * smbios-entry-point-type=64} (SMBIOS 3.0, no 64 KiB table limit); one whose argument would
   * exceed {@link #MAX_ARGUMENT_BYTES} is refused.
   */
  @Override
  public Arguments withCredential(Arguments args, String name, byte[] value) throws PlanException {
    List<String> out = new ArrayList<>(args.args());
    List<String> warnings = new ArrayList<>(args.warnings());
    String cred = Hypervisor.smbiosCredential(name, value);
    String smbios = "type=11,value=" + cred;
    Hypervisor.checkArgumentLength(smbios, name, value, "-smbios");
    if (cred.length() > SMBIOS_21_BUDGET) {
      out.add("-machine");
      out.add("smbios-entry-point-type=64");
      warnings.add("qemu: the SMBIOS string carrying the " + name + " credential is " + cred.length() + " bytes, too"
          + " large for an SMBIOS 2.1 table; -machine smbios-entry-point-type=64 is added (merge it into the VM's own"
          + " -machine if needed)");
    }
    out.add("-smbios");
    out.add(smbios);
    return new Arguments(out, args.daemons(), warnings, args.virtiofs());
  }
}
