package io.kvmount.apply;

import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import java.util.ArrayList;
import java.util.List;

/**
 * Large deterministic plans for the crash test: {@code n} mount units, {@code n / 2} volume
 * directories and as many mount points, {@code n / 4} file mount points of single-file volumes,
 * and drop-ins. Variant 1 overlaps variant 0: a quarter of variant 0's files are gone, a third of
 * the common ones changed content, the rest are new; the same holds for drop-in directories,
 * volume directories and file mount points, so that going from 0 to 1 writes, keeps, removes and
 * creates.
 */
final class CrashPlans {

  private CrashPlans() {}

  /**
   * Builds a plan.
   *
   * @param variant 0 or 1
   * @param n number of mount units (and volume directories)
   * @param uid owner for odd volume directories (the test's own uid unless it runs as root)
   * @param gid group for odd volume directories
   */
  static Plan big(int variant, int n, long uid, long gid) {
    int from = variant == 0 ? 0 : n / 4;
    List<PlannedFile> files = new ArrayList<>();
    List<PlannedDirectory> dirs = new ArrayList<>();
    List<String> fileMountPoints = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      if (i % 4 == 2) {
        // A single-file volume's mount point; its parent planned as the planner does.
        String etc = "/opt/stage2/app" + (i % 7) + "/rootfs/etc";
        dirs.add(new PlannedDirectory(GuestPath.parse(etc), new FileMode(0755), 0, 0, false));
        fileMountPoints.add(etc + "/f" + i);
      }
      String content = Fixtures.unit("/mnt/vol" + i);
      if (variant == 1 && i % 3 == 0) {
        content += "# changed in variant 1\n";
      }
      files.add(new PlannedFile(RelativePath.of("mnt-vol" + i + ".mount"), content));
      if (i % 4 != 0 && i % 4 != 1) {
        continue; // a directory for every other pair of units keeps the test fast
      }
      boolean even = i % 2 == 0;
      dirs.add(
          new PlannedDirectory(
              GuestPath.parse("/mnt/vol" + i),
              new FileMode(even ? (variant == 0 ? 0755 : 0750) : 01777),
              even ? 0 : uid,
              even ? 0 : gid,
              even));
      // Mount points in app rootfs: created only when missing, with nested parents.
      dirs.add(
          new PlannedDirectory(
              GuestPath.parse("/opt/stage2/app" + (i % 7) + "/rootfs/data/v" + i),
              new FileMode(0700),
              0,
              0,
              false));
    }
    int apps = Math.max(2, n / 50);
    int appFrom = variant == 0 ? 0 : apps / 2;
    for (int a = appFrom; a < appFrom + apps; a++) {
      files.add(
          new PlannedFile(
              RelativePath.parse("app" + a + ".service.d/10-kvmount-volumes.conf"),
              "[Unit]\nRequires=mnt-vol"
                  + a
                  + ".mount\nAfter=mnt-vol"
                  + a
                  + ".mount\n"
                  + (variant == 1 ? "# variant 1\n" : "")));
    }
    return Fixtures.plan(files, dirs, fileMountPoints);
  }
}
