package io.kvmount.apply;

import io.kvmount.apply.DesiredTree.FileSpec;
import io.kvmount.concurrent.Parallel;
import io.kvmount.error.IoErrors;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs.Kind;
import io.kvmount.plan.PlannedFileMountPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries out a {@link Changes} value, and nothing else: records the journal in the state file,
 * creates the directories (parents first, one depth at a time, in parallel), makes the volume
 * directories that start as a copy of an image directory ({@link ImageCopier}), re-applies modes and
 * owners, creates the missing file mount points (empty, exclusively, fsynced), writes the files
 * into a staging directory (in parallel, each created exclusively and fsynced), renames them into
 * place ({@code rename(2)}: no unit is ever seen half written), removes stale files, the file
 * mount points it created that are no longer planned and still empty, and empty directories,
 * fsyncs the directories that changed, and replaces the state file last. A failure before the
 * first rename rolls everything back (best effort); after it, a re-run completes the job.
 *
 * <p>The caller holds the lock, and the changes were decided under it. One run per instance.
 */
final class ChangeExecutor {

  /** Threads for steps that wait on the disk: concurrent fsyncs are committed together. */
  private static final int IO_THREADS = 8;

  private static final Set<java.nio.file.OpenOption> NEW_FILE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  private static final FileAttribute<Set<PosixFilePermission>> STAGED_FILE_PERMISSIONS =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

  private final Changes c;
  private final Path root;
  private final DesiredTree d;
  private final List<FileSpec> write;
  private final ModeAndOwner modes;

  private ChangeExecutor(Changes c) {
    this.c = c;
    this.root = c.root();
    this.d = c.desired();
    this.write = c.write();
    this.modes = new ModeAndOwner(root, d, ProcessCreds.current(), c.create().size());
  }

  /**
   * Makes the changes.
   *
   * @param c the changes, decided under the lock the caller holds
   * @return what changed
   * @throws IOException naming the path that failed; see the class description for what is left
   */
  static ApplyResult execute(Changes c) throws IOException {
    return new ChangeExecutor(c).run();
  }

  private Path host(GuestPath p) {
    return p.isRoot() ? root : root.resolve(p.relativeString());
  }

  /** One step that may fail with an I/O error. */
  private interface IoStep<T> {
    void run(T item) throws IOException;
  }

  /** Runs the step for every item, on {@link #IO_THREADS} threads when there are many. */
  private static <T> void inParallel(List<T> items, IoStep<T> step) throws IOException {
    Parallel.map(items.size(), DesiredTree.PARALLEL_MIN, IO_THREADS, i -> {
      step.run(items.get(i));
      return null;
    });
  }

  /** Runs the step for every index from {@code from} to {@code count - 1}, as {@link #inParallel}. */
  private static void forIndices(int from, int count, IoStep<Integer> step) throws IOException {
    Parallel.map(count - from, DesiredTree.PARALLEL_MIN, IO_THREADS, i -> {
      step.run(from + i);
      return null;
    });
  }

