package io.kvmount.apply;

import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Planner;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test helper run in a forked JVM by {@link CopyCrashTest}: plans the {@link DockerImage} pod
 * against a stage1 rootfs and applies it (copying the image's directories into volumes), to be
 * killed with SIGKILL somewhere in the middle. Prints {@code READY} just before applying and {@code
 * DONE} after.
 *
 * <p>Argument: the stage1 rootfs.
 */
public final class CopyApplyMain {

  private CopyApplyMain() {}

  /**
   * Plans and applies once.
   *
   * @param args the stage1 rootfs
   * @throws Exception on any failure (the test sees a non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    Path stage1 = Path.of(args[0]);
    var plan = Planner.plan(DockerImage.pod(), Map.of("db", DockerImage.image()), PlanOptions.defaults(),
        new NioGuestFs(stage1));
    System.out.println("READY");
    System.out.flush();
    PlanWriter.apply(plan, stage1);
    System.out.println("DONE");
    System.out.flush();
  }
}
