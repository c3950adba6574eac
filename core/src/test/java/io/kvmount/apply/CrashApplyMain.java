package io.kvmount.apply;

/**
 * Test helper run in a forked JVM by {@link CrashTest}: applies a {@link CrashPlans} plan and is
 * killed with SIGKILL somewhere in the middle. Prints {@code READY} just before applying and {@code
 * DONE} after.
 *
 * <p>Arguments: stage1 rootfs, variant, number of units, uid, gid.
 */
public final class CrashApplyMain {

  private CrashApplyMain() {}

  /**
   * Runs one apply.
   *
   * @param args stage1 rootfs, variant, n, uid, gid
   * @throws Exception on any failure (the test sees a non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    var plan =
        CrashPlans.big(
            Integer.parseInt(args[1]),
            Integer.parseInt(args[2]),
            Long.parseLong(args[3]),
            Long.parseLong(args[4]));
    System.out.println("READY");
    System.out.flush();
    PlanWriter.apply(plan, java.nio.file.Path.of(args[0]));
    System.out.println("DONE");
    System.out.flush();
  }
}
