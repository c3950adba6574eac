package io.kvmount.apply;

import io.kvmount.error.InvalidInputException;
import io.kvmount.error.IoErrors;
import io.kvmount.plan.GuestFs.Kind;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import io.kvmount.plan.PlannedFileMountPoint;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a {@link Plan} into a stage1 rootfs: the only code in kvmount that creates, changes or
 * removes files.
 *
 * <h2>What it writes</h2>
 *
 * <ul>
 *   <li>Every {@link PlannedDirectory} that is missing, with its mode applied exactly whatever the
 *       umask and its uid and gid: created {@code 0700}, then {@code chown}, then {@code chmod};
 *       or, when this process's uid, gid and umask make {@code mkdir} give exactly the planned
 *       mode and owner, created so and confirmed (see {@code makeDirectory}). Missing parents are created {@code 0755}, uid 0, gid 0. A {@link
 *       PlannedDirectory#managed() managed} directory (an empty volume) gets its mode and owner
 *       re-applied on every run; any other existing directory is left as it is.
 *   <li>Every {@link PlannedFile} at {@code <stage1 rootfs>/<plan.unitsDir()>/<file.path()>}, byte
 *       for byte (UTF-8), mode {@code 0644}, creating missing drop-in directories such as {@code
 *       web.service.d/}.
 *   <li>Every {@link PlannedFileMountPoint} (where a single-file volume is bound in the guest)
 *       that is missing, as an empty regular file: created exclusively, never through a symlink,
 *       mode {@code 0644} exactly whatever the umask, owner 0:0 when run as root (otherwise this
 *       process's ids), fsynced, and recorded in the state. An existing regular file there is the
 *       app's and is left exactly as it is (never truncated, re-owned or recorded); a directory,
 *       symlink or other file there is refused. Its missing parents are created as above.
 *   <li>It removes the files an earlier run wrote that the plan no longer contains, and drop-in
 *       directories it kept for them once they are empty, and the file mount points it created that
 *       the plan no longer has while they are still empty (one written into is left and
 *       forgotten). It never removes a file it did not write or create, nor a directory that is
 *       not empty.
 * </ul>
 *
 * <h2>Confinement</h2>
 *
 * Every path is walked component by component from the stage1 rootfs with {@code lstat} semantics
 * ({@link LinkOption#NOFOLLOW_LINKS}); a symlink, or a file where a directory is needed, anywhere
 * on the way makes the run refuse with an {@link IOException} naming both paths. The planner has
 * already resolved symlinks an app image contains, so a symlink found now means the tree changed or
 * is hostile. Directories are created one component at a time ({@link Files#createDirectories} is
 * never used on guest paths), so nothing is ever created outside the stage1 rootfs. The stage1
 * rootfs directory itself is trusted and may be given through a symlink.
 *
 * <p><b>Limitation (time of check to time of use):</b> as with filepath-securejoin, the checks are
 * path-based. A process that swaps a checked directory for a symlink between the check and the
 * write can redirect the write. The caller must own the stage1 rootfs while {@code apply} runs (no
 * pod is running from it and no untrusted process can write to it); the lock below excludes other
 * kvmount runs only.
 *
 * <h2>All or nothing, and idempotent</h2>
 *
 * <ol>
 *   <li>The plan is validated and the whole tree is checked (symlinks, conflicts, files kvmount did
 *       not write) before anything is written; a refusal leaves the tree untouched.
 *   <li>An exclusive lock on {@code <stage1 rootfs>/.kvmount/lock} is taken (POSIX record lock,
 *       plus an in-process lock per stage1 rootfs). If another run holds it, {@code apply} waits up
 *       to {@code lockWait} and then fails with {@code another kvmount run holds the lock on
 *       "<stage1 rootfs>"}. Leftovers of an interrupted run are cleaned up and the checks run again
 *       under the lock.
 *   <li>The state file {@code .kvmount/state} records, with a SHA-256, each file kvmount wrote.
 *       Before changing anything, the run records what it is about to create (new files, new
 *       directories, its staging directory), so that a re-run after a crash knows they are
 *       kvmount's.
 *   <li>Missing directories are created, parents first (one depth at a time, in parallel).
 *   <li>New and changed files are written into a staging directory inside the units directory
 *       ({@code .kvmount-staging-<random>/}, same file system), in parallel, each created
 *       exclusively and fsynced; then renamed into place one by one ({@code rename(2)} replaces a
 *       file atomically: no unit is ever seen half written, fault class 29); stale files are
 *       deleted; the directories that got new entries are fsynced; the state file is replaced
 *       atomically last.
 * </ol>
 *
 * A crash at any point followed by a re-run gives exactly the tree a run without the crash gives. A
 * run on an up-to-date tree writes nothing (no file's modification time changes).
 *
 * <p>A file at a planned path that kvmount did not write is adopted if its content is identical,
 * and otherwise refused ({@code refusing to overwrite "usr/lib/systemd/system/x.mount": not written
 * by kvmount}). A file kvmount wrote but someone changed afterwards is refused the same way, both
 * when it would be overwritten and when it would be removed. Every such conflict of the tree is
 * named in one {@link ConflictException}, and nothing is written. With {@link ApplyOptions#force()}
 * each conflicting file is first copied to {@code .kvmount/backup/<UTC time>/<its path>} (a new
 * directory each run; an existing backup is never overwritten) and then replaced or removed as a
 * file kvmount wrote would be; nothing else changes.
 *
 * <h2>How it is built</h2>
 *
 * This class is the front: it takes the lock and runs the three steps, each a class of its own.
 * {@link DesiredTree} checks the plan; {@link TreeAnalysis} reads the tree and decides the {@link
 * Changes} (a value {@link #changes} also gives without writing, for {@code --dry-run}); {@link
 * ChangeExecutor} carries them out, with {@link ModeAndOwner} proving modes and owners, {@link
 * StagingDirectory} and {@link StateFile} (the state file and the journal).
 *
 * <p>Thread-safe: concurrent calls on the same stage1 rootfs are serialised by the lock.
 */
public final class PlanWriter {

  /** How long {@link #apply(Plan, Path)} waits for another run's lock: 30 seconds. */
  public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(30);

  /** kvmount's own directory in the stage1 rootfs: lock and state. */
  static final String META_DIR = ".kvmount";

  /** Name prefix of staging directories inside the units directory. */
  static final String STAGING_PREFIX = ".kvmount-staging-";

  private PlanWriter() {}

  /**
   * Applies the plan to the stage1 rootfs, waiting up to {@link #DEFAULT_LOCK_WAIT} for another
   * run's lock.
   *
   * @param plan what to write; {@link Plan#unitsDir()} and directory paths are relative to the
   *     stage1 rootfs, file paths relative to the units directory
   * @param stage1Root the stage1 rootfs directory on the host
   * @return what changed, as paths relative to the stage1 rootfs
   * @throws InvalidInputException if the plan itself is inconsistent (a path planned twice, a file
   *     or file mount point where a directory is planned, a file mount point at a unit file's
   *     path, a path inside {@code .kvmount}, an id outside {@code
   *     0..4294967294}, a line break in a path); nothing is written
   * @throws IOException if the stage1 rootfs does not exist, a path meets a symlink or a
   *     non-directory, a file mount point is something other than a regular file, a planned file
   *     exists and was not written by kvmount, another run holds the lock, or writing fails (disk full, read-only file system, permission denied); the message
   *     is one line naming the path. Nothing is written when a check fails; when writing fails the
   *     earlier files are left in place (best effort) and a re-run completes the job.
   */
  public static ApplyResult apply(Plan plan, Path stage1Root)
      throws IOException, InvalidInputException {
    return apply(plan, stage1Root, DEFAULT_LOCK_WAIT);
  }

  /**
   * Applies the plan to the stage1 rootfs; see the class description.
   *
   * @param plan what to write
   * @param stage1Root the stage1 rootfs directory on the host
   * @param lockWait how long to wait for another run's lock before failing (zero: do not wait)
   * @return what changed, as paths relative to the stage1 rootfs
   * @throws InvalidInputException if the plan itself is inconsistent; nothing is written
   * @throws IOException as {@link #apply(Plan, Path)}
   */
  public static ApplyResult apply(Plan plan, Path stage1Root, Duration lockWait)
      throws IOException, InvalidInputException {
    return apply(plan, stage1Root, lockWait, ApplyOptions.DEFAULTS);
  }

  /**
   * Applies the plan to the stage1 rootfs with options: the words to record in the state, and
   * whether conflicting files are replaced (kept in a backup); see the class description.
   *
   * @param plan what to write
   * @param stage1Root the stage1 rootfs directory on the host
   * @param lockWait how long to wait for another run's lock before failing (zero: do not wait)
   * @param options what to record, and whether to force
   * @return what changed, as paths relative to the stage1 rootfs
   * @throws InvalidInputException if the plan itself is inconsistent, or an option word cannot be
   *     recorded; nothing is written
   * @throws ConflictException without {@code force}, naming every file kvmount would overwrite or
   *     remove that it did not write or that was changed after it wrote it; nothing is written
   * @throws IOException as {@link #apply(Plan, Path)}
   */
  public static ApplyResult apply(Plan plan, Path stage1Root, Duration lockWait, ApplyOptions options)
      throws IOException, InvalidInputException {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(stage1Root, "stage1Root");
    Objects.requireNonNull(lockWait, "lockWait");
    Objects.requireNonNull(options, "options");
    DesiredTree desired = DesiredTree.of(plan, options.recordedOptions());
    boolean force = options.force();
    Path root = realRoot(stage1Root);

    // Check everything before writing anything, not even the lock file. A failure here can be
    // a run in another process caught half way (its new files are not in the state yet); when
    // a lock file exists, decide under the lock instead. lockedBefore: whether any run ever
    // took the lock here (every run creates the lock file before it changes anything, and
    // records what it is about to change in the state file first).
    boolean lockedBefore = hasLockFile(root);
    byte[] stateBefore = StateFile.read(root);
    StateFile oldBefore = StateFile.parse(root, stateBefore);
    Changes checked;
    try {
      checked = TreeAnalysis.analyze(root, desired, oldBefore, force);
    } catch (IOException e) {
      if (!hasLockFile(root)) {
        throw e;
      }
      checked = null;
    }

    Path meta = ensureMetaDir(root);
    ApplyLock lock = ApplyLock.acquire(root, meta, lockWait);
    try {
      byte[] stateNow = StateFile.read(root);
      Changes changes;
      if (checked != null && !lockedBefore && Arrays.equals(stateBefore, stateNow)) {
        // No run had taken the lock before the checks, and none has changed anything since
        // (it would have changed the state file first): the checks still hold.
        changes = checked;
      } else {
        StateFile old = StateFile.parse(root, stateNow);
        StagingDirectory.cleanUpInterruptedRun(root, desired.unitsDir, old);
        changes = TreeAnalysis.analyze(root, desired, old, force);
      }
      return ChangeExecutor.execute(changes);
    } finally {
      lock.close();
    }
  }

  /**
   * Decides what {@link #apply(Plan, Path)} would change, and writes nothing: not even the lock
   * file, and no lock is taken (another run may change the tree meanwhile). The plan is checked
   * first, then the stage1 rootfs, as {@link #apply(Plan, Path)} checks them.
   *
   * @param plan what to write
   * @param stage1Root the stage1 rootfs directory on the host
   * @return the changes, paths relative to the stage1 rootfs
   * @throws InvalidInputException if the plan itself is inconsistent (as {@link #apply(Plan, Path)})
   * @throws IOException if {@link #apply(Plan, Path)} would refuse the tree before writing (the
   *     stage1 rootfs missing or not a directory, a symlink or non-directory on a path, a file
   *     kvmount did not write or that was changed after it wrote it, a malformed state file) or
   *     reading fails. An interrupted run's leftovers (its staging directory, {@code
   *     .kvmount/state.tmp}) are neither listed nor cleaned up; a run removes them first, and
   *     refuses when it cannot
   */
  public static Changes changes(Plan plan, Path stage1Root) throws IOException, InvalidInputException {
    return changes(plan, stage1Root, false);
  }

  /**
   * Decides what {@link #apply(Plan, Path, Duration, ApplyOptions)} would change, with or without
   * {@code force}, and writes nothing; as {@link #changes(Plan, Path)}.
   *
   * @param plan what to write
   * @param stage1Root the stage1 rootfs directory on the host
   * @param force whether conflicting files would be replaced (listed as backed up and written)
   * @return the changes, paths relative to the stage1 rootfs
   * @throws InvalidInputException if the plan itself is inconsistent
   * @throws ConflictException without {@code force}, naming every conflicting file
   * @throws IOException as {@link #changes(Plan, Path)}
   */
  public static Changes changes(Plan plan, Path stage1Root, boolean force)
      throws IOException, InvalidInputException {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(stage1Root, "stage1Root");
    DesiredTree desired = DesiredTree.of(plan);
    Path root = realRoot(stage1Root);
    return TreeAnalysis.analyze(root, desired, StateFile.parse(root, StateFile.read(root)), force);
  }

  /** Whether {@code .kvmount/lock} is a regular file in a real {@code .kvmount} directory. */
  private static boolean hasLockFile(Path root) throws IOException {
    Path meta = root.resolve(META_DIR);
    return NioGuestFs.lstat(meta) == Kind.DIRECTORY && NioGuestFs.lstat(meta.resolve("lock")) == Kind.FILE;
  }

  private static Path realRoot(Path stage1Root) throws IOException {
    if (!Files.isDirectory(stage1Root)) {
      if (Files.exists(stage1Root)) {
        throw new IOException("stage1 rootfs \"" + stage1Root + "\" is not a directory");
      }
      throw new IOException("stage1 rootfs \"" + stage1Root + "\" does not exist");
    }
    Path real;
    try {
      real = stage1Root.toRealPath();
    } catch (IOException e) {
      throw new IOException("stage1 rootfs \"" + stage1Root + "\": " + IoErrors.reason(e), e);
    }
    if (real.getNameCount() == 0) {
      throw new IOException(
          "stage1 rootfs \"" + stage1Root + "\" is the host's root directory; refusing to write there");
    }
    return real;
  }

  private static Path ensureMetaDir(Path root) throws IOException {
    Path meta = root.resolve(META_DIR);
    Kind k = NioGuestFs.lstat(meta);
    if (k == Kind.DIRECTORY) {
      return meta;
    }
    String notADirectory =
        "refusing to use \"" + META_DIR + "\" in stage1 rootfs \"" + root + "\": it is not a directory";
    if (k != Kind.MISSING) {
      throw new IOException(notADirectory);
    }
    try {
      Files.createDirectory(meta);
      Files.setAttribute(meta, "unix:mode", DesiredTree.PARENT_MODE, LinkOption.NOFOLLOW_LINKS);
    } catch (FileAlreadyExistsException e) {
      // Another run created it first.
      if (NioGuestFs.lstat(meta) != Kind.DIRECTORY) {
        throw new IOException(notADirectory);
      }
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("create directory", META_DIR, root, e);
    }
    return meta;
  }
}
