package io.kvmount.apply;

import io.kvmount.concurrent.Background;
import io.kvmount.concurrent.Parallel;
import io.kvmount.digest.Sha256;
import io.kvmount.error.InvalidInputException;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import io.kvmount.plan.PlannedFileMountPoint;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The tree a plan asks for, checked: every directory to ensure (planned ones and their parents)
 * with its mode and owner, every file with its bytes and their SHA-256, the drop-in directories
 * that hold files, and the file mount points of single-file volumes. Built by {@link #of} from a
 * {@link Plan}, which it checks (paths planned twice, a file or file mount point where a directory
 * is planned, a file mount point at a unit file's path, paths inside {@code .kvmount}, ids out of
 * range, line breaks, names and paths too long for Linux, content that is not valid Unicode).
 * Reads no file.
 *
 * <p>Not changed after {@link #of} returns; safe to read from several threads.
 */
final class DesiredTree {

  /** Mode of every file kvmount writes. */
  static final int FILE_MODE = 0644;

  /** Mode of directories created as parents of planned ones, and of {@code .kvmount}. */
  static final int PARENT_MODE = 0755;

  /** Smallest number of items (files, directories) worth handing to other threads. */
  static final int PARALLEL_MIN = 64;

  private static final long MAX_ID = 0xFFFF_FFFEL;
  /** Longest file name (one path component) Linux file systems accept: 255 bytes (NAME_MAX). */
  private static final int MAX_NAME_BYTES = 255;
  /** Longest path, in bytes, without the stage1 rootfs prefix (PATH_MAX 4096 with the NUL). */
  private static final int MAX_PATH_BYTES = 4095;

  /** Attributes a directory must have: mode bits, owner, and whether they are re-applied. */
  record DirSpec(int mode, long uid, long gid, boolean managed) {
    static final DirSpec PARENT = new DirSpec(PARENT_MODE, 0, 0, false);

    // Written out: a record's own equals and hashCode are bootstrapped through invokedynamic
    // (ObjectMethods) on first use, which cost about 20 ms of a small pod's run (BENCHMARKS.md).
    @Override
    public boolean equals(Object o) {
      return o instanceof DirSpec s && s.mode == mode && s.uid == uid && s.gid == gid && s.managed == managed;
    }

    @Override
    public int hashCode() {
      return ((mode * 31 + Long.hashCode(uid)) * 31 + Long.hashCode(gid)) * 31 + Boolean.hashCode(managed);
    }
  }

  /** One file to write: its path relative to the stage1 rootfs, its bytes and their SHA-256. */
  static final class FileSpec {
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
        s = Sha256.hex(content);
        sha = s;
      }
      return s;
    }
  }

  final GuestPath unitsDir;

  /** The option words the completed run records in the state ({@link ApplyOptions}). */
  List<String> options = List.of();

  /** Every directory to ensure; planned attributes win over parent defaults. */
  final Map<GuestPath, DirSpec> dirs;

  /** The keys of {@link #dirs} in {@link GuestPath} order: parents before children. */
  GuestPath[] sortedDirs;

  /** Planned directories in plan order (walked first, for the messages). */
  final List<GuestPath> planned = new ArrayList<>();

  /** Every file, in plan order. */
  final LinkedHashMap<GuestPath, FileSpec> files;

  /**
   * The volume directories that start as a copy of an image directory, by volume directory, in
   * plan order; empty for a plan without copies.
   */
  final Map<GuestPath, io.kvmount.plan.PlannedCopy> copies = new LinkedHashMap<>();

  /** Directories strictly below the units directory that hold planned files. */
  final TreeSet<GuestPath> fileDirs = new TreeSet<>();

  /**
   * The file mount points of single-file volumes, in plan order, each once; empty (and never
   * looked at per path) for a plan without single-file volumes.
   */
  final Set<GuestPath> fileMountPoints;

  /**
   * The bytes of the state a completed run leaves, being serialised beside the checks for a large
   * plan (started by {@link #of}); null for a small one, whose bytes the first to ask makes.
   */
  private Background<byte[], RuntimeException> finalStateTask;

  private byte[] finalStateBytes;

  /** Sized for the plan (parents included: about a third more directories than planned). */
  private DesiredTree(GuestPath unitsDir, int plannedDirs, int plannedFiles, int plannedFileMountPoints) {
    this.unitsDir = unitsDir;
    this.fileMountPoints =
        plannedFileMountPoints == 0 ? Set.of() : new LinkedHashSet<>(plannedFileMountPoints * 4 / 3 + 16);
    this.dirs = new HashMap<>((plannedDirs + plannedFiles / 8 + 16) * 2);
    this.files = new LinkedHashMap<>(plannedFiles * 4 / 3 + 16);
  }

  /**
   * Checks a plan and expands it into every directory and file to ensure.
   *
   * @param plan the plan
   * @return the checked tree
   * @throws InvalidInputException naming the first problem, in plan order
   */
  static DesiredTree of(Plan plan) throws InvalidInputException {
    return of(plan, List.of());
  }

  /**
   * Checks a plan and expands it into every directory and file to ensure, with the option words
   * the completed run records in the state.
   *
   * @param plan the plan
   * @param options the option words to record
   * @return the checked tree
   * @throws InvalidInputException naming the first problem, in plan order, or an option word that
   *     cannot be recorded (empty, a line break or NUL)
   */
  static DesiredTree of(Plan plan, List<String> options) throws InvalidInputException {
    for (String o : options) {
      String problem = StateFile.optionProblem(o);
      if (problem != null) {
        throw new InvalidInputException("apply: " + problem);
      }
    }
    DesiredTree d = build(plan);
    d.options = List.copyOf(options);
    if (d.finalStateTask == null && d.files.size() >= PARALLEL_MIN) {
      d.finalStateTask = Background.start("kvmount-state", d::serialiseFinalState);
    }
    return d;
  }

  private static DesiredTree build(Plan plan) throws InvalidInputException {
    GuestPath units = Objects.requireNonNull(plan.unitsDir(), "plan.unitsDir");
    if (units.isRoot()) {
      throw new InvalidInputException("plan: the units directory is the stage1 rootfs itself");
    }
    checkPath(units, "units directory");
    List<PlannedFileMountPoint> fileMountPoints = plan.fileMountPoints();
    DesiredTree d =
        new DesiredTree(units, plan.directories().size(), plan.files().size(), fileMountPoints.size());
    for (PlannedDirectory pd : plan.directories()) {
      d.addPlanned(pd);
    }
    for (GuestPath p : new ArrayList<>(d.dirs.keySet())) {
      d.addParents(p.parent());
    }
    for (PlannedFileMountPoint m : fileMountPoints) {
      d.addFileMountPoint(m.path());
    }
    // Each file is checked, encoded and hashed on its own (in parallel for a large plan: the
    // hashes are needed by the state file in any case), then added in plan order, so the first
    // error reported is the one a single pass in order gives.
    List<PlannedFile> planned = plan.files();
    boolean large = planned.size() >= PARALLEL_MIN; // then hashed here too
    List<Prepared> prepared =
        Parallel.map(planned.size(), PARALLEL_MIN, Parallel.CPU_THREADS, i -> d.prepare(planned.get(i), large));
    for (Prepared p : prepared) {
      d.addFile(p);
    }
    d.sortedDirs = d.dirs.keySet().toArray(new GuestPath[0]);
    Arrays.sort(d.sortedDirs);
    for (io.kvmount.plan.PlannedCopy c : plan.copies()) {
      d.addCopy(c);
    }
    for (GuestPath f : d.files.keySet()) {
      if (d.dirs.containsKey(f)) {
        throw new InvalidInputException(
            "plan: \"" + f.relativeString() + "\" is planned both as a file and as a directory");
      }
    }
    for (GuestPath m : d.fileMountPoints) {
      if (d.dirs.containsKey(m)) {
        throw new InvalidInputException(
            "plan: \"" + m.relativeString() + "\" is planned both as a file mount point and as a directory");
      }
      if (d.files.containsKey(m)) {
        throw new InvalidInputException(
            "plan: \"" + m.relativeString() + "\" is planned both as a file mount point and as a unit file");
      }
    }
    // Every hash is known now: for a large plan the final state is serialised beside the checks
    // of the tree and the journal, which waits for it (a run that fails its checks just drops
    // it); started by of(Plan, List), once the options are set.
    return d;
  }

  /**
   * The bytes of the state a completed run leaves ({@link StateFile#toBytes}): every planned file
   * with its hash, and the drop-in directories. Depends only on the plan. Called by one thread.
   */
  byte[] finalStateBytes() {
    if (finalStateBytes == null) {
      finalStateBytes = finalStateTask != null ? finalStateTask.join() : serialiseFinalState();
    }
    return finalStateBytes;
  }

  private byte[] serialiseFinalState() {
    Map<GuestPath, SortedSet<String>> byPath = new LinkedHashMap<>(files.size() * 2);
    for (FileSpec f : files.values()) {
      TreeSet<String> sha = new TreeSet<>();
      sha.add(f.sha());
      byPath.put(f.path(), sha);
    }
    return new StateFile(byPath, fileDirs, Set.of(), Set.of(), Set.of(), Set.of(), options).toBytes();
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
          "plan: directory \"" + p.relativeString() + "\" is planned twice with different mode or owner");
    }
    if (prev == null) {
      planned.add(p);
    }
  }

  /**
   * Adds one copy, checked: its volume directory is a planned managed directory below which only
   * mount point directories are planned, and neither it nor the image directory holds the other.
   */
  private void addCopy(io.kvmount.plan.PlannedCopy c) throws InvalidInputException {
    GuestPath to = c.to();
    DirSpec spec = dirs.get(to);
    if (spec == null || !spec.managed()) {
      throw new InvalidInputException("plan: copy into \"" + to.relativeString() + "\", which is not a planned empty"
          + " volume directory");
    }
    if (copies.putIfAbsent(to, c) != null) {
      throw new InvalidInputException("plan: two copies into \"" + to.relativeString() + "\"");
    }
    if (to.contains(c.from()) || c.from().contains(to)) {
      throw new InvalidInputException("plan: copy of \"" + c.from().relativeString() + "\" into \""
          + to.relativeString() + "\": one holds the other");
    }
    checkPath(c.from(), "copy source");
    // Mount point directories may lie inside (a mount inside a read-only volume); they are made
    // after the copy when it did not bring them. Files and managed directories may not.
    for (GuestPath p : below(to)) {
      DirSpec inside = dirs.get(p);
      if (inside == null || inside.managed()) {
        throw new InvalidInputException("plan: \"" + p.relativeString() + "\" is planned inside \""
            + to.relativeString() + "\", which is made as a copy");
      }
    }
  }

  /** Planned directories, files and file mount points strictly below {@code dir}. */
  private List<GuestPath> below(GuestPath dir) {
    List<GuestPath> out = new ArrayList<>();
    int from = Arrays.binarySearch(sortedDirs, dir);
    for (int i = from + 1; i < sortedDirs.length && dir.contains(sortedDirs[i]); i++) {
      out.add(sortedDirs[i]);
    }
    for (GuestPath f : files.keySet()) {
      if (dir.contains(f)) {
        out.add(f);
      }
    }
    for (GuestPath f : fileMountPoints) {
      if (dir.contains(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * Adds one file mount point, checked, and its parents (with parent defaults, when the plan does
   * not have them). The same path twice is one mount point.
   */
  private void addFileMountPoint(GuestPath p) throws InvalidInputException {
    checkPath(p, "file mount point");
    if (fileMountPoints.add(p)) {
      addParents(p.parent());
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
      throw new InvalidInputException("plan: file \"" + full.relativeString() + "\" is planned twice");
    }
    addParents(full.parent());
    addParents(unitsDir);
    for (GuestPath q = full.parent(); !q.equals(unitsDir); q = q.parent()) {
      fileDirs.add(q);
    }
  }

  /**
   * Adds {@code p} and its ancestors (not the root) with parent defaults, if not planned. Stops at
   * the first one already present: callers add planned directories' parents in sorted order
   * (parents before children) and files' parents after all of them, so a present directory
   * already has all its ancestors. This keeps a 10,000-mount plan to a few map operations per
   * path instead of one per ancestor.
   */
  private void addParents(GuestPath p) {
    for (GuestPath q = p; !q.isRoot(); q = q.parent()) {
      if (dirs.putIfAbsent(q, DirSpec.PARENT) != null) {
        return;
      }
    }
  }

  private static void checkPath(GuestPath p, String what) throws InvalidInputException {
    if (p.ancestor(1).fileName().equals(PlanWriter.META_DIR)) {
      throw new InvalidInputException(
          "plan: "
              + what
              + " \""
              + p.relativeString()
              + "\" is inside kvmount's own directory \""
              + PlanWriter.META_DIR
              + "\"");
    }
    // The components in order, for the first bad one's message, only when one may be bad.
    for (String c : componentsFine(p) ? List.<String>of() : p.components()) {
      if (c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
        throw new InvalidInputException(
            "plan: " + what + " path " + quoteEscaped(p.relativeString()) + " contains a line break");
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

  private static String quoteEscaped(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r") + "\"";
  }

  private static void checkId(long id, String which, GuestPath p) throws InvalidInputException {
    if (id < 0 || id > MAX_ID) {
      throw new InvalidInputException(
          "plan: directory \"" + p.relativeString() + "\" has " + which + " " + id + ", outside 0..4294967294");
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
          "plan: file \"" + p.relativeString() + "\" has content that is not valid Unicode (lone surrogate)");
    }
  }
}
