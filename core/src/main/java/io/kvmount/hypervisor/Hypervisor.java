package io.kvmount.hypervisor;

import io.kvmount.plan.PlanException;
import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import java.util.List;

/**
 * One hypervisor backend: its name, which transports it supports, its mount-tag limit, and how it
 * is told to share host directories. Each backend is one small class; adding one means adding a
 * class and listing it in {@link Hypervisors}.
 */
public interface Hypervisor {

  /**
   * Returns the name used on the command line ({@code qemu}, {@code lkvm}, ...).
   *
   * @return the backend's name
   */
  String name();

  /**
   * Returns the longest mount tag the backend accepts for a transport, in UTF-8 bytes.
   *
   * @param transport the transport
   * @return the limit in bytes
   * @throws PlanException if the backend cannot use the transport (the message says why and what
   *     to use instead)
   */
  int maxTagBytes(Transport transport) throws PlanException;

  /**
   * Returns the transport used when none is chosen: the one the backend has, or {@code 9p} where
   * it has both (kvmount's default since it began).
   *
   * @return {@link Transport#NINE_P}, unless the backend has no virtio-9p device
   */
  default Transport defaultTransport() {
    return Transport.NINE_P;
  }

  /**
   * Builds the arguments that share the given host volumes.
   *
   * @param shares the shares, in plan order
   * @param transport the transport ({@link #maxTagBytes} accepted it)
   * @param options backend options
   * @return argv elements for the hypervisor, daemon command lines and warnings
   * @throws PlanException if a share cannot be expressed (a comma in a kvmtool path), or there are
   *     more shares than the backend can attach (each backend's class names its limit)
   */
  Arguments arguments(List<Share> shares, Transport transport, HypervisorOptions options) throws PlanException;

  /**
   * Adds a systemd credential to the arguments, for a guest that reads its mounts from {@code
   * fstab.extra} ({@code --emit credentials}). The guest's systemd (252 and newer) imports it at
   * boot as {@code /run/credentials/@system/NAME}.
   *
   * @param args the arguments {@link #arguments} built
   * @param name the credential's name ({@code fstab.extra})
   * @param value the credential's bytes
   * @return the arguments with the credential added
   * @throws PlanException if the backend has no way to hand a credential to the guest (the default:
   *     no SMBIOS and no fw_cfg); the message says to use {@code --emit cmdline}
   */
  default Arguments withCredential(Arguments args, String name, byte[] value) throws PlanException {
    throw new PlanException("hypervisor " + name() + " cannot hand the guest a systemd credential (it has neither"
        + " SMBIOS nor QEMU's fw_cfg); use --emit cmdline, which puts the mounts on the kernel command line");
  }

  /**
   * The SMBIOS type 11 string that carries a systemd credential: {@code
   * io.systemd.credential.binary:NAME=BASE64} (systemd 252 and newer read it; base64 has no comma,
   * so QEMU's option parser needs no escaping).
   *
   * @param name the credential's name
   * @param value its bytes
   * @return the string
   */
  static String smbiosCredential(String name, byte[] value) {
    return "io.systemd.credential.binary:" + name + "=" + java.util.Base64.getEncoder().encodeToString(value);
  }

  /**
   * Longest single argument Linux passes to a program, in bytes without the terminating NUL
   * ({@code MAX_ARG_STRLEN}, 32 pages of 4 KiB, less one): a longer one makes {@code execve} fail
   * with "Argument list too long".
   */
  int MAX_ARGUMENT_BYTES = 131071;

  /**
   * Refuses an argument that carries a credential and is longer than {@link #MAX_ARGUMENT_BYTES}.
   *
   * @param argument the argument as it will be passed
   * @param name the credential's name
   * @param value the credential's bytes
   * @param hypervisor the backend's name
   * @throws PlanException if the argument is too long (the message gives both sizes)
   */
  static void checkArgumentLength(String argument, String name, byte[] value, String hypervisor) throws PlanException {
    int bytes = argument.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > MAX_ARGUMENT_BYTES) {
      throw new PlanException("the " + name + " credential (" + value.length + " bytes, " + bytes + " in base64 in its "
          + hypervisor + " argument) does not fit one program argument, which Linux limits to " + MAX_ARGUMENT_BYTES
          + " bytes; the pod has too many mounts for one credential: split it into several pods");
    }
  }
}
