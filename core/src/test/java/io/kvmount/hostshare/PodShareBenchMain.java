package io.kvmount.hostshare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark driver ({@code bench/hostshare-vs-shell.sh}): sets up a pod share of {@code N}
 * directory binds under {@code BASE} (every second one read-only, none recursive, as the shell
 * loop it is compared with) and releases it again. Prints the setup and release times in
 * milliseconds to stderr.
 */
public final class PodShareBenchMain {

  private PodShareBenchMain() {}

  /**
   * Runs one setup and release.
   *
   * @param args {@code BASE N}: BASE holds {@code src/0} .. {@code src/N-1}
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    Path base = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    List<HostBind> binds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path src = base.resolve("src").resolve(Integer.toString(i));
      Files.createDirectories(src);
      binds.add(new HostBind("v" + i, "v" + i, src, false, i % 2 == 1, false));
    }
    ShareSpec spec = new ShareSpec(base.resolve("share"), binds);
    long t0 = System.nanoTime();
    PodShare.apply(PodShare.analyse(spec, List.of()));
    long t1 = System.nanoTime();
    PodShare.release(spec.shareDir());
    long t2 = System.nanoTime();
    System.err.printf("setup %d ms, release %d ms%n", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
  }
}
