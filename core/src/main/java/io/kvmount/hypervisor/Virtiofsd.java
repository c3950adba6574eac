package io.kvmount.hypervisor;

import io.kvmount.plan.Share;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for virtiofsd (the Rust vhost-user virtio-fs daemon), one per shared volume:
 * {@code virtiofsd --socket-path=<runtimeDir>/<tag>.sock --shared-dir=<source> --sandbox=<mode>
 * --cache=<policy> --announce-submounts [--readonly]}. Each value is its own argv element, so
 * sources need no escaping. Needs virtiofsd 1.13.0 or newer ({@code --readonly}); Debian 13 ships
 * 1.13.2, which the VM suite runs. Options follow virtiofsd 1.13.2's {@code --help}.
 *
 * <p>Why these defaults (measured in a booted guest, {@code e2e/bench/run-virtiofs-bench.sh},
 * BENCHMARKS.md "virtio-fs and 9p in the guest"; correctness first):
 *
 * <ul>
 *   <li>{@code --cache=auto} (the {@code --virtiofsd-cache} default). {@code always} lets the
 *       guest keep file data and attributes for a day: in the benchmark's coherence probe a file
 *       changed on the host was still read with its old content 3 s later, so a writable shared
 *       volume would silently diverge; and it gained nothing clear over {@code auto} on small
 *       files (2.05x to 2.41x of 9p's rate, {@code auto} 2.15x to 3.05x). {@code never} is
 *       coherent at once but slower with small files: creating, reading and re-reading 2,000
 *       files ran at 1.36x to 1.79x of 9p against {@code auto}'s 2.15x to 3.05x; it was faster
 *       for 64 MiB sequential reads and writes (15.3x and 3.8x against 3.9x and 2.6x, with wide
 *       spreads); a pod that streams large files and needs no coherence can choose it. {@code auto}
 *       revalidates after 1 s: the probe read the new content 1.5 s after the change (right
 *       after it, a read saw the new data cut to the old size). Choose {@code never} where the
 *       host and the guest write the same files at once. All figures: TCG, one boot, two rounds,
 *       a heavily loaded machine; medians of per-round ratios to kvmount's 9p.
 *   <li>{@code --announce-submounts}, explicitly, although it is virtiofsd's default since 1.6.0:
 *       the printed line then says what the guest gets whatever a build's defaults are. Without
 *       it the guest gets one superblock in which host inode numbers of different filesystems can
 *       collide and a syncfs misses the submounts. With it, a mount
 *       below a source is its own superblock in the guest (the VM suite checks a tmpfs's {@code
 *       st_dev}). virtiofsd cannot hide submounts (its sandbox bind-mounts the source
 *       recursively), so a volume's mounts below its source are always shared.
 *   <li>{@code --readonly} for a read-only share: the daemon refuses writes, so a guest that
 *       remounts the share {@code rw} still cannot write (checked in the VM suite). It does not
 *       make the host mount read-only (atime may still change).
 * </ul>
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
