package io.kvmount.hypervisor;

import java.util.List;
import java.util.Optional;

/**
 * What a backend needs to share the pod's host volumes.
 *
 * @param args argv elements to append to the hypervisor's command line, one element each (never a
 *     string to split)
 * @param daemons command lines (argv) of helper daemons to start first, such as virtiofsd; empty
 *     for 9p
 * @param warnings one line each, for anything the backend cannot enforce
 * @param virtiofs for virtio-fs with at least one share: the shared memory and the daemons' sockets;
 *     empty otherwise
 */
public record Arguments(
    List<String> args, List<List<String>> daemons, List<String> warnings, Optional<VirtiofsSetup> virtiofs) {
  /**
   * Copies the lists.
   *
   * @param args argv elements to append to the hypervisor's command line, one element each (never a string to split)
   * @param daemons command lines (argv) of helper daemons to start first, such as virtiofsd; empty for 9p
   * @param warnings one line each, for anything the backend cannot enforce
   * @param virtiofs for virtio-fs with at least one share: the shared memory and the daemons' sockets
   */
  public Arguments {
    args = List.copyOf(args);
    daemons = daemons.stream().map(List::copyOf).toList();
    warnings = List.copyOf(warnings);
  }

  /**
   * Arguments without a virtio-fs setup (9p, or no shares).
   *
   * @param args argv elements to append to the hypervisor's command line
   * @param daemons command lines (argv) of helper daemons to start first
   * @param warnings one line each, for anything the backend cannot enforce
   */
  public Arguments(List<String> args, List<List<String>> daemons, List<String> warnings) {
    this(args, daemons, warnings, Optional.empty());
  }
}
