package io.kvmount.apply;

import io.kvmount.apply.DesiredTree.DirSpec;
import io.kvmount.error.IoErrors;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs.Kind;
import io.kvmount.plan.PlannedCopy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes one volume directory as a copy of an image directory ({@link PlannedCopy}): into a staging
 * directory beside it ({@code <parent>/.kvmount-staging-<random>}, same file system), entry by
 * entry in the plan's order, then renamed into place ({@code rename(2)}), so that the volume
 * directory is either missing or complete, whatever happens to the run.
 *
 * <p>Per entry: a directory is made {@code 0700} and gets its mode, owner and time once its entries
 * are in it; a regular file is read without following a symlink at its name ({@code O_NOFOLLOW}),
 * written exclusively, fsynced, then given its owner ({@code lchown}), mode (all of {@code 07777},
 * after the owner, which clears set-id bits) and time; a symlink is made with the same text, never
 * followed (its bytes as {@code readlink(2)} gives them, not re-parsed), and given its owner and
 * time; a hard link is linked to the copy of its first name.
 * Every directory is fsynced before the rename. An entry whose source is no longer what the plan
 * found (the image changed since planning) fails the copy.
 *
 * <p>Only root can give entries other owners: a run by another user fails on the first entry owned
 * by someone else, naming it. Extended attributes and ACLs are not copied.
 *
 * <p>Confinement: the image side is read below a directory found to be reached through real
 * directories, and no symlink is followed at any entry's name; the limitation of {@link PlanWriter}
 * (checks are path-based; the caller owns the stage1 rootfs) applies.
 */
final class ImageCopier {

  private static final Set<java.nio.file.OpenOption> NEW_FILE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

  private final Path root;

  ImageCopier(Path root) {
    this.root = root;
  }

  private Path host(GuestPath p) {
    return root.resolve(p.relativeString());
  }

  /**
   * A new staging directory path for a copy into {@code to}: beside it, so that the rename stays
   * on one file system.
   *
   * @param to the volume directory
   * @return {@code <parent of to>/.kvmount-staging-<16 hex digits>}
   */
  static GuestPath stagingFor(GuestPath to) {
    return to.parent().resolve(RandomNames.withPrefix(PlanWriter.STAGING_PREFIX));
  }

