package io.kvmount.apply;

import io.kvmount.error.InvalidInputException;
import io.kvmount.plan.PlannedHostMountPoint;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the mount points an OCI pod needs on the host, inside a bundle's rootfs or a bind source
 * ({@link PlannedHostMountPoint}): each missing directory ({@code 0755}) and a missing file mount
 * point (an empty {@code 0644} file), component by component, never through a symlink. What exists
 * is left as it is. The only writes kvmount makes outside the stage1 rootfs and the pod share;
 * they stay after {@code release}, as runc leaves the mount points it creates.
 */
public final class HostMountPoints {

  private HostMountPoints() {}

  /**
   * Lists the host paths {@link #create} would create, reading only.
   *
   * @param points the planned mount points
   * @return every missing component, parents first, as host paths
   * @throws InvalidInputException if a component is a symlink or of the wrong kind (the tree
   *     changed since planning)
   * @throws IOException if the host cannot be read
   */
  public static List<String> missing(List<PlannedHostMountPoint> points) throws InvalidInputException, IOException {
    return walk(points, false);
  }

  /**
   * Creates the missing components of every planned mount point.
   *
   * @param points the planned mount points
   * @return the host paths created, parents first
   * @throws InvalidInputException if a component is a symlink or of the wrong kind (the tree
   *     changed since planning); nothing further is created then
   * @throws IOException if a path cannot be created
   */
  public static List<String> create(List<PlannedHostMountPoint> points) throws InvalidInputException, IOException {
    return walk(points, true);
  }

  private static List<String> walk(List<PlannedHostMountPoint> points, boolean create)
      throws InvalidInputException, IOException {
    List<String> out = new ArrayList<>();
    for (PlannedHostMountPoint p : points) {
      Path cur = Path.of(p.root());
      List<String> comps = p.path().components();
      boolean missingBelow = false;
      for (int i = 0; i < comps.size(); i++) {
        cur = cur.resolve(comps.get(i));
        boolean last = i == comps.size() - 1;
        boolean wantFile = last && p.file();
        if (!missingBelow) {
          BasicFileAttributes a = null;
          try {
            a = Files.readAttributes(cur, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          } catch (NoSuchFileException e) {
            missingBelow = true;
          }
          if (a != null) {
            boolean ok = wantFile ? a.isRegularFile() : a.isDirectory();
            if (!ok) {
              throw new InvalidInputException(p.origin() + ": mount point " + p.hostPath() + ": " + cur + " is "
                  + (a.isSymbolicLink() ? "a symlink" : a.isDirectory() ? "a directory" : "not a directory")
                  + " now, not what was planned (it changed since planning); run generate again");
            }
            continue;
          }
        }
        out.add(cur.toString());
        if (create) {
          try {
            if (wantFile) {
              Files.createFile(cur);
              Files.setPosixFilePermissions(cur, PosixFilePermissions.fromString("rw-r--r--"));
            } else {
              Files.createDirectory(cur);
              Files.setPosixFilePermissions(cur, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
          } catch (FileAlreadyExistsException e) {
            throw new InvalidInputException(p.origin() + ": mount point " + p.hostPath() + ": " + cur
                + " appeared while kvmount created it; run generate again", e);
          }
        }
      }
    }
    return out;
  }
}
