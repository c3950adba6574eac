package io.kvmount.hypervisor;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * kvmtool ({@code lkvm}) over virtio-9p: per share {@code --9p=SOURCE,TAG}. kvmtool splits that
 * value at its first comma and has no escape for one, so a source containing a comma is refused.
 * Tags may be up to 32 bytes. kvmtool has no read-only 9p device: read-only volumes are mounted
 * {@code ro} in the guest and a warning says the device itself stays writable.
 *
 * <p>kvmtool puts every device on its single PCI bus, numbered in registration order, and that
 * bus's configuration addresses have 5-bit device numbers: 32 devices in all, its own (root share,
 * disks, network, console, RNG, balloon, framebuffer) included. kvmount keeps 8 of them for those
 * and refuses more than {@value #MAX_SHARES} shares; {@code --hypervisor qemu} takes up to {@value
 * Qemu#MAX_SHARES}.
 */
public final class Kvmtool implements Hypervisor {

  /** The most shares: kvmtool's 32 PCI device numbers less 8 kept for its own devices. */
  public static final int MAX_SHARES = 24;

  /** kvmtool's 9p mount-tag limit in bytes. */
  public static final int MAX_9P_TAG_BYTES = 32;

  @Override
  public String name() {
    return "lkvm";
  }

  @Override
  public int maxTagBytes(Transport transport) throws PlanException {
    if (transport != Transport.NINE_P) {
      throw new PlanException(
          "hypervisor lkvm: kvmtool has no virtio-fs device; use --transport 9p, or --hypervisor qemu or"
              + " cloud-hypervisor for virtio-fs");
    }
    return MAX_9P_TAG_BYTES;
  }

  @Override
  public Arguments arguments(List<Share> shares, Transport transport, HypervisorOptions options)
      throws PlanException {
    maxTagBytes(transport);
    if (shares.size() > MAX_SHARES) {
      throw new PlanException("hypervisor lkvm: " + shares.size() + " host volumes are more than the " + MAX_SHARES
          + " kvmtool can attach (one PCI bus of 32 devices, 8 kept for its own); use --hypervisor qemu (up to "
          + Qemu.MAX_SHARES + ")");
    }
    List<String> args = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (Share s : shares) {
      if (s.source().indexOf(',') >= 0) {
        throw new PlanException(
            "volume \"" + s.volume() + "\": host source \"" + s.source() + "\" contains a comma, which kvmtool's"
                + " --9p=<dir>,<tag> cannot express (it splits at the first comma); use --hypervisor qemu or a"
                + " path without commas");
      }
      args.add("--9p=" + s.source() + "," + s.tag());
      if (s.readOnly()) {
        warnings.add(
            "volume \"" + s.volume() + "\": kvmtool cannot share read-only; the guest mounts it read-only, but"
                + " the device stays writable");
      }
    }
    return new Arguments(args, List.of(), warnings);
  }
}
