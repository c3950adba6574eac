package io.kvmount.hypervisor;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU. Over virtio-9p, per share: {@code -fsdev local,id=ID,path=SOURCE,security_model=M[,readonly=on]}
 * and {@code -device virtio-9p-pci,fsdev=ID,mount_tag=TAG} (tags up to 31 bytes). Over virtio-fs:
 * once {@code -object memory-backend-memfd,id=kvmount-mem,size=MEM,share=on} and {@code -numa
 * node,memdev=kvmount-mem}, then per share {@code -chardev socket,id=ID,path=SOCKET} and {@code
 * -device vhost-user-fs-pci,chardev=ID,tag=TAG} (tags up to 36 bytes), with a virtiofsd per share.
 * Option values have their commas doubled, as QEMU's option parser requires ({@code
 * path=/data/a,,b}).
 */
public final class Qemu implements Hypervisor {

  /** QEMU's 9p mount-tag limit in bytes. */
  public static final int MAX_9P_TAG_BYTES = 31;

  /** The virtio-fs tag limit in bytes (the device's config field). */
  public static final int MAX_VIRTIOFS_TAG_BYTES = 36;

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
    List<String> args = new ArrayList<>();
    if (transport == Transport.NINE_P) {
      for (Share s : shares) {
        String id = "kvmount-" + s.tag();
        args.add("-fsdev");
        args.add("local,id=" + id + ",path=" + escapeOptionValue(s.source()) + ",security_model="
            + options.securityModel() + (s.readOnly() ? ",readonly=on" : ""));
        args.add("-device");
        args.add("virtio-9p-pci,fsdev=" + id + ",mount_tag=" + escapeOptionValue(s.tag()));
      }
      return new Arguments(args, List.of(), List.of());
    }
    if (!shares.isEmpty()) {
      args.add("-object");
      args.add("memory-backend-memfd,id=kvmount-mem,size=" + options.guestMemory() + ",share=on");
      args.add("-numa");
      args.add("node,memdev=kvmount-mem");
    }
    for (Share s : shares) {
      String id = "kvmount-" + s.tag();
      args.add("-chardev");
      args.add("socket,id=" + id + ",path=" + escapeOptionValue(options.socketPath(s.tag())));
      args.add("-device");
      args.add("vhost-user-fs-pci,chardev=" + id + ",tag=" + escapeOptionValue(s.tag()));
    }
    List<String> warnings = new ArrayList<>();
    if (!shares.isEmpty()) {
      warnings.add("qemu virtio-fs: start the VM with -m " + options.guestMemory()
          + " (the shared memory backend's size) and start the virtiofsd daemons first");
    }
    return new Arguments(args, Virtiofsd.daemons(shares, options), warnings);
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
}
