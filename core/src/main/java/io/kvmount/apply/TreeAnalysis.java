package io.kvmount.apply;

import io.kvmount.apply.DesiredTree.DirSpec;
import io.kvmount.apply.DesiredTree.FileSpec;
import io.kvmount.digest.Sha256;
import io.kvmount.error.IoErrors;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a stage1 rootfs and decides what applying a {@link DesiredTree} to it changes: the {@link
 * Changes}. Checks the whole tree (symlinks, non-directories, files kvmount did not write or that
 * were changed after it wrote them, anything but a regular file at a file mount point) and
 * refuses with an {@link IOException} naming both paths; the files kvmount must not overwrite or
 * remove are all gathered first and refused together ({@link ConflictException}), or, with {@code
 * force}, listed for a backup and replaced. Only reads: never creates, changes or removes anything. Every path is walked component by
 * component without following symlinks; each {@code lstat} is done once per analysis.
 *
 * <p>One analysis per instance, on one thread.
 */
final class TreeAnalysis {

  private final Path root;
  private final DesiredTree d;
  private final StateFile old;
  private final boolean force;

  /** Conflicts found so far: each path, and the message a refusal of that path alone gives. */
  private final List<GuestPath> conflicts = new ArrayList<>();
  private final List<String> conflictMessages = new ArrayList<>();

  /** lstat results of paths walked so far. */
  private final Map<GuestPath, Kind> seen = new HashMap<>();

  private final List<GuestPath> create = new ArrayList<>();
  private final List<GuestPath> fix = new ArrayList<>();
  private final List<FileSpec> write = new ArrayList<>();
  private final List<FileSpec> unchanged = new ArrayList<>();
  private final List<GuestPath> removeFiles = new ArrayList<>();
  private final List<GuestPath> removeDirsIfEmpty = new ArrayList<>();
  private final List<GuestPath> createFiles = new ArrayList<>();
  private final List<GuestPath> removeFilesIfEmpty = new ArrayList<>();
  private final Set<GuestPath> fileMountPointsAfter = new LinkedHashSet<>();
  private final Set<GuestPath> createdDirsAfter = new TreeSet<>();

  private TreeAnalysis(Path root, DesiredTree d, StateFile old, boolean force) {
    this.root = root;
    this.d = d;
    this.old = old;
    this.force = force;
  }

  /**
   * Checks the tree and decides every change; writes nothing.
   *
   * @param root the stage1 rootfs, a real path
   * @param d the desired tree
   * @param old the state an earlier run left
   * @param force whether files kvmount must not change without it are backed up and replaced
   * @return the changes
   * @throws ConflictException without {@code force}, naming every file kvmount did not write or
   *     that was changed after it wrote it, that it would overwrite or remove
   * @throws IOException naming the first path kvmount must not use (a symlink, a non-directory),
   *     or a read failure
   */
  static Changes analyze(Path root, DesiredTree d, StateFile old, boolean force) throws IOException {
    TreeAnalysis a = new TreeAnalysis(root, d, old, force);
    a.run();
    if (!force && !a.conflicts.isEmpty()) {
      throw a.conflict();
    }
    // A volume directory made as a copy is copied only when it is created: once there, its
    // content is the app's.
    List<io.kvmount.plan.PlannedCopy> copies = new ArrayList<>();
    if (!d.copies.isEmpty()) {
      Set<GuestPath> created = new java.util.HashSet<>(a.create);
      for (io.kvmount.plan.PlannedCopy c : d.copies.values()) {
        if (created.contains(c.to())) {
          a.checkCopySource(c);
          copies.add(c);
        }
      }
    }
    return new Changes(
        root, d, old, a.create, a.fix, a.write, a.unchanged, a.removeFiles, a.removeDirsIfEmpty,
        a.createFiles, a.removeFilesIfEmpty, a.fileMountPointsAfter, force ? a.conflicts : List.of(),
        a.createdDirsAfter, copies);
  }

  /** Without {@code force}: every conflict in one exception, the message of one alone unchanged. */
  private ConflictException conflict() {
    List<String> paths = new ArrayList<>(conflicts.size());
    for (GuestPath p : conflicts) {
      paths.add(p.relativeString());
    }
    if (conflicts.size() == 1) {
      return new ConflictException(conflictMessages.get(0), paths);
    }
    return new ConflictException("refusing to change " + conflicts.size() + " files: "
        + String.join("; ", conflictMessages), paths);
  }

  /** Records a conflict; with {@code force}, the file is then treated as kvmount's own. */
  private void conflict(GuestPath p, String message) {
    conflicts.add(p);
    conflictMessages.add(message);
  }

  private Path host(GuestPath p) {
    return p.isRoot() ? root : root.resolve(p.relativeString());
  }

  private Kind kind(GuestPath p) throws IOException {
    Kind k = seen.get(p);
    if (k == null) {
      try {
        k = NioGuestFs.lstat(host(p));
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("look up", p.relativeString(), root, e);
      }
      seen.put(p, k);
    }
    return k;
  }

