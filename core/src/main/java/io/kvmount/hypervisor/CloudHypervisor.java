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
 */
public final class CloudHypervisor implements Hypervisor {

  @Override
  public String name() {
    return "cloud-hypervisor";
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
    args.add("--memory");
    args.add("size=" + options.guestMemory() + ",shared=on");
    args.add("--fs");
    for (Share s : shares) {
      String socket = options.socketPath(s.tag());
      if (socket.indexOf(',') >= 0) {
        throw new PlanException(
            "volume \"" + s.volume() + "\": socket path \"" + socket + "\" contains a comma, which"
                + " cloud-hypervisor's --fs option cannot express; choose a runtime directory without commas");
      }
      args.add("tag=" + s.tag() + ",socket=" + socket + ",num_queues=1,queue_size=1024");
    }
    return new Arguments(args, Virtiofsd.daemons(shares, options), List.of());
  }
}
