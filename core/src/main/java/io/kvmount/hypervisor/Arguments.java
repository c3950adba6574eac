package io.kvmount.hypervisor;

import java.util.List;

/**
 * What a backend needs to share the pod's host volumes.
 *
 * @param args argv elements to append to the hypervisor's command line, one element each (never a
 *     string to split)
 * @param daemons command lines (argv) of helper daemons to start first, such as virtiofsd; empty
 *     for 9p
 * @param warnings one line each, for anything the backend cannot enforce
 */
public record Arguments(List<String> args, List<List<String>> daemons, List<String> warnings) {
  /**
   * Copies the lists.
   *
   * @param args argv elements to append to the hypervisor's command line, one element each (never a string to split)
   * @param daemons command lines (argv) of helper daemons to start first, such as virtiofsd; empty for 9p
   * @param warnings one line each, for anything the backend cannot enforce
   */
  public Arguments {
    args = List.copyOf(args);
    daemons = daemons.stream().map(List::copyOf).toList();
    warnings = List.copyOf(warnings);
  }
}