  private ApplyResult run() throws IOException {
    List<String> removed = new ArrayList<>();
    List<String> removedFileMountPoints = new ArrayList<>();
    List<String> dirsRemoved = new ArrayList<>();
    List<String> dirsLeft = new ArrayList<>();
    List<GuestPath> dirsLeftPaths = new ArrayList<>();
    GuestPath staging = write.isEmpty() ? null : StagingDirectory.newPath(d.unitsDir);
    // Each copy's staging directory, beside its volume directory, named before the journal lists it.
    Map<GuestPath, GuestPath> copyStaging = new java.util.LinkedHashMap<>();
    for (io.kvmount.plan.PlannedCopy copy : c.copies()) {
      copyStaging.put(copy.to(), ImageCopier.stagingFor(copy.to()));
    }
    // Volume directories copied by this run, for the roll-back.
    List<GuestPath> copiedNow = new ArrayList<>();
    boolean recordFirst = !c.create().isEmpty() || !write.isEmpty() || !c.createFiles().isEmpty();
    Path stateFile = root.resolve(PlanWriter.META_DIR).resolve("state");
    boolean hadState = NioGuestFs.lstat(stateFile) == Kind.FILE;
    byte[] oldStateBytes = hadState ? Files.readAllBytes(stateFile) : null;
    // Insertion order (parents first) for the roll-back; a set for look-ups. Guarded by itself.
    LinkedHashSet<GuestPath> createdNow = new LinkedHashSet<>(c.create().size() * 4 / 3 + 16);
    // File mount points created by this run, for the roll-back. Guarded by itself.
    List<GuestPath> filesCreatedNow = new ArrayList<>(c.createFiles().size());
    // Set once a change cannot be rolled back (a file moved into place or removed).
    boolean renamed = false;
    boolean stagingMade = false;
    // Before anything changes: a backup that fails stops the run with nothing replaced.
    String backupDir = c.backUp().isEmpty() ? null : backUp();
    try {
      if (recordFirst) {
        inParallel(write, FileSpec::sha); // the hashes go into the state first
        StateFile.write(root, StateFile.journal(c, staging, copyStaging.values()));
      }
      makeDirectories(createdNow, copyStaging, copiedNow);
      for (GuestPath p : c.fix()) {
        modes.setAttributes(p, d.dirs.get(p));
      }
      Set<GuestPath> parents = new LinkedHashSet<>();
      if (!c.createFiles().isEmpty()) {
        inParallel(c.createFiles(), p -> createFileMountPoint(p, filesCreatedNow));
        for (GuestPath p : c.createFiles()) {
          parents.add(p.parent());
        }
      }
      if (staging != null) {
        StagingDirectory.create(root, staging);
        stagingMade = true;
        Path dir = host(staging); // staged files are named on the host side: no guest path each
        forIndices(0, write.size(), i -> stageFile(dir.resolve("f" + i), staging, write.get(i)));
        fsyncDirectory(staging);
      }
      if (!write.isEmpty()) {
        Path stagingDir = host(staging);
        moveIntoPlace(stagingDir, 0); // the first alone: if it fails, everything can be undone
        renamed = true;
        forIndices(1, write.size(), i -> moveIntoPlace(stagingDir, i));
        for (FileSpec f : write) {
          parents.add(f.path().parent());
        }
      }
      for (GuestPath p : c.removeFiles()) {
        try {
          Files.delete(host(p));
        } catch (NoSuchFileException e) {
          continue;
        } catch (IOException e) {
          throw IoErrors.inStage1Rootfs("remove", p.relativeString(), root, e);
        }
        renamed = true;
        removed.add(p.relativeString());
        parents.add(p.parent());
      }
      for (GuestPath p : c.removeFilesIfEmpty()) {
        if (removeFileIfEmpty(p)) {
          renamed = true;
          removedFileMountPoints.add(p.relativeString());
          parents.add(p.parent());
        }
      }
      for (GuestPath p : c.removeDirsIfEmpty()) { // children first
        if (StagingDirectory.realDirs(root, p)) {
          try {
            Files.delete(host(p));
            parents.add(p.parent());
            if (c.old().createdDirs().contains(p)) {
              dirsRemoved.add(p.relativeString());
            }
          } catch (DirectoryNotEmptyException e) {
            // It holds someone else's files: leave it and forget it. A directory kvmount created
            // is reported, unless only because a child was left (which is reported).
            if (c.old().createdDirs().contains(p) && !leftBelow(p, dirsLeftPaths)) {
              dirsLeft.add(p.relativeString());
            }
            dirsLeftPaths.add(p);
          } catch (IOException e) {
            throw IoErrors.inStage1Rootfs("remove directory", p.relativeString(), root, e);
          }
        }
      }
      if (stagingMade) {
        try {
          Files.delete(host(staging));
        } catch (IOException e) {
          throw IoErrors.inStage1Rootfs("remove staging directory", staging.relativeString(), root, e);
        }
      }
      // Each new directory entry is durable once its directory is synced (the files' data
      // were synced when written). Directories found to be real once need no second walk.
      Map<GuestPath, Boolean> real = new ConcurrentHashMap<>();
      inParallel(new ArrayList<>(parents), p -> {
        if (realDirsCached(p, real)) {
          fsyncDirectory(p);
        }
      });
      byte[] fin = StateFile.finalBytes(c);
      byte[] current = NioGuestFs.lstat(stateFile) == Kind.FILE ? Files.readAllBytes(stateFile) : null;
      if (!Arrays.equals(fin, current)) {
        StateFile.write(root, fin);
      }
    } catch (IOException e) {
      if (!renamed) {
        rollBack(e, stagingMade ? staging : null, createdNow, filesCreatedNow, copiedNow, recordFirst, oldStateBytes);
      } else if (stagingMade) {
        try {
          StagingDirectory.remove(root, staging);
        } catch (IOException second) {
          e.addSuppressed(second);
        }
      }
      throw e;
    }
    ApplyResult r = result(removed, removedFileMountPoints, backupDir);
    return new ApplyResult(r.written(), r.unchanged(), r.removed(), r.directoriesCreated(), r.fileMountPointsCreated(),
        r.fileMountPointsRemoved(), r.backedUp(), r.backupDirectory(), dirsRemoved, dirsLeft,
        copiedNow.stream().map(GuestPath::relativeString).toList());
  }