  /**
   * Walks the components of {@code target} from the root (the last one too when {@code
   * withSelf}); every existing one must be a real directory.
   *
   * @return true if all of them exist
   */
  private boolean walk(GuestPath target, boolean withSelf, String verb) throws IOException {
    int n = withSelf ? target.depth() : target.depth() - 1;
    for (int i = 1; i <= n; i++) {
      GuestPath prefix = target.ancestor(i);
      Kind k = kind(prefix);
      if (k == Kind.MISSING) {
        return false;
      }
      if (k == Kind.SYMLINK) {
        throw new IOException(
            "refusing to " + verb + " \"" + target.relativeString() + "\": \"" + prefix.relativeString()
                + "\" is a symlink");
      }
      if (k != Kind.DIRECTORY) {
        throw new IOException(
            "refusing to " + verb + " \"" + target.relativeString() + "\": \"" + prefix.relativeString()
                + "\" is not a directory");
      }
    }
    return true;
  }

  /** Whether every component of {@code p} is a directory (walk must have covered it). */
  private boolean exists(GuestPath p) {
    for (GuestPath q = p; !q.isRoot(); q = q.parent()) {
      if (seen.get(q) != Kind.DIRECTORY) {
        return false;
      }
    }
    return true;
  }

  private void run() throws IOException {
    checkMeta();
    for (GuestPath p : d.planned) {
      walk(p, true, "create directory");
    }
    if (!d.files.isEmpty()) {
      walk(d.unitsDir, true, "write unit files into");
    }
    for (FileSpec f : d.files.values()) {
      walk(f.path(), false, "write");
    }
    for (GuestPath p : d.fileMountPoints) {
      walk(p, false, "create file mount point");
    }
    for (GuestPath p : d.sortedDirs) {
      analyzeDirectory(p);
    }
    for (FileSpec f : d.files.values()) {
      analyzeFile(f);
    }
    for (GuestPath p : d.fileMountPoints) {
      analyzeFileMountPoint(p);
    }
    if (!old.fileMountPoints().isEmpty()) {
      for (GuestPath p : new TreeSet<>(old.fileMountPoints())) { // sorted: same list each run
        if (!d.fileMountPoints.contains(p)) {
          analyzeStaleFileMountPoint(p);
        }
      }
    }
    TreeSet<GuestPath> known = new TreeSet<>(old.files().keySet()); // sorted: same messages each run
    for (GuestPath p : known) {
      if (!d.files.containsKey(p)) {
        analyzeStale(p);
      }
    }
    TreeSet<GuestPath> gone = new TreeSet<>(old.dirs());
    gone.addAll(old.mkdirs());
    // Directories kvmount created (mount points and their parents) that the plan no longer has.
    gone.addAll(old.createdDirs());
    gone.removeAll(d.dirs.keySet());
    removeDirsIfEmpty.addAll(gone.descendingSet());
    // Those the plan still has stay kvmount's: created now, by an earlier run, or by an interrupted
    // one (its mkdir lines). Drop-in directories are listed as such (dir lines) instead.
    for (GuestPath p : create) {
      createdDir(p);
    }
    for (GuestPath p : old.createdDirs()) {
      createdDir(p);
    }
    for (GuestPath p : old.mkdirs()) {
      createdDir(p);
    }
  }

  private void createdDir(GuestPath p) {
    if (d.dirs.containsKey(p) && !d.fileDirs.contains(p)) {
      createdDirsAfter.add(p);
    }
  }

  private void checkMeta() throws IOException {
    GuestPath meta = GuestPath.ROOT.resolve(PlanWriter.META_DIR);
    Kind k = kind(meta);
    if (k == Kind.MISSING) {
      return;
    }
    if (k != Kind.DIRECTORY) {
      throw new IOException(
          "refusing to use \"" + PlanWriter.META_DIR + "\" in stage1 rootfs \"" + root + "\": it is "
              + (k == Kind.SYMLINK ? "a symlink" : "not a directory"));
    }
    for (String name : List.of("lock", "state", "state.tmp")) {
      Kind f = kind(meta.resolve(name));
      if (f != Kind.MISSING && f != Kind.FILE) {
        throw new IOException(
            "refusing to use \"" + PlanWriter.META_DIR + "/" + name + "\" in stage1 rootfs \"" + root
                + "\": it is " + (f == Kind.SYMLINK ? "a symlink" : "not a regular file"));
      }
    }
  }

  /**
   * Refuses a copy whose image directory is no longer a directory reached through real
   * directories (the tree changed since planning).
   */
  private void checkCopySource(io.kvmount.plan.PlannedCopy c) throws IOException {
    if (!StagingDirectory.realDirs(root, c.from())) {
      throw new IOException("refusing to copy \"" + c.from().relativeString() + "\" into \"" + c.to().relativeString()
          + "\": it is no longer a directory reached through directories only (the stage1 rootfs changed since"
          + " planning); run kvmount again");
    }
  }

