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
}
