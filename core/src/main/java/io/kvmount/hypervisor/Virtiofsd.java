package io.kvmount.hypervisor;

import io.kvmount.plan.Share;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for virtiofsd (the Rust vhost-user virtio-fs daemon), one per shared volume:
 * {@code virtiofsd --socket-path=<runtimeDir>/<tag>.sock --shared-dir=<source> --sandbox=<mode>
 * --cache=<policy> [--readonly]}. Each value is its own argv element, so sources need no escaping.
 */
final class Virtiofsd {
  private Virtiofsd() {}

  /**
   * Builds the daemon command lines.
   *
   * @param shares the shares
   * @param o the options (program, runtime directory, sandbox, cache)
   * @return one argv per share, in share order
   */
  static List<List<String>> daemons(List<Share> shares, HypervisorOptions o) {
    List<List<String>> out = new ArrayList<>();
    for (Share s : shares) {
      List<String> argv = new ArrayList<>();
      argv.add(o.virtiofsd());
      argv.add("--socket-path=" + o.socketPath(s.tag()));
      argv.add("--shared-dir=" + s.source());
      argv.add("--sandbox=" + o.virtiofsdSandbox());
      argv.add("--cache=" + o.virtiofsdCache());
      argv.add("--announce-submounts");
      if (s.readOnly()) {
        argv.add("--readonly");
      }
      out.add(argv);
    }
    return out;
  }
}
