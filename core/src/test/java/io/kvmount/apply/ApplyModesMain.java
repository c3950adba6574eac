package io.kvmount.apply;

import java.nio.file.Path;

/**
 * Test helper run in a forked JVM by {@link ModeExactnessTest} under a restrictive umask: applies
 * {@link ModeExactnessTest#plan()} and prints the error message if it fails.
 */
public final class ApplyModesMain {

  private ApplyModesMain() {}

  /**
   * Applies the plan; exit status 0 on success, 1 with the message on standard output otherwise.
   *
   * @param args the stage1 rootfs
   */
  public static void main(String[] args) {
    try {
      PlanWriter.apply(ModeExactnessTest.plan(), Path.of(args[0]));
      System.out.println("OK");
    } catch (Exception e) {
      System.out.println(e.getMessage());
      System.exit(1);
    }
  }
}
