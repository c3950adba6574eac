package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories and files get exactly their planned mode and owner whatever the process's umask
 * and whatever the parent passes on (a set-group-ID bit and group), also when the writer takes
 * its fast path (one {@code mkdir} with the final mode, confirmed once per starting point) and
 * writes in parallel (more than 64 directories and files at one depth).
 */
class ModeExactnessTest {

  @TempDir Path tmp;

  /**
   * 100 apps' worth of directories (parallel creation), unit files and file mount points of
   * single-file volumes, and odd modes.
   */
  static Plan plan() {
    List<PlannedFile> files = new ArrayList<>();
    List<PlannedDirectory> dirs = new ArrayList<>();
    List<String> fileMountPoints = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fileMountPoints.add("/opt/stage2/app-" + i + "/rootfs/etc/hosts");
      dirs.add(Fixtures.dir("/opt/stage2/app-" + i + "/rootfs/data", 0755, 0, 0, false));
      files.add(Fixtures.file("opt-app" + i + ".mount", Fixtures.unit("/opt/stage2/app-" + i + "/rootfs/data")));
      files.add(Fixtures.file("app-" + i + ".service.d/10-kvmount-volumes.conf", "[Unit]\nRequires=x.mount\n"));
    }
    dirs.add(Fixtures.dir("/mnt/scratch", 01777, 0, 0, true));
    dirs.add(Fixtures.dir("/mnt/private", 0750, 0, 0, true));
    dirs.add(Fixtures.dir("/mnt/shared", 02775, 0, 0, true));
    return Fixtures.plan(files, dirs, fileMountPoints);
  }

  private static int mode(Path p) throws Exception {
    return (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  private static long gid(Path p) throws Exception {
    return Integer.toUnsignedLong((Integer) Files.getAttribute(p, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  /** Every directory and file below the root has its planned (or parent default) mode and gid. */
  private static void assertExact(Path root, long gid) throws Exception {
    assertThat(mode(root.resolve("mnt/scratch"))).isEqualTo(01777);
    assertThat(mode(root.resolve("mnt/private"))).isEqualTo(0750);
    assertThat(mode(root.resolve("mnt/shared"))).isEqualTo(02775);
    List<Path> all;
    try (var s = Files.walk(root)) {
      all = s.filter(p -> !p.equals(root) && !p.startsWith(root.resolve(".kvmount"))).toList();
    }
    assertThat(all).hasSizeGreaterThan(700);
    for (int i = 0; i < 100; i++) {
      Path hosts = root.resolve("opt/stage2/app-" + i + "/rootfs/etc/hosts");
      assertThat(Files.isRegularFile(hosts, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("%s", hosts).isTrue();
      assertThat(Files.size(hosts)).as("%s", hosts).isZero();
    }
    for (Path p : all) {
      String rel = root.relativize(p).toString();
      if (Files.isDirectory(p)) {
        if (!rel.startsWith("mnt/")) {
          assertThat(mode(p)).as("mode of %s", rel).isEqualTo(0755);
        }
      } else {
        assertThat(mode(p)).as("mode of %s", rel).isEqualTo(0644);
      }
      if (Files.isDirectory(p) || p.getFileName().toString().equals("hosts")) {
        assertThat(gid(p)).as("group of %s", rel).isEqualTo(gid);
      }
    }
  }

  @Test
  void restrictiveUmask_modesStillExact() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/sh")));
    Path root = Files.createDirectory(tmp.resolve("root"));
    String cp =
        Path.of(PlanWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + File.pathSeparator
            + Path.of(ApplyModesMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (String umask : List.of("077", "022", "000")) {
      Process p =
          new ProcessBuilder("/bin/sh", "-c", "umask " + umask + " && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                  java, cp, ApplyModesMain.class.getName(), root.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as("umask %s", umask).isEqualTo("OK");
      assertExact(root, 0);
      Fixtures.deleteTree(root);
      Files.createDirectory(root);
    }
  }

  @Test
  void setGroupIdParent_newDirectoriesGetThePlannedGroupWithoutTheBit() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("root"));
    assumeTrue(Fixtures.isRoot(tmp), "needs root to give the stage1 rootfs another group");
    Files.setAttribute(root, "unix:gid", 4242);
    Files.setAttribute(root, "unix:mode", 02775);
    PlanWriter.apply(plan(), root);
    assertExact(root, 0);
    assertThat(PlanWriter.apply(plan(), root).nothingChanged()).isTrue();
  }
}
