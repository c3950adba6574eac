package io.kvmount.apply;

import io.kvmount.error.IoErrors;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs.Kind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The staging directory of a run ({@code <units dir>/.kvmount-staging-<random>/}, on the same file
 * system as the units, so that a staged file is renamed into place atomically): its name, its
 * creation and removal, and the clean-up of the ones and of the temporary state file an
 * interrupted run left; also of the staging directories of copies ({@link ImageCopier}), which lie
 * beside their volume directories.
 *
 * <p>Stateless and thread-safe; callers hold the lock.
 */
final class StagingDirectory {

  private StagingDirectory() {}

  /**
   * A new, random staging directory path.
   *
   * @param unitsDir the units directory, relative to the stage1 rootfs
   * @return {@code <unitsDir>/.kvmount-staging-<16 hex digits>}
   */
  static GuestPath newPath(GuestPath unitsDir) {
    return unitsDir.resolve(RandomNames.withPrefix(PlanWriter.STAGING_PREFIX));
  }

  /** Creates the staging directory, owner-only, failing if it exists. */
  static void create(Path root, GuestPath s) throws IOException {
    try {
      Files.createDirectory(
          root.resolve(s.relativeString()),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("create staging directory", s.relativeString(), root, e);
    }
  }

  /**
   * Removes the files in a staging directory and the directory; refuses one that holds a
   * directory (kvmount never makes one there).
   */
  static void remove(Path root, GuestPath s) throws IOException {
    Path dir = root.resolve(s.relativeString());
    try {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path e : ds) {
          if (NioGuestFs.lstat(e) == Kind.DIRECTORY) {
            throw new IOException("it contains a directory \"" + e.getFileName() + "\"");
          }
          Files.delete(e);
        }
      }
      Files.delete(dir);
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("remove staging directory", s.relativeString(), root, e);
    }
  }

  /**
   * Removes the temporary state file and the staging directories an interrupted run left: those
   * the state names and any {@code .kvmount-staging-*} in the units directory. Under the lock.
   *
   * @param root the stage1 rootfs
   * @param unitsDir the units directory, relative to the stage1 rootfs
   * @param old the state read under the lock
   */
  static void cleanUpInterruptedRun(Path root, GuestPath unitsDir, StateFile old) throws IOException {
    Path tmp = root.resolve(PlanWriter.META_DIR).resolve("state.tmp");
    if (NioGuestFs.lstat(tmp) == Kind.FILE) {
      try {
        Files.delete(tmp);
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("remove", PlanWriter.META_DIR + "/state.tmp", root, e);
      }
    }
    Set<GuestPath> candidates = new LinkedHashSet<>(old.staging());
    if (realDirs(root, unitsDir)) {
      try (DirectoryStream<Path> ds =
          Files.newDirectoryStream(root.resolve(unitsDir.relativeString()), PlanWriter.STAGING_PREFIX + "*")) {
        for (Path e : ds) {
          candidates.add(unitsDir.resolve(e.getFileName().toString()));
        }
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("list", unitsDir.relativeString(), root, e);
      }
    }
    for (GuestPath s : candidates) {
      if (s.fileName().startsWith(PlanWriter.STAGING_PREFIX) && realDirs(root, s)) {
        if (s.parent().equals(unitsDir)) {
          remove(root, s);
        } else {
          removeTree(root, s); // a copy's, beside its volume directory
        }
      }
    }
  }

  /**
   * Removes a copy's staging directory ({@link ImageCopier}) and everything in it, never following
   * a symlink (a symlink in it is removed, not what it points to); directories are made writable
   * by their owner first, as a copy may have made one read-only.
   *
   * @param root the stage1 rootfs
   * @param s the staging directory, reached through real directories
   * @throws IOException if something in it cannot be removed
   */
  static void removeTree(Path root, GuestPath s) throws IOException {
    Path dir = root.resolve(s.relativeString());
    try {
      Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a)
            throws IOException {
          Files.setAttribute(d, "unix:mode", 0700, java.nio.file.LinkOption.NOFOLLOW_LINKS);
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
            throws IOException {
          Files.delete(f);
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          if (e != null) {
            throw e;
          }
          Files.delete(d);
          return java.nio.file.FileVisitResult.CONTINUE;
        }
      });
    } catch (java.nio.file.NoSuchFileException e) {
      // Gone already.
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("remove staging directory", s.relativeString(), root, e);
    }
  }

  /** Whether every component of {@code p} is a directory, not a symlink; no caching. */
  static boolean realDirs(Path root, GuestPath p) throws IOException {
    Path r = root;
    for (String c : p.components()) {
      r = r.resolve(c);
      if (NioGuestFs.lstat(r) != Kind.DIRECTORY) {
        return false;
      }
    }
    return true;
  }
}
