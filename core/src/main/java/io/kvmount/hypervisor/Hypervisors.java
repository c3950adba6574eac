package io.kvmount.hypervisor;

import io.kvmount.plan.PlanException;
import java.util.List;

/** The known backends, by name. */
public final class Hypervisors {
  private static final List<Hypervisor> ALL = List.of(new Qemu(), new Kvmtool(), new CloudHypervisor(), new Firecracker());

  private Hypervisors() {}

  /**
   * Returns the names of all backends, in a fixed order.
   *
   * @return backend names
   */
  public static List<String> names() {
    return ALL.stream().map(Hypervisor::name).toList();
  }

  /**
   * Finds a backend by name.
   *
   * @param name {@code qemu}, {@code lkvm}, ...
   * @return the backend
   * @throws PlanException for an unknown name, listing the known ones
   */
  public static Hypervisor byName(String name) throws PlanException {
    for (Hypervisor h : ALL) {
      if (h.name().equals(name)) {
        return h;
      }
    }
    throw new PlanException("unknown hypervisor \"" + name + "\" (known: " + String.join(", ", names()) + ")");
  }
}