  /** Whether a directory left in place lies below {@code p}. */
  private static boolean leftBelow(GuestPath p, List<GuestPath> left) {
    for (GuestPath q : left) {
      if (p.contains(q) && !q.equals(p)) {
        return true;
      }
    }
    return false;
  }

  /** The directory that holds kvmount's backups, relative to the stage1 rootfs. */
  static final String BACKUP_DIR = PlanWriter.META_DIR + "/backup";

  /**
   * Copies every conflicting file to a new directory {@code .kvmount/backup/<UTC time>/} (a
   * suffix {@code -2}, {@code -3} ... when that name exists: an existing backup is never
   * overwritten), each under its path relative to the stage1 rootfs, mode and times kept,
   * fsynced.
   *
   * @return the backup directory, relative to the stage1 rootfs
   */
  private String backUp() throws IOException {
    Path meta = root.resolve(PlanWriter.META_DIR);
    Path backups = meta.resolve("backup");
    if (NioGuestFs.lstat(backups) == Kind.MISSING) {
      try {
        Files.createDirectory(backups);
        Files.setAttribute(backups, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // Made meanwhile: checked below like an existing one.
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("create directory", BACKUP_DIR, root, e);
      }
    }
    if (NioGuestFs.lstat(backups) != Kind.DIRECTORY) {
      throw new IOException("refusing to use \"" + BACKUP_DIR + "\" in stage1 rootfs \"" + root
          + "\": it is not a directory");
    }
    String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
    Path dir = null;
    String name = stamp;
    for (int i = 2; dir == null; i++) {
      try {
        dir = Files.createDirectory(backups.resolve(name)); // exclusive: never an existing backup
      } catch (java.nio.file.FileAlreadyExistsException e) {
        name = stamp + "-" + i;
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("create directory", BACKUP_DIR + "/" + name, root, e);
      }
    }
    String rel = BACKUP_DIR + "/" + name;
    for (GuestPath p : c.backUp()) {
      Path target = dir;
      List<String> parts = p.components();
      try {
        for (int i = 0; i < parts.size() - 1; i++) {
          target = target.resolve(parts.get(i));
          if (NioGuestFs.lstat(target) == Kind.MISSING) {
            Files.createDirectory(target); // inside the new directory: no symlink can be on the way
          }
        }
        target = target.resolve(parts.get(parts.size() - 1));
        Files.copy(host(p), target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      } catch (IOException e) {
        throw IoErrors.inStage1Rootfs("back up", p.relativeString() + "\" to \"" + rel + "/" + p.relativeString(),
            root, e);
      }
    }
    return rel;
  }

  private ApplyResult result(List<String> removed, List<String> removedFileMountPoints, String backupDir) {
    List<String> created = new ArrayList<>();
    for (GuestPath p : c.create()) {
      created.add(p.relativeString()); // all of them were created, parents first
    }
    Set<FileSpec> changed = Collections.newSetFromMap(new IdentityHashMap<>());
    changed.addAll(write);
    List<String> written = new ArrayList<>();
    List<String> same = new ArrayList<>();
    for (FileSpec f : d.files.values()) { // plan order
      if (changed.contains(f)) {
        written.add(f.path().relativeString());
      }
    }
    for (FileSpec f : c.unchanged()) {
      same.add(f.path().relativeString());
    }
    List<String> filesCreated = new ArrayList<>(c.createFiles().size());
    for (GuestPath p : c.createFiles()) {
      filesCreated.add(p.relativeString());
    }
    List<String> backedUp = new ArrayList<>(c.backUp().size());
    for (GuestPath p : c.backUp()) {
      backedUp.add(p.relativeString());
    }
    return new ApplyResult(written, same, removed, created, filesCreated, removedFileMountPoints, backedUp,
        java.util.Optional.ofNullable(backupDir));
  }

  /** Renames staged file {@code i} over its target (atomic: {@code rename(2)}). */
  private void moveIntoPlace(Path stagingDir, int i) throws IOException {
    GuestPath target = write.get(i).path();
    try {
      Files.move(stagingDir.resolve("f" + i), host(target), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("move into place", target.relativeString(), root, e);
    }
  }

  /**
   * Creates the missing directories, parents first: one depth at a time, the directories of one
   * depth in parallel (their parents all exist by then). A volume directory made as a copy of an
   * image directory ({@code copyStaging}'s keys) is copied at its depth, before the others of that
   * depth; a directory planned below it (a mount point inside a read-only volume) is then made only
   * if the copy did not bring it. The parents of the copies are fsynced.
   *
   * @param copiedNow the volume directories copied, in order; added to here
   */
  private void makeDirectories(LinkedHashSet<GuestPath> createdNow, Map<GuestPath, GuestPath> copyStaging,
      List<GuestPath> copiedNow) throws IOException {
    TreeMap<Integer, List<GuestPath>> byDepth = new TreeMap<>();
    for (GuestPath p : c.create()) {
      byDepth.computeIfAbsent(p.depth(), k -> new ArrayList<>()).add(p);
    }
    Map<GuestPath, io.kvmount.plan.PlannedCopy> copies = new java.util.HashMap<>();
    for (io.kvmount.plan.PlannedCopy copy : c.copies()) {
      copies.put(copy.to(), copy);
    }
    ImageCopier copier = copies.isEmpty() ? null : new ImageCopier(root);
    Set<GuestPath> copyParents = new LinkedHashSet<>();
    for (List<GuestPath> level : byDepth.values()) {
      List<GuestPath> make = new ArrayList<>(level.size());
      for (GuestPath p : level) {
        io.kvmount.plan.PlannedCopy copy = copies.get(p);
        if (copy == null) {
          make.add(p);
          continue;
        }
        copier.copy(copy, d.dirs.get(p), copyStaging.get(p), modes);
        copiedNow.add(p);
        copyParents.add(p.parent());
      }
      inParallel(make, p -> {
        if (!copiedNow.isEmpty() && belowCopy(p, copiedNow)) {
          Kind k = NioGuestFs.lstat(host(p));
          if (k == Kind.DIRECTORY) {
            return; // the image's own, copied: kept as it is, as any existing mount point
          }
          if (k != Kind.MISSING) {
            throw new IOException("refusing to create directory \"" + p.relativeString() + "\" in stage1 rootfs \""
                + root + "\": the copy of the image put " + (k == Kind.SYMLINK ? "a symlink" : "a file") + " there");
          }
        }
        modes.makeDirectory(p, createdNow);
      });
    }
    for (GuestPath p : copyParents) {
      fsyncDirectory(p);
    }
  }

  /** Whether {@code p} lies strictly below one of the volume directories copied so far. */
  private static boolean belowCopy(GuestPath p, List<GuestPath> copied) {
    for (GuestPath to : copied) {
      if (to.contains(p) && !to.equals(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Creates one file mount point: an empty regular file, created exclusively and never through a
   * symlink at its name ({@code O_CREAT|O_EXCL|O_NOFOLLOW}), in a directory the analysis found to
   * be real or this run created; mode exactly {@link PlannedFileMountPoint#MODE} whatever the
   * umask; owner 0:0 when this process is root (a set-group-ID parent's group is taken back),
   * otherwise this process's own ids; fsynced.
   *
   * @param createdNow the file mount points created so far; guarded by itself
   */
  private void createFileMountPoint(GuestPath p, List<GuestPath> createdNow) throws IOException {
    Path h = host(p);
    try (FileChannel ch = FileChannel.open(h, NEW_FILE, STAGED_FILE_PERMISSIONS)) {
      synchronized (createdNow) {
        createdNow.add(p); // before anything else can fail, so that a roll-back removes it
      }
      Map<String, Object> a = Files.readAttributes(h, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
      boolean regroup = (Integer) a.get("uid") == 0 && (Integer) a.get("gid") != 0;
      if (regroup) {
        Files.setAttribute(h, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
      }
      if (regroup || ((Integer) a.get("mode") & 07777) != PlannedFileMountPoint.MODE) {
        Files.setAttribute(h, "unix:mode", PlannedFileMountPoint.MODE, LinkOption.NOFOLLOW_LINKS);
      }
      ch.force(true);
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("create file mount point", p.relativeString(), root, e);
    }
  }

  /**
   * Removes a file mount point an earlier run created if it is still an empty regular file reached
   * through real directories; otherwise leaves it.
   *
   * @return whether it was removed
   */
  private boolean removeFileIfEmpty(GuestPath p) throws IOException {
    try {
      if (!StagingDirectory.realDirs(root, p.parent())) {
        return false;
      }
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(host(p), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return false;
      }
      if (!a.isRegularFile() || a.size() != 0) {
        return false;
      }
      Files.delete(host(p));
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("remove file mount point", p.relativeString(), root, e);
    }
  }

  private void stageFile(Path staged, GuestPath staging, FileSpec f) throws IOException {
    try {
      writeExclusive(staged, staging, f.content());
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("write", f.path().relativeString(), root, e);
    }
  }

  /**
   * Creates a file that must not exist ({@code O_CREAT|O_EXCL}, never through a symlink), writes
   * the bytes, makes its mode 0644 and fsyncs it.
   */
  private void writeExclusive(Path h, GuestPath dir, byte[] content) throws IOException {
    try (FileChannel ch = FileChannel.open(h, NEW_FILE, STAGED_FILE_PERMISSIONS)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      modes.ensureFileMode(h, dir);
      ch.force(true);
    }
  }

  private void fsyncDirectory(GuestPath p) throws IOException {
    try (FileChannel ch = FileChannel.open(host(p), StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("sync directory", p.relativeString(), root, e);
    }
  }

  /** Whether every component of {@code p} is a real directory; results shared via {@code memo}. */
  private boolean realDirsCached(GuestPath p, Map<GuestPath, Boolean> memo) throws IOException {
    if (p.isRoot()) {
      return true;
    }
    Boolean known = memo.get(p);
    if (known == null) {
      known = realDirsCached(p.parent(), memo) && NioGuestFs.lstat(host(p)) == Kind.DIRECTORY;
      memo.put(p, known);
    }
    return known;
  }

  /** Best effort: undoes the changes of a run that failed before moving any file into place. */
  private void rollBack(
      IOException cause,
      GuestPath staging,
      LinkedHashSet<GuestPath> createdNow,
      List<GuestPath> filesCreatedNow,
      List<GuestPath> copiedNow,
      boolean recordedFirst,
      byte[] oldStateBytes) {
    try {
      if (staging != null) {
        StagingDirectory.remove(root, staging);
      }
      for (int i = copiedNow.size() - 1; i >= 0; i--) {
        StagingDirectory.removeTree(root, copiedNow.get(i)); // made by this run, nothing of anyone else's in it
      }
      List<GuestPath> undoFiles;
      synchronized (filesCreatedNow) {
        undoFiles = new ArrayList<>(filesCreatedNow);
      }
      for (GuestPath p : undoFiles) {
        Files.deleteIfExists(host(p));
      }
      List<GuestPath> undo;
      synchronized (createdNow) {
        undo = new ArrayList<>(createdNow);
      }
      for (int i = undo.size() - 1; i >= 0; i--) {
        Files.deleteIfExists(host(undo.get(i)));
      }
      if (recordedFirst) {
        if (oldStateBytes == null) {
          Files.deleteIfExists(root.resolve(PlanWriter.META_DIR).resolve("state"));
        } else {
          StateFile.write(root, oldStateBytes);
        }
      }
    } catch (IOException | RuntimeException second) {
      cause.addSuppressed(second);
    }
  }
}
