package io.kvmount.hypervisor;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import java.util.List;

/**
 * Firecracker: it has no shared-filesystem device (neither virtio-9p nor virtio-fs), so a pod with
 * host volumes is refused with the reason and what to do instead. A pod with only empty volumes
 * needs no arguments and is accepted.
 */
public final class Firecracker implements Hypervisor {

  @Override
  public String name() {
    return "firecracker";
  }

  @Override
  public int maxTagBytes(Transport transport) {
    return Qemu.MAX_VIRTIOFS_TAG_BYTES;
  }

  @Override
  public Arguments arguments(List<Share> shares, Transport transport, HypervisorOptions options)
      throws PlanException {
    if (!shares.isEmpty()) {
      throw new PlanException(
          "hypervisor firecracker: it cannot share host directories (no virtio-9p or virtio-fs device), so host"
              + " volume \"" + shares.get(0).volume() + "\" cannot be given to the guest; copy its data into a"
              + " block-device image and attach it as a drive, or use --hypervisor qemu or cloud-hypervisor");
    }
    return new Arguments(List.of(), List.of(), List.of());
  }
}
