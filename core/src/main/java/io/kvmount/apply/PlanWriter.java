package io.kvmount.apply;

import io.kvmount.error.InvalidInputException;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import io.kvmount.plan.GuestFs.Kind;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
 *   <li>It removes the files an earlier run wrote that the plan no longer contains, and drop-in
 *       directories it kept for them once they are empty. It never removes a file it did not write,
 *       nor a directory that is not empty.
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
 *       file atomically: no unit is ever seen half written, bug class 29); stale files are
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
 * when it would be overwritten and when it would be removed.
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

  private static final int FILE_MODE = 0644;
  private static final int PARENT_MODE = 0755;
  private static final long MAX_ID = 0xFFFF_FFFEL;
  /** Longest file name (one path component) Linux file systems accept: 255 bytes (NAME_MAX). */
  private static final int MAX_NAME_BYTES = 255;
  /** Longest path, in bytes, without the stage1 rootfs prefix (PATH_MAX 4096 with the NUL). */
  private static final int MAX_PATH_BYTES = 4095;
  private static final Set<java.nio.file.OpenOption> NEW_FILE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  private static final FileAttribute<Set<PosixFilePermission>> STAGED_FILE_PERMISSIONS =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));
  private static final int STAGING_THREADS = 8;

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
   *     where a directory is planned, a path inside {@code .kvmount}, an id outside {@code
   *     0..4294967294}, a line break in a path); nothing is written
   * @throws IOException if the stage1 rootfs does not exist, a path meets a symlink or a
   *     non-directory, a planned file exists and was not written by kvmount, another run holds the
   *     lock, or writing fails (disk full, read-only file system, permission denied); the message
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
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(stage1Root, "stage1Root");
    Objects.requireNonNull(lockWait, "lockWait");
    Desired desired = Desired.of(plan);
    Path root = realRoot(stage1Root);

    // Check everything before writing anything, not even the lock file. A failure here can be
    // a run in another process caught half way (its new files are not in the state yet); when
    // a lock file exists, decide under the lock instead. lockedBefore: whether any run ever
    // took the lock here (every run creates the lock file before it changes anything, and
    // records what it is about to change in the state file first).
    boolean lockedBefore = NioGuestFs.lstat(root.resolve(META_DIR)) == Kind.DIRECTORY
        && NioGuestFs.lstat(root.resolve(META_DIR).resolve("lock")) == Kind.FILE;
    byte[] stateBefore = readStateBytes(root);
    Run checked = new Run(root, desired, parseState(root, stateBefore));
    try {
      checked.analyze();
    } catch (IOException e) {
      Path meta = root.resolve(META_DIR);
      if (NioGuestFs.lstat(meta) != Kind.DIRECTORY
          || NioGuestFs.lstat(meta.resolve("lock")) != Kind.FILE) {
        throw e;
      }
      checked = null;
    }

    Path meta = ensureMetaDir(root);
    ApplyLock lock = ApplyLock.acquire(root, meta, lockWait);
    try {
      byte[] stateNow = readStateBytes(root);
      Run run;
      if (checked != null && !lockedBefore && Arrays.equals(stateBefore, stateNow)) {
        // No run had taken the lock before the checks, and none has changed anything since
        // (it would have changed the state file first): the checks still hold.
        run = checked;
      } else {
        run = new Run(root, desired, parseState(root, stateNow));
        run.cleanUpInterruptedRun();
        run.analyze();
      }
      return run.execute();
    } finally {
      lock.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The plan, validated and expanded into every directory and file to ensure.

  /** Attributes a directory must have: mode bits, owner, and whether they are re-applied. */
  private record DirSpec(int mode, long uid, long gid, boolean managed) {
    static final DirSpec PARENT = new DirSpec(PARENT_MODE, 0, 0, false);

    // Written out, as for MkdirOutcome: no invokedynamic bootstrap on first use.
    @Override
    public boolean equals(Object o) {
      return o instanceof DirSpec s && s.mode == mode && s.uid == uid && s.gid == gid && s.managed == managed;
    }

    @Override
    public int hashCode() {
      return ((mode * 31 + Long.hashCode(uid)) * 31 + Long.hashCode(gid)) * 31 + Boolean.hashCode(managed);
    }
  }

  /**
   * What decides the mode and group a {@code mkdir} gives, besides the process's umask: the
   * existing directory where the chain of new directories began, whether the new directory is
   * directly inside it (a set-group-ID parent passes its group and bit only to direct children),
   * and the mode asked for.
   */
  private record MkdirOutcome(GuestPath start, boolean inherited, int mode) {
    // Written out: a record's own equals and hashCode are bootstrapped through invokedynamic
    // (ObjectMethods) on first use, which cost about 20 ms of a small pod's run (BENCHMARKS.md).
    @Override
    public boolean equals(Object o) {
      return o instanceof MkdirOutcome m && m.inherited == inherited && m.mode == mode && m.start.equals(start);
    }

    @Override
    public int hashCode() {
      return (start.hashCode() * 31 + Boolean.hashCode(inherited)) * 31 + mode;
    }
  }

  /** One file to write: its path relative to the stage1 rootfs, its bytes and their SHA-256. */
  private static final class FileSpec {
    private final GuestPath path;
    private final byte[] content;
    private volatile String sha;

    FileSpec(GuestPath path, byte[] content) {
      this.path = path;
      this.content = content;
    }

    GuestPath path() {
      return path;
    }

    byte[] content() {
      return content;
    }

    /** SHA-256 of the content in hex, computed once, by whichever thread first needs it. */
    String sha() {
      String s = sha;
      if (s == null) {
        s = sha256(content);
        sha = s;
      }
      return s;
    }
  }

  private static final class Desired {
    final GuestPath unitsDir;

    /** Every directory to ensure; planned attributes win over parent defaults. */
    final Map<GuestPath, DirSpec> dirs;

    /** The keys of {@link #dirs} in {@link GuestPath} order: parents before children. */
    GuestPath[] sortedDirs;

    /** Planned directories in plan order (walked first, for the messages). */
    final List<GuestPath> planned = new ArrayList<>();

    /** Every file, in plan order. */
    final LinkedHashMap<GuestPath, FileSpec> files;

    /** Directories strictly below the units directory that hold planned files. */
    final TreeSet<GuestPath> fileDirs = new TreeSet<>();

    /**
     * The bytes of the state a completed run leaves. It depends only on the plan: run by a thread
     * of its own for a large plan (started by {@link #of}), else by the first to ask.
     */
    final java.util.concurrent.FutureTask<byte[]> finalStateBytes =
        new java.util.concurrent.FutureTask<>(() -> finalState().toBytes());

    /** Sized for the plan (parents included: about a third more directories than planned). */
    private Desired(GuestPath unitsDir, int plannedDirs, int plannedFiles) {
      this.unitsDir = unitsDir;
      this.dirs = new HashMap<>((plannedDirs + plannedFiles / 8 + 16) * 2);
      this.files = new LinkedHashMap<>(plannedFiles * 4 / 3 + 16);
    }

    static Desired of(Plan plan) throws InvalidInputException {
      GuestPath units = Objects.requireNonNull(plan.unitsDir(), "plan.unitsDir");
      if (units.isRoot()) {
        throw new InvalidInputException("plan: the units directory is the stage1 rootfs itself");
      }
      checkPath(units, "units directory");
      Desired d = new Desired(units, plan.directories().size(), plan.files().size());
      for (PlannedDirectory pd : plan.directories()) {
        d.addPlanned(pd);
      }
      for (GuestPath p : new ArrayList<>(d.dirs.keySet())) {
        d.addParents(p.parent());
      }
      // Each file is checked, encoded and hashed on its own (in parallel for a large plan: the
      // hashes are needed by the state file in any case), then added in plan order, so the first
      // error reported is the one a single pass in order gives.
      List<PlannedFile> planned = plan.files();
      Prepared[] prepared = new Prepared[planned.size()];
      boolean parallel = prepared.length >= Run.PARALLEL_MIN; // then hashed here too
      java.util.stream.IntStream each = java.util.stream.IntStream.range(0, prepared.length);
      if (parallel) {
        each = each.parallel();
      }
      each.forEach(i -> prepared[i] = d.prepare(planned.get(i), parallel));
      for (Prepared p : prepared) {
        d.addFile(p);
      }
      d.sortedDirs = d.dirs.keySet().toArray(new GuestPath[0]);
      Arrays.parallelSort(d.sortedDirs); // 13,000 directories for a 1,000-app pod: on two threads
      for (GuestPath f : d.files.keySet()) {
        if (d.dirs.containsKey(f)) {
          throw new InvalidInputException(
              "plan: \"" + rel(f) + "\" is planned both as a file and as a directory");
        }
      }
      if (parallel) {
        // Every hash is known now: the final state is serialised beside the checks of the tree
        // and the journal, which waits for it (a run that fails its checks just drops it).
        Thread t = new Thread(d.finalStateBytes, "kvmount-state");
        t.setDaemon(true);
        t.start();
      }
      return d;
    }

    /** The state a completed run leaves: every planned file with its hash, the drop-in dirs. */
    private StateFile finalState() {
      Map<GuestPath, SortedSet<String>> byPath = new LinkedHashMap<>(files.size() * 2);
      for (FileSpec f : files.values()) {
        TreeSet<String> sha = new TreeSet<>();
        sha.add(f.sha());
        byPath.put(f.path(), sha);
      }
      return new StateFile(byPath, fileDirs, Set.of(), Set.of());
    }

    /**
     * Adds one planned directory, checked. Its own method, as is {@link #addFile}: called once per
     * entry, it is compiled early, where the body of {@link #of}'s loop would run interpreted.
     */
    private void addPlanned(PlannedDirectory pd) throws InvalidInputException {
      GuestPath p = pd.path();
      if (p.isRoot()) {
        throw new InvalidInputException(
            "plan: directory \"/\" is the stage1 rootfs itself and cannot be created");
      }
      checkPath(p, "directory");
      checkId(pd.uid(), "uid", p);
      checkId(pd.gid(), "gid", p);
      DirSpec spec = new DirSpec(pd.mode().bits(), pd.uid(), pd.gid(), pd.managed());
      DirSpec prev = dirs.putIfAbsent(p, spec);
      if (prev != null && !prev.equals(spec)) {
        throw new InvalidInputException(
            "plan: directory \"" + rel(p) + "\" is planned twice with different mode or owner");
      }
      if (prev == null) {
        planned.add(p);
      }
    }

    /** One planned file, checked and encoded (and hashed, when asked), or what is wrong with it. */
    private static final class Prepared {
      FileSpec spec;
      InvalidInputException error;
    }

    /**
     * Checks and encodes one planned file; never throws (the error is kept for {@link #addFile},
     * which reports errors in plan order). Reads only {@link #unitsDir}: safe on any thread.
     */
    private Prepared prepare(PlannedFile pf, boolean hash) {
      Prepared p = new Prepared();
      try {
        RelativePath relPath = pf.path();
        if (relPath.isEmpty()) {
          throw new InvalidInputException("plan: a unit file has an empty path");
        }
        for (RelativePath q = relPath; !q.isEmpty(); q = q.parent()) { // no component list per file
          if (q.fileName().startsWith(".kvmount-")) {
            throw new InvalidInputException(
                "plan: file \"" + relPath + "\" uses the reserved prefix \".kvmount-\"");
          }
        }
        GuestPath full = unitsDir.resolve(relPath);
        checkPath(full, "file");
        p.spec = new FileSpec(full, encode(pf.content(), full));
        if (hash) {
          p.spec.sha();
        }
      } catch (InvalidInputException e) {
        p.error = e;
      }
      return p;
    }

    /** Adds one prepared file and the directories that hold it; throws its error, if any. */
    private void addFile(Prepared p) throws InvalidInputException {
      if (p.error != null) {
        throw p.error;
      }
      GuestPath full = p.spec.path();
      if (files.putIfAbsent(full, p.spec) != null) {
        throw new InvalidInputException("plan: file \"" + rel(full) + "\" is planned twice");
      }
      addParents(full.parent());
      addParents(unitsDir);
      for (GuestPath q = full.parent(); !q.equals(unitsDir); q = q.parent()) {
        fileDirs.add(q);
      }
    }

    /**
     * Adds {@code p} and its ancestors (not the root) with parent defaults, if not planned.
     * Stops at the first one already present: callers add planned directories' parents in
     * sorted order (parents before children) and files' parents after all of them, so a present
     * directory already has all its ancestors. This keeps a 10,000-mount plan to a few map
     * operations per path instead of one per ancestor.
     */
    private void addParents(GuestPath p) {
      for (GuestPath q = p; !q.isRoot(); q = q.parent()) {
        if (dirs.putIfAbsent(q, DirSpec.PARENT) != null) {
          return;
        }
      }
    }

    private static void checkPath(GuestPath p, String what) throws InvalidInputException {
      if (p.ancestor(1).fileName().equals(META_DIR)) {
        throw new InvalidInputException(
            "plan: "
                + what
                + " \""
                + rel(p)
                + "\" is inside kvmount's own directory \""
                + META_DIR
                + "\"");
      }
      // The components in order, for the first bad one's message, only when one may be bad.
      for (String c : componentsFine(p) ? List.<String>of() : p.components()) {
        if (c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
          throw new InvalidInputException(
              "plan: "
                  + what
                  + " path "
                  + quoteEscaped(p.relativeString())
                  + " contains a line break");
        }
        int bytes = c.length() * 3 <= MAX_NAME_BYTES ? 0 : c.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
          throw new InvalidInputException(
              "plan: " + what + " path " + quoteEscaped(shorten(p.relativeString())) + " has a component of " + bytes
                  + " bytes; Linux file names are at most " + MAX_NAME_BYTES + " bytes");
        }
      }
      String text = p.toString();
      int total = text.length() * 3 <= MAX_PATH_BYTES ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
      if (total > MAX_PATH_BYTES) {
        throw new InvalidInputException(
            "plan: " + what + " path " + quoteEscaped(shorten(p.relativeString())) + " is " + total
                + " bytes long; Linux paths are at most " + MAX_PATH_BYTES + " bytes");
      }
    }

    /**
     * Whether no component of {@code p} has a line break or could be over {@link #MAX_NAME_BYTES}
     * bytes; walks up the parents, with no list of components (one is made per new path).
     */
    private static boolean componentsFine(GuestPath p) {
      for (GuestPath q = p; !q.isRoot(); q = q.parent()) {
        String c = q.fileName();
        if (c.length() * 3 > MAX_NAME_BYTES || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
          return false;
        }
      }
      return true;
    }

    private static String shorten(String s) {
      return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    private static void checkId(long id, String which, GuestPath p) throws InvalidInputException {
      if (id < 0 || id > MAX_ID) {
        throw new InvalidInputException(
            "plan: directory \""
                + rel(p)
                + "\" has "
                + which
                + " "
                + id
                + ", outside 0..4294967294");
      }
    }

    private static byte[] encode(String content, GuestPath p) throws InvalidInputException {
      byte[] fast = content.getBytes(StandardCharsets.UTF_8);
      if (fast.length == content.length()) {
        return fast; // all ASCII: no surrogate to check
      }
      try {
        ByteBuffer b =
            StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(content));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      } catch (CharacterCodingException e) {
        throw new InvalidInputException(
            "plan: file \"" + rel(p) + "\" has content that is not valid Unicode (lone surrogate)");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // One run: checks, then changes.

  private static final class Run {
    final Path root;
    final Desired d;
    final StateFile old;
    final ProcessCreds creds = ProcessCreds.current();

    /** lstat results of paths walked so far. */
    final Map<GuestPath, Kind> seen = new HashMap<>();

    final List<GuestPath> create = new ArrayList<>();
    final List<GuestPath> fix = new ArrayList<>();
    /** Files to write: staged, then renamed into place. */
    final List<FileSpec> write = new ArrayList<>();
    final List<FileSpec> unchanged = new ArrayList<>();
    final List<GuestPath> removeFiles = new ArrayList<>();
    final List<GuestPath> removeDirsIfEmpty = new ArrayList<>();

    Run(Path root, Desired d, StateFile old) {
      this.root = root;
      this.d = d;
      this.old = old;
    }

    Path host(GuestPath p) {
      return p.isRoot() ? root : root.resolve(p.relativeString());
    }

    Kind kind(GuestPath p) throws IOException {
      Kind k = seen.get(p);
      if (k == null) {
        try {
          k = NioGuestFs.lstat(host(p));
        } catch (IOException e) {
          throw wrap("look up", rel(p), root, e);
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
    boolean walk(GuestPath target, boolean withSelf, String verb) throws IOException {
      int n = withSelf ? target.depth() : target.depth() - 1;
      for (int i = 1; i <= n; i++) {
        GuestPath prefix = target.ancestor(i);
        Kind k = kind(prefix);
        if (k == Kind.MISSING) {
          return false;
        }
        if (k == Kind.SYMLINK) {
          throw new IOException(
              "refusing to "
                  + verb
                  + " \""
                  + rel(target)
                  + "\": \""
                  + rel(prefix)
                  + "\" is a symlink");
        }
        if (k != Kind.DIRECTORY) {
          throw new IOException(
              "refusing to "
                  + verb
                  + " \""
                  + rel(target)
                  + "\": \""
                  + rel(prefix)
                  + "\" is not a directory");
        }
      }
      return true;
    }

    /** Whether every component of {@code p} is a directory (walk must have covered it). */
    boolean exists(GuestPath p) {
      for (GuestPath q = p; !q.isRoot(); q = q.parent()) {
        if (seen.get(q) != Kind.DIRECTORY) {
          return false;
        }
      }
      return true;
    }

    /** Checks the whole tree and decides every change; writes nothing. */
    void analyze() throws IOException {
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
      for (GuestPath p : d.sortedDirs) {
        analyzeDirectory(p);
      }
      for (FileSpec f : d.files.values()) {
        analyzeFile(f);
      }
      TreeSet<GuestPath> known = new TreeSet<>(old.files().keySet()); // sorted: same messages each run
      for (GuestPath p : known) {
        if (!d.files.containsKey(p)) {
          analyzeStale(p);
        }
      }
      TreeSet<GuestPath> gone = new TreeSet<>(old.dirs());
      gone.addAll(old.mkdirs());
      gone.removeAll(d.dirs.keySet());
      removeDirsIfEmpty.addAll(gone.descendingSet());
    }

    private void checkMeta() throws IOException {
      GuestPath meta = GuestPath.ROOT.resolve(META_DIR);
      Kind k = kind(meta);
      if (k == Kind.MISSING) {
        return;
      }
      if (k != Kind.DIRECTORY) {
        throw new IOException(
            "refusing to use \""
                + META_DIR
                + "\" in stage1 rootfs \""
                + root
                + "\": it is "
                + (k == Kind.SYMLINK ? "a symlink" : "not a directory"));
      }
      for (String name : List.of("lock", "state", "state.tmp")) {
        Kind f = kind(meta.resolve(name));
        if (f != Kind.MISSING && f != Kind.FILE) {
          throw new IOException(
              "refusing to use \""
                  + META_DIR
                  + "/"
                  + name
                  + "\" in stage1 rootfs \""
                  + root
                  + "\": it is "
                  + (f == Kind.SYMLINK ? "a symlink" : "not a regular file"));
        }
      }
    }

    /** Whether a planned directory is created, or has its mode and owner re-applied. */
    private void analyzeDirectory(GuestPath p) throws IOException {
      DirSpec spec = d.dirs.get(p);
      if (!exists(p)) {
        create.add(p);
      } else if (spec.managed() || old.mkdirs().contains(p)) {
        if (!hasAttributes(p, spec)) {
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
      switch (k) {
        case MISSING:
          write.add(f);
          return;
        case SYMLINK:
          throw new IOException("refusing to write \"" + rel(f.path()) + "\": it is a symlink");
        case DIRECTORY:
          throw new IOException("refusing to write \"" + rel(f.path()) + "\": it is a directory");
        case OTHER:
          throw new IOException(
              "refusing to write \"" + rel(f.path()) + "\": it is not a regular file");
        default:
          break;
      }
      byte[] disk = readFile(f.path());
      if (Arrays.equals(disk, f.content())) {
        if (mode(f.path()) == FILE_MODE) {
          unchanged.add(f);
        } else {
          write.add(f);
        }
        return;
      }
      if (!old.files().containsKey(f.path())) {
        throw new IOException(
            "refusing to overwrite \"" + rel(f.path()) + "\": not written by kvmount");
      }
      if (!old.wrote(f.path(), sha256(disk))) {
        throw new IOException(
            "refusing to overwrite \""
                + rel(f.path())
                + "\": it was changed after kvmount wrote it; move it away to let kvmount"
                + " write it again");
      }
      write.add(f);
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
      if (!old.wrote(p, sha256(readFile(p)))) {
        throw new IOException(
            "refusing to remove \""
                + rel(p)
                + "\": it was changed after kvmount wrote it; remove it by hand if it is no"
                + " longer needed");
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
        throw wrap("read", rel(p), root, e);
      }
    }

    private int mode(GuestPath p) throws IOException {
      try {
        return ((Integer) Files.getAttribute(host(p), "unix:mode", LinkOption.NOFOLLOW_LINKS))
            & 07777;
      } catch (IOException e) {
        throw wrap("read the mode of", rel(p), root, e);
      }
    }

    private boolean hasAttributes(GuestPath p, DirSpec spec) throws IOException {
      Path h = host(p);
      try {
        Map<String, Object> a =
            Files.readAttributes(h, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        return (((Integer) a.get("mode")) & 07777) == spec.mode()
            && Integer.toUnsignedLong((Integer) a.get("uid")) == spec.uid()
            && Integer.toUnsignedLong((Integer) a.get("gid")) == spec.gid();
      } catch (IOException e) {
        throw wrap("read the attributes of", rel(p), root, e);
      }
    }

    /** Removes the temporary files and directories an interrupted run left; under the lock. */
    void cleanUpInterruptedRun() throws IOException {
      Path tmp = root.resolve(META_DIR).resolve("state.tmp");
      if (NioGuestFs.lstat(tmp) == Kind.FILE) {
        try {
          Files.delete(tmp);
        } catch (IOException e) {
          throw wrap("remove", META_DIR + "/state.tmp", root, e);
        }
      }
      Set<GuestPath> candidates = new LinkedHashSet<>(old.staging());
      if (realDirs(d.unitsDir)) {
        try (DirectoryStream<Path> ds =
            Files.newDirectoryStream(host(d.unitsDir), STAGING_PREFIX + "*")) {
          for (Path e : ds) {
            candidates.add(d.unitsDir.resolve(e.getFileName().toString()));
          }
        } catch (IOException e) {
          throw wrap("list", rel(d.unitsDir), root, e);
        }
      }
      for (GuestPath s : candidates) {
        if (s.fileName().startsWith(STAGING_PREFIX) && realDirs(s)) {
          removeStaging(host(s), rel(s));
        }
      }
    }

    /** Whether every component of {@code p} is a directory, not a symlink; no caching. */
    private boolean realDirs(GuestPath p) throws IOException {
      Path r = root;
      for (String c : p.components()) {
        r = r.resolve(c);
        if (NioGuestFs.lstat(r) != Kind.DIRECTORY) {
          return false;
        }
      }
      return true;
    }

    private void removeStaging(Path dir, String relName) throws IOException {
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
        throw wrap("remove staging directory", relName, root, e);
      }
    }

    /** Makes the changes {@link #analyze} decided. */
    ApplyResult execute() throws IOException {
      List<String> removed = new ArrayList<>();
      GuestPath staging =
          write.isEmpty()
              ? null
              : d.unitsDir.resolve(STAGING_PREFIX + HexFormat.of().formatHex(randomBytes()));
      boolean recordFirst = !create.isEmpty() || !write.isEmpty();
      Path stateFile = root.resolve(META_DIR).resolve("state");
      boolean hadState = NioGuestFs.lstat(stateFile) == Kind.FILE;
      byte[] oldStateBytes = hadState ? Files.readAllBytes(stateFile) : null;
      // Insertion order (parents first) for the roll-back; a set for look-ups. Guarded by itself.
      LinkedHashSet<GuestPath> createdNow = new LinkedHashSet<>(create.size() * 4 / 3 + 16);
      // Set once a change cannot be rolled back (a file moved into place or removed).
      boolean renamed = false;
      boolean stagingMade = false;
      try {
        if (recordFirst) {
          inParallel(write, FileSpec::sha); // the hashes go into the state first
        }
        // The final state depends only on the plan: for a large plan its own thread has been
        // serialising it since the plan was checked (Desired.of).
        java.util.concurrent.FutureTask<byte[]> finalBytes = d.finalStateBytes;
        if (recordFirst) {
          writeState(root, journal(staging, finalBytes));
        }
        makeDirectories(createdNow);
        for (GuestPath p : fix) {
          setAttributes(p, d.dirs.get(p));
        }
        if (staging != null) {
          makeStagingDirectory(staging);
          stagingMade = true;
          stageAll(staging);
          fsyncDirectory(staging);
        }
        Set<GuestPath> parents = new LinkedHashSet<>();
        if (!write.isEmpty()) {
          Path stagingDir = host(staging);
          moveIntoPlace(stagingDir, 0); // the first alone: if it fails, everything can be undone
          renamed = true;
          List<Integer> rest = new ArrayList<>(write.size());
          for (int i = 1; i < write.size(); i++) {
            rest.add(i);
          }
          inParallel(rest, i -> moveIntoPlace(stagingDir, i));
          for (FileSpec f : write) {
            parents.add(f.path().parent());
          }
        }
        for (GuestPath p : removeFiles) {
          try {
            Files.delete(host(p));
          } catch (NoSuchFileException e) {
            continue;
          } catch (IOException e) {
            throw wrap("remove", rel(p), root, e);
          }
          renamed = true;
          removed.add(rel(p));
          parents.add(p.parent());
        }
        for (GuestPath p : removeDirsIfEmpty) {
          if (realDirs(p)) {
            try {
              Files.delete(host(p));
              parents.add(p.parent());
            } catch (DirectoryNotEmptyException e) {
              // It holds someone else's files: leave it and forget it.
            } catch (IOException e) {
              throw wrap("remove directory", rel(p), root, e);
            }
          }
        }
        if (stagingMade) {
          try {
            Files.delete(host(staging));
          } catch (IOException e) {
            throw wrap("remove staging directory", rel(staging), root, e);
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
        finalBytes.run(); // no-op when the thread ran it
        byte[] fin = join(finalBytes);
        byte[] current =
            NioGuestFs.lstat(stateFile) == Kind.FILE ? Files.readAllBytes(stateFile) : null;
        if (!Arrays.equals(fin, current)) {
          writeState(root, fin);
        }
      } catch (IOException e) {
        if (!renamed) {
          rollBack(e, stagingMade ? staging : null, createdNow, recordFirst, oldStateBytes);
        } else if (stagingMade) {
          try {
            removeStaging(host(staging), rel(staging));
          } catch (IOException second) {
            e.addSuppressed(second);
          }
        }
        throw e;
      } finally {
        if (pool != null) {
          pool.shutdownNow();
        }
      }
      List<String> created = new ArrayList<>();
      for (GuestPath p : create) {
        created.add(rel(p)); // all of them were created, parents first
      }
      Set<FileSpec> changed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      changed.addAll(write);
      List<String> written = new ArrayList<>();
      List<String> same = new ArrayList<>();
      for (FileSpec f : d.files.values()) { // plan order
        if (changed.contains(f)) {
          written.add(rel(f.path()));
        }
      }
      for (FileSpec f : unchanged) {
        same.add(rel(f.path()));
      }
      return new ApplyResult(written, same, removed, created);
    }

    /** The result of a task run on another thread; waits uninterruptibly. */
    private static byte[] join(java.util.concurrent.FutureTask<byte[]> task) {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return task.get();
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
              throw (RuntimeException) c;
            }
            if (c instanceof Error) {
              throw (Error) c;
            }
            throw new IllegalStateException(c);
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Renames staged file {@code i} over its target (atomic: {@code rename(2)}). */
    private void moveIntoPlace(Path stagingDir, int i) throws IOException {
      GuestPath target = write.get(i).path();
      try {
        Files.move(stagingDir.resolve("f" + i), host(target), StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw wrap("move into place", rel(target), root, e);
      }
    }

    /**
     * Creates the missing directories, parents first: one depth at a time, the directories of one
     * depth in parallel (their parents all exist by then).
     */
    private void makeDirectories(LinkedHashSet<GuestPath> createdNow) throws IOException {
      if (createdChainStart.isEmpty()) {
        createdChainStart = new ConcurrentHashMap<>(create.size() * 4 / 3 + 16); // sized once, not grown
      }
      TreeMap<Integer, List<GuestPath>> byDepth = new TreeMap<>();
      for (GuestPath p : create) {
        byDepth.computeIfAbsent(p.depth(), k -> new ArrayList<>()).add(p);
      }
      for (List<GuestPath> level : byDepth.values()) {
        inParallel(level, p -> makeDirectory(p, createdNow));
      }
    }

    /** Threads that write files and directories; made on first use. */
    private ExecutorService pool;

    /** Smallest batch worth handing to other threads. */
    static final int PARALLEL_MIN = 64;

    /** One step that may fail with an I/O error. */
    private interface IoStep<T> {
      void run(T item) throws IOException;
    }

    /**
     * Runs the step for every item, in parallel when there are many: the items are cut into
     * contiguous chunks for {@link #STAGING_THREADS} threads. Returns when every chunk has
     * finished (after a failure the others stop at their next item); throws the failure of the
     * earliest failed chunk, with later ones suppressed.
     */
    private <T> void inParallel(List<T> items, IoStep<T> step) throws IOException {
      if (items.size() < PARALLEL_MIN) {
        for (T t : items) {
          step.run(t);
        }
        return;
      }
      if (pool == null) {
        pool =
            Executors.newFixedThreadPool(
                STAGING_THREADS,
                r -> {
                  Thread t = new Thread(r, "kvmount-write");
                  t.setDaemon(true);
                  return t;
                });
      }
      java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
      int chunks = Math.min(items.size() / 16, STAGING_THREADS * 4);
      List<Future<?>> done = new ArrayList<>(chunks);
      for (int c = 0; c < chunks; c++) {
        int from = (int) ((long) items.size() * c / chunks);
        int to = (int) ((long) items.size() * (c + 1) / chunks);
        done.add(
            pool.submit(
                () -> {
                  for (int i = from; i < to && !failed.get(); i++) {
                    try {
                      step.run(items.get(i));
                    } catch (IOException | RuntimeException e) {
                      failed.set(true);
                      throw e;
                    }
                  }
                  return null;
                }));
      }
      Throwable first = null;
      boolean interrupted = false;
      for (Future<?> f : done) {
        while (true) {
          try {
            f.get();
            break;
          } catch (ExecutionException e) {
            if (first == null) {
              first = e.getCause();
            } else {
              first.addSuppressed(e.getCause());
            }
            break;
          } catch (InterruptedException e) {
            interrupted = true; // finish waiting: no thread may still be writing after this
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (first instanceof IOException) {
        throw (IOException) first;
      }
      if (first instanceof RuntimeException) {
        throw (RuntimeException) first;
      }
      if (first != null) {
        throw new IOException("write: " + first, first);
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

    /**
     * The bytes of the state recorded before changing anything ({@link #pendingState}). With no
     * earlier state and every planned file to be written (a new stage1 rootfs), that state is the
     * final one plus the new directories and the staging directory: the final state's bytes (from
     * {@code finalBytes}, computed beside this) are reused, and only the rest is serialised here.
     * {@link StateFile#parse} reads both forms as the same state ({@code StateFileTest}).
     */
    private byte[] journal(GuestPath staging, java.util.concurrent.FutureTask<byte[]> finalBytes) {
      boolean fresh = old.files().isEmpty() && old.dirs().isEmpty() && old.mkdirs().isEmpty()
          && old.staging().isEmpty() && unchanged.isEmpty() && write.size() == d.files.size();
      if (!fresh) {
        return pendingState(staging).toJournalBytes();
      }
      // The rest first, while the other thread serialises the final state.
      byte[] rest = restOfJournal(new LinkedHashSet<>(create), staging == null ? Set.of() : Set.of(staging));
      finalBytes.run(); // no-op when the other thread runs it
      return concatJournal(join(finalBytes), rest);
    }

    /** The state recorded before changing anything: old and new files, new dirs, staging. */
    private StateFile pendingState(GuestPath staging) {
      Map<GuestPath, SortedSet<String>> files =
          new HashMap<>((old.files().size() + write.size() + unchanged.size()) * 4 / 3 + 16);
      for (Map.Entry<GuestPath, SortedSet<String>> e : old.files().entrySet()) {
        files.put(e.getKey(), new TreeSet<>(e.getValue()));
      }
      for (FileSpec f : write) {
        files.computeIfAbsent(f.path(), k -> new TreeSet<>()).add(f.sha());
      }
      for (FileSpec f : unchanged) {
        files.computeIfAbsent(f.path(), k -> new TreeSet<>()).add(f.sha());
      }
      // Insertion-ordered: the new directories come parents first, already in state-file order.
      Set<GuestPath> dirs = new LinkedHashSet<>(old.dirs());
      dirs.addAll(d.fileDirs);
      Set<GuestPath> mkdirs = new LinkedHashSet<>((old.mkdirs().size() + create.size()) * 4 / 3 + 16);
      mkdirs.addAll(old.mkdirs());
      mkdirs.addAll(create);
      Set<GuestPath> stagings = new HashSet<>();
      if (staging != null) {
        stagings.add(staging);
      }
      return new StateFile(files, dirs, mkdirs, stagings);
    }

    /** Best effort: undoes the changes of a run that failed before moving any file into place. */
    private void rollBack(
        IOException cause,
        GuestPath staging,
        LinkedHashSet<GuestPath> createdNow,
        boolean recordedFirst,
        byte[] oldStateBytes) {
      try {
        if (staging != null) {
          removeStaging(host(staging), rel(staging));
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
            Files.deleteIfExists(root.resolve(META_DIR).resolve("state"));
          } else {
            writeState(root, oldStateBytes);
          }
        }
      } catch (IOException | RuntimeException second) {
        cause.addSuppressed(second);
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
        ensureFileMode(h, dir);
        ch.force(true);
      }
    }

    /** Directories in which a file created 0644 was seen to come out 0644 (see {@link #makeDirectory}). */
    private final Set<GuestPath> provenFileModes = ConcurrentHashMap.newKeySet();

    /**
     * Makes sure a file just created 0644 in {@code dir} has mode 0644: the umask or the
     * directory's default ACL may have taken bits away. Both are the same for every file created
     * in directories of one chain of new directories, so one {@code lstat} per chain tells; when
     * bits are missing, the mode is set through a descriptor opened without following links.
     */
    private void ensureFileMode(Path h, GuestPath dir) throws IOException {
      GuestPath start = createdChainStart.getOrDefault(dir, dir);
      if (provenFileModes.contains(start)) {
        return;
      }
      if (((Integer) Files.getAttribute(h, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777) == FILE_MODE) {
        provenFileModes.add(start);
      } else {
        Files.setAttribute(h, "unix:mode", FILE_MODE, LinkOption.NOFOLLOW_LINKS);
      }
    }

    /**
     * Creates one directory, records it, then makes sure of its owner and mode.
     *
     * <p>When this process's uid, gid and umask say that {@code mkdir} with the final mode gives
     * exactly that mode and owner, the directory is created so, in one system call; otherwise it
     * is created owner-only ({@code 0700}) and then given its owner and mode. What {@code mkdir}
     * really gives depends, besides the umask, only on the parent: its set-group-ID bit and its
     * default ACL, which a new directory inherits. So the result is confirmed with an {@code
     * lstat} once per starting point and mode, and corrected when it differs: a starting point
     * is an existing parent, or, for a directory inside one created in this run (without a
     * set-group-ID mode), the existing directory where that chain of new directories began.
     */
    private void makeDirectory(GuestPath p, Set<GuestPath> createdNow) throws IOException {
      Path h = host(p);
      DirSpec spec = d.dirs.get(p);
      boolean direct = creds.mkdirGives(spec.mode(), spec.uid(), spec.gid());
      try {
        Files.createDirectory(h, permissions(direct ? spec.mode() : 0700));
      } catch (IOException e) {
        throw wrap("create directory", rel(p), root, e);
      }
      synchronized (createdNow) {
        createdNow.add(p); // before anything else can fail, so that a roll-back removes it
      }
      GuestPath parent = p.parent();
      GuestPath chainStart = createdChainStart.get(parent);
      DirSpec parentSpec = d.dirs.get(parent);
      boolean inherits = chainStart != null && parentSpec != null && (parentSpec.mode() & 02000) == 0;
      MkdirOutcome outcome = new MkdirOutcome(inherits ? chainStart : parent, inherits, spec.mode());
      createdChainStart.put(p, inherits ? chainStart : parent);
      if (!direct) {
        setAttributes(p, spec);
      } else if (!provenOutcomes.contains(outcome)) {
        if (hasAttributes(p, spec)) {
          provenOutcomes.add(outcome);
        } else {
          setAttributes(p, spec);
        }
      }
    }

    /** For each directory created in this run, the existing directory its chain of new ones began in. */
    private Map<GuestPath, GuestPath> createdChainStart = new ConcurrentHashMap<>();

    /** Starting points and modes for which {@code mkdir} was seen to give exactly the mode and owner. */
    private final Set<MkdirOutcome> provenOutcomes = ConcurrentHashMap.newKeySet();

    /** {@code mkdir} permission attributes by mode (only a few distinct modes occur). */
    private final Map<Integer, FileAttribute<Set<PosixFilePermission>>> permissionAttributes =
        new ConcurrentHashMap<>();

    private FileAttribute<Set<PosixFilePermission>> permissions(int mode) {
      return permissionAttributes.computeIfAbsent(mode, m -> {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
          PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
          PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
          PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int i = 0; i < bits.length; i++) {
          if ((m & (1 << i)) != 0) {
            set.add(bits[i]);
          }
        }
        return PosixFilePermissions.asFileAttribute(set);
      });
    }

    /** chown, then chmod (chown may clear set-id bits), both without following links. */
    private void setAttributes(GuestPath p, DirSpec spec) throws IOException {
      Path h = host(p);
      Map<String, Object> a;
      try {
        a = Files.readAttributes(h, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw wrap("read the owner of", rel(p), root, e);
      }
      long uid = Integer.toUnsignedLong((Integer) a.get("uid"));
      long gid = Integer.toUnsignedLong((Integer) a.get("gid"));
      try {
        if (uid != spec.uid()) {
          Files.setAttribute(h, "unix:uid", (int) spec.uid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (gid != spec.gid()) {
          Files.setAttribute(h, "unix:gid", (int) spec.gid(), LinkOption.NOFOLLOW_LINKS);
        }
      } catch (IOException e) {
        IOException w =
            wrap("set owner " + spec.uid() + ":" + spec.gid() + " of directory", rel(p), root, e);
        if (e instanceof AccessDeniedException || "operation not permitted".equals(reasonOf(e))) {
          w =
              new IOException(
                  w.getMessage() + " (only root can give a directory to another user)", e);
        }
        throw w;
      }
      try {
        Files.setAttribute(h, "unix:mode", spec.mode(), LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw wrap(
            "set mode " + String.format("%04o", spec.mode()) + " of directory", rel(p), root, e);
      }
    }

    private void makeStagingDirectory(GuestPath s) throws IOException {
      try {
        Files.createDirectory(
            host(s),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (IOException e) {
        throw wrap("create staging directory", rel(s), root, e);
      }
    }

    /**
     * Writes and fsyncs every changed file into the staging directory. The fsyncs run on a few
     * threads at once: the file system commits concurrent fsyncs together, which makes a large plan
     * several times faster than one fsync after the other.
     */
    private void stageAll(GuestPath staging) throws IOException {
      List<Integer> indices = new ArrayList<>(write.size());
      for (int i = 0; i < write.size(); i++) {
        indices.add(i);
      }
      Path dir = host(staging); // staged files are named on the host side: no guest path each
      inParallel(indices, i -> stageFile(dir.resolve("f" + i), staging, write.get(i)));
    }

    private void stageFile(Path staged, GuestPath staging, FileSpec f) throws IOException {
      try {
        writeExclusive(staged, staging, f.content());
      } catch (IOException e) {
        throw wrap("write", rel(f.path()), root, e);
      }
    }

    private void fsyncDirectory(GuestPath p) throws IOException {
      try (FileChannel ch = FileChannel.open(host(p), StandardOpenOption.READ)) {
        ch.force(true);
      } catch (IOException e) {
        throw wrap("sync directory", rel(p), root, e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Stage1 rootfs, state file, messages.

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
      throw new IOException("stage1 rootfs \"" + stage1Root + "\": " + reasonOf(e), e);
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
    if (k != Kind.MISSING) {
      throw new IOException(
          "refusing to use \""
              + META_DIR
              + "\" in stage1 rootfs \""
              + root
              + "\": it is not a directory");
    }
    try {
      Files.createDirectory(meta);
      Files.setAttribute(meta, "unix:mode", PARENT_MODE, LinkOption.NOFOLLOW_LINKS);
    } catch (FileAlreadyExistsException e) {
      // Another run created it first.
      if (NioGuestFs.lstat(meta) != Kind.DIRECTORY) {
        throw new IOException(
            "refusing to use \""
                + META_DIR
                + "\" in stage1 rootfs \""
                + root
                + "\": it is not a directory");
      }
    } catch (IOException e) {
      throw wrap("create directory", META_DIR, root, e);
    }
    return meta;
  }

  /** The state file's content, parsed; {@link StateFile#EMPTY} for null (no state file). */
  private static StateFile parseState(Path root, byte[] bytes) throws IOException {
    return bytes == null
        ? StateFile.EMPTY
        : StateFile.parse(bytes, root.resolve(META_DIR).resolve("state").toString());
  }

  /** The bytes of {@code .kvmount/state}, or null when it is missing or not a regular file. */
  private static byte[] readStateBytes(Path root) throws IOException {
    Path meta = root.resolve(META_DIR);
    if (NioGuestFs.lstat(meta) != Kind.DIRECTORY) {
      return null; // missing; anything else is refused by the checks
    }
    Path state = meta.resolve("state");
    if (NioGuestFs.lstat(state) != Kind.FILE) {
      return null;
    }
    byte[] bytes;
    try (SeekableByteChannel ch =
        Files.newByteChannel(state, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size() + 1, Integer.MAX_VALUE - 16));
      while (ch.read(b) > 0 && b.hasRemaining()) {
        // keep reading
      }
      b.flip();
      bytes = new byte[b.remaining()];
      b.get(bytes);
    } catch (IOException e) {
      throw wrap("read kvmount state", META_DIR + "/state", root, e);
    }
    return bytes;
  }

  /** Replaces {@code .kvmount/state} atomically: temporary file, fsync, rename, fsync dir. */
  private static void writeState(Path root, byte[] bytes) throws IOException {
    Path meta = root.resolve(META_DIR);
    Path tmp = meta.resolve("state.tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        Files.setAttribute(tmp, "unix:mode", FILE_MODE, LinkOption.NOFOLLOW_LINKS);
        ch.force(true);
      }
      Files.move(tmp, meta.resolve("state"), StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel ch = FileChannel.open(meta, StandardOpenOption.READ)) {
        ch.force(true);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException second) {
        e.addSuppressed(second);
      }
      throw wrap("write kvmount state", META_DIR + "/state", root, e);
    }
  }

  /**
   * A journal made of a state's bytes ({@link StateFile#toBytes} or {@link
   * StateFile#toJournalBytes}) and more lines: {@code mkdir} and {@code staging} entries.
   * {@link StateFile#parse} reads it as that state with those entries added.
   *
   * @param stateBytes a serialised state, starting with the header line
   * @param mkdirs directories about to be created
   * @param staging the staging directory about to be used, or none
   * @return the journal's bytes
   */
  static byte[] journalOf(byte[] stateBytes, Set<GuestPath> mkdirs, Set<GuestPath> staging) {
    return concatJournal(stateBytes, restOfJournal(mkdirs, staging));
  }

  /** The {@code mkdir} and {@code staging} lines of a journal, after a header line. */
  private static byte[] restOfJournal(Set<GuestPath> mkdirs, Set<GuestPath> staging) {
    return new StateFile(Map.of(), Set.of(), mkdirs, staging).toJournalBytes();
  }

  /** A state's bytes, then the lines of {@code rest} without its header line. */
  private static byte[] concatJournal(byte[] stateBytes, byte[] rest) {
    int header = StateFile.HEADER.length() + 1; // rest's header line: the state's bytes have it already
    byte[] out = Arrays.copyOf(stateBytes, stateBytes.length + rest.length - header);
    System.arraycopy(rest, header, out, stateBytes.length, rest.length - header);
    return out;
  }

  /**
   * Wraps a file-system failure in a one-line message: {@code <verb> "<path>" in stage1 rootfs
   * "<root>": <reason>}.
   */
  static IOException wrap(String verb, String relPath, Path root, IOException e) {
    return new IOException(
        verb + " \"" + relPath + "\" in stage1 rootfs \"" + root + "\": " + reasonOf(e), e);
  }

  /** The cause of a failure in lower case, without the path Java puts in front of it. */
  static String reasonOf(IOException e) {
    String r = null;
    if (e instanceof FileSystemException) {
      r = ((FileSystemException) e).getReason();
      if (r == null) {
        if (e instanceof NoSuchFileException) {
          r = "no such file or directory";
        } else if (e instanceof AccessDeniedException) {
          r = "permission denied";
        } else if (e instanceof FileAlreadyExistsException) {
          r = "file exists";
        } else if (e instanceof DirectoryNotEmptyException) {
          r = "directory not empty";
        } else if (e instanceof NotDirectoryException) {
          r = "not a directory";
        } else if (e instanceof AtomicMoveNotSupportedException) {
          r = "cannot rename atomically across file systems";
        }
      }
    }
    if (r == null) {
      r = e.getMessage();
    }
    if (r == null || r.isEmpty()) {
      r = e.getClass().getSimpleName();
    }
    r = r.replace('\n', ' ');
    return Character.toLowerCase(r.charAt(0)) + r.substring(1);
  }

  private static String rel(GuestPath p) {
    return p.relativeString();
  }

  private static String quoteEscaped(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") + "\"";
  }

  /**
   * Eight random bytes for a staging directory's name, read from {@code /dev/urandom} (the kernel's
   * CSPRNG, as SecureRandom's default uses it on Linux) without setting up the JCA providers,
   * which cost about 10 ms of a small pod's run; {@link SecureRandom} where that device cannot be
   * read.
   */
  private static byte[] randomBytes() {
    byte[] b = new byte[8];
    try (java.io.FileInputStream in = new java.io.FileInputStream("/dev/urandom")) {
      if (in.readNBytes(b, 0, b.length) == b.length) {
        return b;
      }
    } catch (IOException e) {
      // fall through to SecureRandom
    }
    new SecureRandom().nextBytes(b);
    return b;
  }

  /** One digest per thread: looking SHA-256 up for each of 10,000 files costs more than hashing. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java platform has SHA-256", e);
            }
          });

  private static final HexFormat HEX = HexFormat.of();

  static String sha256(byte[] bytes) {
    MessageDigest md = SHA256.get();
    md.reset();
    return HEX.formatHex(md.digest(bytes));
  }
}