  /** Whether a planned directory is created, or has its mode and owner re-applied. */
  private void analyzeDirectory(GuestPath p) throws IOException {
    DirSpec spec = d.dirs.get(p);
    if (!exists(p)) {
      create.add(p);
    } else if (spec.managed() || old.mkdirs().contains(p)) {
      if (!ModeAndOwner.hasAttributes(root, p, spec)) {
        fix.add(p);
      }
    }
  }

  private void analyzeFile(FileSpec f) throws IOException {
    if (!exists(f.path().parent())) {
      write.add(f);
      return;
    }
    Kind k = kind(f.path());
    String rel = f.path().relativeString();
    switch (k) {
      case MISSING:
        write.add(f);
        return;
      case SYMLINK:
        throw new IOException("refusing to write \"" + rel + "\": it is a symlink");
      case DIRECTORY:
        throw new IOException("refusing to write \"" + rel + "\": it is a directory");
      case OTHER:
        throw new IOException("refusing to write \"" + rel + "\": it is not a regular file");
      default:
        break;
    }
    byte[] disk = readFile(f.path());
    if (Arrays.equals(disk, f.content())) {
      if (mode(f.path()) == DesiredTree.FILE_MODE) {
        unchanged.add(f);
      } else {
        write.add(f);
      }
      return;
    }
    if (!old.files().containsKey(f.path())) {
      conflict(f.path(), "refusing to overwrite \"" + rel + "\": not written by kvmount");
    } else if (!old.wrote(f.path(), Sha256.hex(disk))) {
      conflict(f.path(),
          "refusing to overwrite \"" + rel + "\": it was changed after kvmount wrote it; move it away"
              + " to let kvmount write it again");
    }
    write.add(f);
  }

  /**
   * Whether a file mount point is created: when missing. An existing regular file is the app's
   * (or one kvmount created earlier, which stays listed in the state) and is left as it is;
   * anything else there is refused.
   */
  private void analyzeFileMountPoint(GuestPath p) throws IOException {
    Kind k = exists(p.parent()) ? kind(p) : Kind.MISSING;
    String rel = p.relativeString();
    switch (k) {
      case MISSING:
        createFiles.add(p);
        fileMountPointsAfter.add(p);
        return;
      case FILE:
        if (old.fileMountPoints().contains(p)) {
          fileMountPointsAfter.add(p);
        }
        return;
      case SYMLINK:
        throw new IOException("refusing to create file mount point \"" + rel + "\": it is a symlink");
      case DIRECTORY:
        throw new IOException("refusing to create file mount point \"" + rel + "\": it is a directory");
      default:
        throw new IOException(
            "refusing to create file mount point \"" + rel + "\": it is not a regular file");
    }
  }

  /**
   * A file mount point an earlier run created that the plan no longer has: removed if it is still
   * an empty regular file reached through real directories; otherwise it is no longer kvmount's
   * and is only forgotten.
   */
  private void analyzeStaleFileMountPoint(GuestPath p) throws IOException {
    for (int i = 1; i < p.depth(); i++) {
      if (kind(p.ancestor(i)) != Kind.DIRECTORY) {
        return;
      }
    }
    if (kind(p) == Kind.FILE && size(p) == 0) {
      removeFilesIfEmpty.add(p);
    }
  }

  private long size(GuestPath p) throws IOException {
    try {
      return Files.readAttributes(host(p), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("read the size of", p.relativeString(), root, e);
    }
  }

  private void analyzeStale(GuestPath p) throws IOException {
    // A file kvmount can no longer reach without following a link is not its file any more.
    for (int i = 1; i < p.depth(); i++) {
      if (kind(p.ancestor(i)) != Kind.DIRECTORY) {
        return;
      }
    }
    if (kind(p) != Kind.FILE) {
      return;
    }
    if (!old.wrote(p, Sha256.hex(readFile(p)))) {
      conflict(p,
          "refusing to remove \"" + p.relativeString() + "\": it was changed after kvmount wrote it;"
              + " remove it by hand if it is no longer needed");
      if (!force) {
        return;
      }
    }
    removeFiles.add(p);
  }

  private byte[] readFile(GuestPath p) throws IOException {
    try (SeekableByteChannel ch =
        Files.newByteChannel(host(p), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE - 16) {
        throw new IOException("file is too large (" + size + " bytes)");
      }
      ByteBuffer b = ByteBuffer.allocate((int) size + 1);
      while (ch.read(b) > 0 && b.hasRemaining()) {
        // keep reading
      }
      b.flip();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("read", p.relativeString(), root, e);
    }
  }

  private int mode(GuestPath p) throws IOException {
    try {
      return ((Integer) Files.getAttribute(host(p), "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("read the mode of", p.relativeString(), root, e);
    }
  }
}
