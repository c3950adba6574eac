package io.kvmount.apply;

import java.nio.file.Path;
import java.util.List;

/**
 * Test helper run in a forked JVM by {@link NonRootTest} under another user id: applies a plan with
 * one root-owned volume directory and prints the error message, as the command line would.
 */
public final class ApplyOnceMain {

  private ApplyOnceMain() {}

  /**
   * Applies the plan; exit status 0 on success, 1 with the message on standard output otherwise.
   *
   * @param args the stage1 rootfs
   */
  public static void main(String[] args) {
    try {
      PlanWriter.apply(
          Fixtures.plan(List.of(), List.of(Fixtures.dir("/mnt/vol", 0755, 0, 0, true))),
          Path.of(args[0]));
      System.out.println("OK");
    } catch (Exception e) {
      System.out.println(e.getMessage());
      System.exit(1);
    }
  }
}