  /**
   * Copies {@code c.from()} into {@code staging}, gives its root the volume directory's mode and
   * owner ({@code spec}) and the image directory's time, and renames it to {@code c.to()}, which
   * must be missing. On failure before the rename the staging directory is removed (best effort;
   * a re-run removes what is left, as the journal lists it).
   *
   * @param c the copy
   * @param spec the volume directory's planned mode and owner
   * @param staging the staging directory the journal lists, missing
   * @param modes sets the root's mode and owner as every managed directory's
   * @throws IOException naming the entry that failed
   */
  void copy(PlannedCopy c, DirSpec spec, GuestPath staging, ModeAndOwner modes) throws IOException {
    Path from = host(c.from());
    Path dst = host(staging);
    try {
      Files.createDirectory(dst, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("create staging directory", staging.relativeString(), root, e);
    }
    try {
      List<PlannedCopy.Entry> dirs = new ArrayList<>();
      for (PlannedCopy.Entry e : c.entries()) {
        if (e.type() == PlannedCopy.Type.DIRECTORY) {
          dirs.add(e);
        }
        entry(c, e, from, dst);
      }
      // Deepest first: a directory's time and mode are set once nothing more is made in it.
      for (int i = dirs.size() - 1; i >= 0; i--) {
        PlannedCopy.Entry e = dirs.get(i);
        Path t = dst.resolve(e.path().toString());
        try {
          owner(t, e.uid(), e.gid());
          Files.setAttribute(t, "unix:mode", e.mode(), LinkOption.NOFOLLOW_LINKS);
          time(t, e.modified());
          fsync(t);
        } catch (IOException x) {
          throw failed(c, e, x);
        }
      }
      modes.setAttributes(staging, spec);
      time(dst, c.modified());
      fsync(dst);
      try {
        Files.move(dst, host(c.to()), StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("move into place", c.to().relativeString(), root, e);
      }
    } catch (IOException e) {
      try {
        StagingDirectory.removeTree(root, staging);
      } catch (IOException second) {
        e.addSuppressed(second);
      }
      throw e;
    }
  }

  private void entry(PlannedCopy c, PlannedCopy.Entry e, Path from, Path dst) throws IOException {
    Path s = from.resolve(e.path().toString());
    Path t = dst.resolve(e.path().toString());
    try {
      switch (e.type()) {
        case DIRECTORY -> {
          expect(c, e, s, Kind.DIRECTORY);
          Files.createDirectory(t, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        case FILE -> {
          expect(c, e, s, Kind.FILE);
          try (FileChannel in = FileChannel.open(s, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
              FileChannel out = FileChannel.open(t, NEW_FILE,
                  PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            long size = in.size();
            for (long done = 0; done < size; ) {
              long n = in.transferTo(done, size - done, out);
              if (n <= 0) {
                break; // the file shrank meanwhile: what is there is copied
              }
              done += n;
            }
            out.force(true);
          }
          owner(t, e.uid(), e.gid());
          Files.setAttribute(t, "unix:mode", e.mode(), LinkOption.NOFOLLOW_LINKS);
          time(t, e.modified());
        }
        case SYMLINK -> {
          expect(c, e, s, Kind.SYMLINK);
          // The text as read, never re-parsed: Path.of would drop a trailing or doubled slash,
          // and a text that is not valid UTF-8 does not survive a String.
          Path text = Files.readSymbolicLink(s);
          if (!text.toString().equals(e.target())) {
            throw new IOException("it is a symlink to \"" + text + "\" now, where planning found one to \""
                + e.target() + "\" (the image changed since planning); run kvmount again");
          }
          Files.createSymbolicLink(t, text);
          owner(t, e.uid(), e.gid());
          time(t, e.modified());
        }
        case HARD_LINK -> {
          expect(c, e, s, Kind.FILE);
          Files.createLink(t, dst.resolve(e.target()));
        }
        default -> throw new AssertionError(e.type());
      }
    } catch (IOException x) {
      throw failed(c, e, x);
    }
  }

  /** Fails when the image's entry is no longer of the planned kind. */
  private static void expect(PlannedCopy c, PlannedCopy.Entry e, Path s, Kind kind) throws IOException {
    Kind now = NioGuestFs.lstat(s);
    if (now != kind) {
      throw new IOException("it is " + describe(now) + " now, where planning found " + describe(kind)
          + " (the image changed since planning); run kvmount again");
    }
  }

  private static String describe(Kind k) {
    return switch (k) {
      case MISSING -> "missing";
      case DIRECTORY -> "a directory";
      case FILE -> "a regular file";
      case SYMLINK -> "a symlink";
      case OTHER -> "a device, socket or pipe";
    };
  }

  private IOException failed(PlannedCopy c, PlannedCopy.Entry e, IOException x) {
    String reason = x.getMessage() != null && x.getMessage().startsWith("it is ") ? x.getMessage() : IoErrors.reason(x);
    String hint = "operation not permitted".equals(reason) ? " (only root can copy files owned by another user)" : "";
    IOException w = new IOException("copy \"" + c.from().resolve(e.path()).relativeString() + "\" into volume \""
        + c.volume() + "\" in stage1 rootfs \"" + root + "\": " + reason + hint, x);
    return w;
  }

  /** lchown, skipped when the file already has that owner (a run by another user then succeeds). */
  private void owner(Path t, long uid, long gid) throws IOException {
    Map<String, Object> a = Files.readAttributes(t, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
    if (Integer.toUnsignedLong((Integer) a.get("uid")) != uid) {
      Files.setAttribute(t, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
    }
    if (Integer.toUnsignedLong((Integer) a.get("gid")) != gid) {
      Files.setAttribute(t, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /** Sets the modification time, without following a symlink at the name. */
  private static void time(Path t, FileTime modified) throws IOException {
    Files.getFileAttributeView(t, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(modified, null, null);
  }

  private static void fsync(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
