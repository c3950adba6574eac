package io.kvmount.hostshare;

import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link PodShareCrashTest}: {@code apply BASE VARIANT} sets up the share {@link
 * #spec} gives, {@code release BASE} releases it; both print {@code STEPS n} at the end; {@code
 * verify BASE VARIANT} prints each finding of {@link PodShare#verify} on a line. Run
 * with {@code -Dkvmount.hostshare.crashAt=N} to die by SIGKILL after step N.
 */
public final class PodShareCrashMain {

  private PodShareCrashMain() {}

  /** The share directory of a trial's base directory. */
  static Path shareDir(Path base) {
    return base.resolve("share");
  }

  /**
   * The two specs the crash test moves between: every kind of bind (directory and file,
   * read-only and read-write, recursive and not), and a second one that keeps some, drops some and
   * adds others.
   */
  static ShareSpec spec(Path base, int variant) {
    Path a = base.resolve("src-a");
    Path b = base.resolve("src-b");
    Path f = base.resolve("file-c");
    Path g = base.resolve("file-d");
    List<HostBind> binds =
        variant == 0
            ? List.of(
                new HostBind("a", "a", a, false, false, true),
                new HostBind("b", "b", b, false, true, true),
                new HostBind("c", "c", f, true, true, true),
                new HostBind("d", "d", g, true, false, true),
                new HostBind("e", "e", a, false, true, false))
            : List.of(
                new HostBind("b", "b", b, false, true, true),
                new HostBind("c", "c", f, true, true, true),
                new HostBind("f", "f", b, false, false, false),
                new HostBind("g", "g", a, false, true, true));
    return new ShareSpec(shareDir(base), binds);
  }

  /**
   * Runs one operation.
   *
   * @param args {@code apply BASE VARIANT}, {@code release BASE} or {@code verify BASE VARIANT}
   * @throws Exception when it fails (the exit status is then not 0)
   */
  public static void main(String[] args) throws Exception {
    Path base = Path.of(args[1]);
    if (args[0].equals("verify")) {
      PodShare.verify(spec(base, Integer.parseInt(args[2]))).forEach(System.out::println);
      return;
    }
    if (args[0].equals("apply")) {
      PodShare.apply(PodShare.analyse(spec(base, Integer.parseInt(args[2])), List.of()));
    } else {
      PodShare.release(shareDir(base));
    }
    System.out.println("STEPS " + CrashPoint.steps());
  }
}
