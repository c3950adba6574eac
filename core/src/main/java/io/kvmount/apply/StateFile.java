package io.kvmount.apply;

import io.kvmount.apply.DesiredTree.FileSpec;
import io.kvmount.error.IoErrors;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The record of what kvmount owns in one stage1 rootfs, kept in {@code .kvmount/state}. Text, one
 * entry per line, sorted, so that the same plan always gives the same bytes:
 *
 * <pre>
 * # kvmount state 2: files kvmount wrote into this stage1 rootfs; do not edit
 * option &lt;word&gt;               one option word of the run that wrote the tree ({@code --transport=virtiofs})
 * file &lt;sha256 hex&gt; &lt;path&gt;     a file kvmount wrote, with the SHA-256 of what it wrote
 * dir &lt;path&gt;                  a drop-in directory that holds such files (removed when empty)
 * mkdir &lt;path&gt;                a directory a run that did not finish was creating
 * staging &lt;path&gt;              a staging directory a run that did not finish was using
 * created-dir &lt;path&gt;          a directory kvmount created (a mount point, or its parent) that the plan has
 * mount-point-file &lt;path&gt;     an empty file kvmount created as a single-file volume's mount point
 * </pre>
 *
 * <p>Paths are relative to the stage1 rootfs. A file may be listed with several hashes while a run
 * is in progress (its old and its new content); {@code mkdir} and {@code staging} lines only appear
 * then. A completed run leaves {@code option}, {@code file}, {@code dir}, {@code created-dir} and
 * {@code mount-point-file} lines only. A {@code created-dir} stays listed while the plan has that
 * directory; once a later plan no longer has it, a run removes it if it is empty (a non-empty one
 * is left, with a warning, and forgotten). A directory that existed before kvmount ran is never
 * listed. State 1 had no {@code created-dir} lines: directories it created are never removed.
 * A {@code mount-point-file} stays listed while the plan has that mount point, whatever the file
 * holds by then: it tells a later run that the file is kvmount's to remove (if still empty) once
 * the plan no longer has it. An existing file kvmount used as a mount point is never listed.
 *
 * <p>Versions: state 1 had no {@code option} lines; it is read as a state whose run recorded no
 * options (so {@code verify} uses its own defaults for it, as before). The header is a comment
 * and is not checked: the entry kinds decide. {@code option} lines come first, in the order the
 * run gave them (order matters for a repeated option), and only the run that completes replaces
 * them; the words are the caller's ({@link ApplyOptions#recordedOptions()}), kept and given back
 * unread ({@link #recordedOptions(Path)}).
 *
 * <p>This class also reads and writes the file ({@link #read}, {@link #write}: atomically
 * replaced) and makes the journal, the state a run records before it changes anything ({@link
 * #journal}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param files each managed file and the hashes of the contents kvmount wrote to it
 * @param dirs drop-in directories kvmount keeps for its files
 * @param mkdirs directories an interrupted run was creating
 * @param staging staging directories an interrupted run was using
 * @param fileMountPoints empty files kvmount created as the mount points of single-file volumes
 * @param createdDirs directories kvmount created that the plan has (drop-in directories aside,
 *     which {@code dirs} lists)
 * @param options the option words the run that wrote the tree recorded, in its order; empty for a
 *     state 1 file or a run that recorded none
 */
public record StateFile(
    Map<GuestPath, SortedSet<String>> files,
    Set<GuestPath> dirs,
    Set<GuestPath> mkdirs,
    Set<GuestPath> staging,
    Set<GuestPath> fileMountPoints,
    Set<GuestPath> createdDirs,
    List<String> options) {

  /** The state line of a directory kvmount created. */
  static final String CREATED_DIR_ENTRY = "created-dir";

  static final String HEADER =
      "# kvmount state 2: files kvmount wrote into this stage1 rootfs; do not edit";

  /** The state line of a recorded option word. */
  static final String OPTION_ENTRY = "option";

  /** The state line of a file mount point kvmount created. */
  static final String FILE_MOUNT_POINT_ENTRY = "mount-point-file";

  static final StateFile EMPTY =
      new StateFile(
          new HashMap<>(), new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>(),
          List.of());

  /**
   * Wraps the collections read-only. They are taken over, not copied (a 1,000-app state has
   * 11,000 entries, built twice per run): callers, all in this package, hand over collections
   * they never change afterwards. Any kind of map and set will do: {@link #toBytes()} sorts.
   */
  /**
   * Wraps the collections read-only, without copying (see above).
   *
   * @param files each managed file and the hashes of the contents kvmount wrote to it
   * @param dirs drop-in directories kvmount keeps for its files
   * @param mkdirs directories an interrupted run was creating
   * @param staging staging directories an interrupted run was using
   * @param fileMountPoints empty files kvmount created as the mount points of single-file volumes
   * @param createdDirs directories kvmount created that the plan has
   * @param options the option words the run that wrote the tree recorded (copied)
   * @throws IllegalArgumentException if an option word is empty or holds a line break or NUL
   */
  public StateFile {
    options = List.copyOf(options);
    for (String o : options) {
      String problem = optionProblem(o);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
    files = Collections.unmodifiableMap(files);
    dirs = Collections.unmodifiableSet(dirs);
    mkdirs = Collections.unmodifiableSet(mkdirs);
    staging = Collections.unmodifiableSet(staging);
    fileMountPoints = Collections.unmodifiableSet(fileMountPoints);
    createdDirs = Collections.unmodifiableSet(createdDirs);
  }

  /**
   * A state with no file mount points, the collections wrapped as by the canonical constructor.
   *
   * @param files each managed file and the hashes of the contents kvmount wrote to it
   * @param dirs drop-in directories kvmount keeps for its files
   * @param mkdirs directories an interrupted run was creating
   * @param staging staging directories an interrupted run was using
   */
  public StateFile(
      Map<GuestPath, SortedSet<String>> files, Set<GuestPath> dirs, Set<GuestPath> mkdirs, Set<GuestPath> staging) {
    this(files, dirs, mkdirs, staging, Set.of(), Set.of(), List.of());
  }

  /**
   * A state with no recorded options, the collections wrapped as by the canonical constructor.
   *
   * @param files each managed file and the hashes of the contents kvmount wrote to it
   * @param dirs drop-in directories kvmount keeps for its files
   * @param mkdirs directories an interrupted run was creating
   * @param staging staging directories an interrupted run was using
   * @param fileMountPoints empty files kvmount created as the mount points of single-file volumes
   */
  public StateFile(
      Map<GuestPath, SortedSet<String>> files, Set<GuestPath> dirs, Set<GuestPath> mkdirs, Set<GuestPath> staging,
      Set<GuestPath> fileMountPoints) {
    this(files, dirs, mkdirs, staging, fileMountPoints, Set.of(), List.of());
  }

  /**
   * What is wrong with an option word for the state file, or null: it must be one non-empty line
   * without NUL.
   *
   * @param word the word
   * @return the problem, or null when the word can be recorded
   */
  static String optionProblem(String word) {
    if (word.isEmpty()) {
      return "an option word to record is empty";
    }
    if (word.indexOf('\n') >= 0 || word.indexOf('\r') >= 0 || word.indexOf('\0') >= 0) {
      return "option word \"" + word.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0")
          + "\" to record holds a line break or NUL";
    }
    return null;
  }

  /** Returns whether {@code sha} is one of the contents kvmount wrote to {@code path}. */
  boolean wrote(GuestPath path, String sha) {
    Set<String> s = files.get(path);
    return s != null && s.contains(sha);
  }

  /** Serialises the state, entries sorted by path; same state, same bytes. */
  byte[] toBytes() {
    return serialize(true);
  }

  /**
   * Serialises the state with the entries of each kind in the collections' own iteration order,
   * not sorted: for the record a run writes before it changes anything (the journal), which only
   * {@link #parse} reads back and which a completed run always replaces with {@link #toBytes()}.
   * {@link #parse} gives the same state from either.
   */
  byte[] toJournalBytes() {
    return serialize(false);
  }

  private byte[] serialize(boolean sort) {
    // Sized by an estimate (no extra pass): 100 bytes per entry covers typical paths.
    int size = (int) Math.min(
        1L << 26, 64 + 100L * (files.size() + dirs.size() + mkdirs.size() + staging.size() + fileMountPoints.size()
            + createdDirs.size()));
    StringBuilder sb = new StringBuilder(size).append(HEADER).append('\n');
    for (String o : options) {
      sb.append(OPTION_ENTRY).append(' ').append(o).append('\n');
    }
    for (GuestPath f : sort ? sorted(files.keySet()) : files.keySet().toArray(new GuestPath[0])) {
      fileLines(sb, f, files.get(f));
    }
    lines(sb, "dir ", sort ? sorted(dirs) : dirs.toArray(new GuestPath[0]));
    lines(sb, "mkdir ", sort ? sorted(mkdirs) : mkdirs.toArray(new GuestPath[0]));
    lines(sb, "staging ", sort ? sorted(staging) : staging.toArray(new GuestPath[0]));
    // Then these and the file mount points: a completed run's state is the plan's bytes followed
    // by them (finalBytes).
    if (!createdDirs.isEmpty()) {
      lines(sb, CREATED_DIR_ENTRY + " ", sort ? sorted(createdDirs) : createdDirs.toArray(new GuestPath[0]));
    }
    // Last: a completed run's state is then the plan's bytes followed by these lines (finalBytes).
    if (!fileMountPoints.isEmpty()) {
      lines(
          sb,
          FILE_MOUNT_POINT_ENTRY + " ",
          sort ? sorted(fileMountPoints) : fileMountPoints.toArray(new GuestPath[0]));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The lines of one file. Its own method, as is {@link #line}: called once per entry, it is
   * compiled early, where the body of a loop over 10,000 entries would run interpreted.
   */
  private static void fileLines(StringBuilder sb, GuestPath f, Set<String> shas) {
    for (String sha : shas) {
      sb.append("file ").append(sha).append(' ').append(f.relativeString()).append('\n');
    }
  }

  private static void lines(StringBuilder sb, String kind, GuestPath[] paths) {
    for (GuestPath d : paths) {
      line(sb, kind, d);
    }
  }

  private static void line(StringBuilder sb, String kind, GuestPath d) {
    sb.append(kind).append(d.relativeString()).append('\n');
  }

  /**
   * Parses a state file.
   *
   * @param bytes the file's content
   * @param where the file's name for messages
   * @return the state
   * @throws IOException if a line is malformed (the message names the line and says how to recover)
   */
  static StateFile parse(byte[] bytes, String where) throws IOException {
    Map<GuestPath, SortedSet<String>> files = new HashMap<>();
    Set<GuestPath> dirs = new HashSet<>();
    Set<GuestPath> mkdirs = new HashSet<>();
    Set<GuestPath> staging = new HashSet<>();
    Set<GuestPath> fileMountPoints = new HashSet<>();
    List<String> options = new ArrayList<>();
    Set<GuestPath> createdDirs = new HashSet<>();
    String text = new String(bytes, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sp = line.indexOf(' ');
      String kind = sp < 0 ? line : line.substring(0, sp);
      String rest = sp < 0 ? "" : line.substring(sp + 1);
      try {
        switch (kind) {
          case "file":
            {
              int sp2 = rest.indexOf(' ');
              if (sp2 != 64 || !rest.substring(0, 64).matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("expected a SHA-256 in hex");
              }
              files
                  .computeIfAbsent(path(rest.substring(65)), k -> new TreeSet<>())
                  .add(rest.substring(0, 64));
              break;
            }
          case "dir":
            dirs.add(path(rest));
            break;
          case "mkdir":
            mkdirs.add(path(rest));
            break;
          case "staging":
            staging.add(path(rest));
            break;
          case FILE_MOUNT_POINT_ENTRY:
            fileMountPoints.add(path(rest));
            break;
          case OPTION_ENTRY:
            options.add(option(rest));
            break;
          case CREATED_DIR_ENTRY:
            createdDirs.add(path(rest));
            break;
          default:
            throw new IllegalArgumentException("unknown entry \"" + kind + "\"");
        }
      } catch (IllegalArgumentException e) {
        throw new IOException(
            "read kvmount state \""
                + where
                + "\": line "
                + (i + 1)
                + " is malformed ("
                + e.getMessage()
                + "); remove the file to make kvmount forget which files it wrote");
      }
    }
    return new StateFile(files, dirs, mkdirs, staging, fileMountPoints, createdDirs, options);
  }

  private static String option(String rest) {
    String problem = optionProblem(rest);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return rest;
  }

  /**
   * What a lenient read ({@link #readLeniently}) finds, line by line, in file order.
   */
  public interface LineFindings {
    /**
     * A line that is not a state entry.
     *
     * @param line the line number, from 1
     * @param why what is wrong, such as {@code unknown entry "x"}
     */
    void malformed(int line, String why);

    /**
     * A {@code mkdir} or {@code staging} line: an interrupted run left something behind.
     *
     * @param line the line number, from 1
     * @param entry the rest of the line after the entry's kind (the path, not checked)
     */
    void unfinished(int line, String entry);
  }

  /**
   * Reads a state file for a report ({@code kvmount verify}): unlike {@link #parse}, which refuses
   * the whole file at its first bad line, every line is read, and each bad or unfinished one is
   * handed to {@code findings}. Only {@code file} and {@code option} entries are kept; {@code dir},
   * {@code created-dir} and {@code mount-point-file} lines are skipped unchecked.
   *
   * @param bytes the file's content (UTF-8)
   * @param findings receives bad lines and {@code mkdir}/{@code staging} lines, in file order
   * @return the state with its {@code file} entries, sorted by path, and its options; no dirs,
   *     mkdirs or staging
   */
  public static StateFile readLeniently(byte[] bytes, LineFindings findings) {
    Map<GuestPath, SortedSet<String>> files = new java.util.TreeMap<>();
    List<String> options = new ArrayList<>();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] w = line.split(" ", 3);
      try {
        switch (w[0]) {
          case "file":
            if (w.length != 3 || !w[1].matches("[0-9a-f]{64}")) {
              throw new IllegalArgumentException("expected \"file <sha256> <path>\"");
            }
            files.computeIfAbsent(lenientPath(w[2]), k -> new TreeSet<>()).add(w[1]);
            break;
          case "dir":
          case FILE_MOUNT_POINT_ENTRY:
          case CREATED_DIR_ENTRY:
            break;
          case OPTION_ENTRY:
            options.add(option(line.substring(Math.min(line.length(), OPTION_ENTRY.length() + 1))));
            break;
          case "mkdir":
          case "staging":
            if (w.length < 2 || line.length() == w[0].length() + 1) {
              throw new IllegalArgumentException("expected \"" + w[0] + " <path>\"");
            }
            findings.unfinished(i + 1, line.substring(w[0].length() + 1));
            break;
          default:
            throw new IllegalArgumentException("unknown entry \"" + w[0] + "\"");
        }
      } catch (IllegalArgumentException e) {
        findings.malformed(i + 1, e.getMessage());
      }
    }
    return new StateFile(files, Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), options);
  }

  /**
   * The option words recorded in a stage1 rootfs's {@code .kvmount/state} by the run that wrote
   * it, in its order. Reads only; malformed lines are skipped here ({@code verify} reports them).
   *
   * @param root the stage1 rootfs
   * @return the words; empty when there is no state, or a state 1 file, or none were recorded
   * @throws IOException if the state file exists but cannot be read
   */
  public static List<String> recordedOptions(Path root) throws IOException {
    byte[] bytes = read(root);
    if (bytes == null) {
      return List.of();
    }
    return readLeniently(bytes, new LineFindings() {
          @Override
          public void malformed(int line, String why) {}

          @Override
          public void unfinished(int line, String entry) {}
        }).options();
  }

  private static GuestPath lenientPath(String s) {
    String problem = GuestPath.problem("/" + s);
    if (problem != null || s.isEmpty()) {
      throw new IllegalArgumentException(problem == null ? "empty path" : problem);
    }
    return GuestPath.parse("/" + s);
  }

  /**
   * The paths in {@link GuestPath} order. Callers mostly hand over paths already in that order
   * (one pass checks it); otherwise they are sorted by their text with {@code /} read as the
   * smallest character, which is the same order (components never contain NUL), and cheaper to
   * compare than component by component.
   */
  static GuestPath[] sorted(Set<GuestPath> paths) {
    GuestPath[] a = paths.toArray(new GuestPath[0]);
    boolean inOrder = true;
    for (int i = 1; i < a.length && inOrder; i++) {
      inOrder = a[i - 1].compareTo(a[i]) < 0;
    }
    if (!inOrder) {
      Keyed[] k = new Keyed[a.length];
      for (int i = 0; i < a.length; i++) {
        k[i] = new Keyed(a[i].relativeString().replace('/', '\0'), a[i]);
      }
      Arrays.sort(k);
      for (int i = 0; i < a.length; i++) {
        a[i] = k[i].path;
      }
    }
    return a;
  }

  /** A path with its sort key. */
  private static final class Keyed implements Comparable<Keyed> {
    final String key;
    final GuestPath path;

    Keyed(String key, GuestPath path) {
      this.key = key;
      this.path = path;
    }

    @Override
    public int compareTo(Keyed o) {
      return key.compareTo(o.key);
    }
  }

  private static GuestPath path(String rel) {
    if (rel.isEmpty()) {
      throw new IllegalArgumentException("empty path");
    }
    GuestPath p = GuestPath.parse("/" + rel);
    if (p.isRoot() || !p.relativeString().equals(rel)) {
      throw new IllegalArgumentException("path \"" + rel + "\" is not normalised");
    }
    return p;
  }

  // -----------------------------------------------------------------------------------------------
  // The file on disk and the journal.

  /** The state file's path relative to the stage1 rootfs, for messages. */
  private static final String REL = PlanWriter.META_DIR + "/state";

  /**
   * The bytes of {@code .kvmount/state}.
   *
   * @param root the stage1 rootfs
   * @return the bytes, or null when the file or {@code .kvmount} is missing or not what it
   *     should be (the tree checks refuse the latter)
   * @throws IOException {@code read kvmount state ".kvmount/state" in stage1 rootfs ...}
   */
  static byte[] read(Path root) throws IOException {
    Path meta = root.resolve(PlanWriter.META_DIR);
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
      throw IoErrors.inStage1Rootfs("read kvmount state", REL, root, e);
    }
    return bytes;
  }

  /**
   * Parses the bytes {@link #read} gave.
   *
   * @param root the stage1 rootfs, for messages
   * @param bytes the bytes, or null for no state file
   * @return the state; {@link #EMPTY} for null
   * @throws IOException as {@link #parse(byte[], String)}
   */
  static StateFile parse(Path root, byte[] bytes) throws IOException {
    return bytes == null
        ? EMPTY
        : parse(bytes, root.resolve(PlanWriter.META_DIR).resolve("state").toString());
  }

  /**
   * Replaces {@code .kvmount/state} atomically: temporary file {@code state.tmp}, fsync, rename,
   * fsync of the directory. The temporary file is removed when this fails.
   *
   * @param root the stage1 rootfs
   * @param bytes the new content
   * @throws IOException {@code write kvmount state ".kvmount/state" in stage1 rootfs ...}
   */
  static void write(Path root, byte[] bytes) throws IOException {
    Path meta = root.resolve(PlanWriter.META_DIR);
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
        Files.setAttribute(tmp, "unix:mode", DesiredTree.FILE_MODE, LinkOption.NOFOLLOW_LINKS);
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
      throw IoErrors.inStage1Rootfs("write kvmount state", REL, root, e);
    }
  }

  /**
   * The bytes of the journal: the state recorded before changing anything ({@link #pending}),
   * including the file mount points about to be created.
   * With no earlier state and every planned file to be written (a new stage1 rootfs), that state
   * is the final one plus the new directories and the staging directory: the final state's bytes
   * ({@link DesiredTree#finalStateBytes}, serialised beside the checks) are reused, and only the
   * rest is serialised here. {@link #parse} reads both forms as the same state ({@code
   * StateFileTest}).
   *
   * @param c the changes about to be made
   * @param staging the staging directory about to be used, or null
   * @return the journal's bytes
   */
  static byte[] journal(Changes c, GuestPath staging) {
    return journal(c, staging, List.of());
  }

  /**
   * The journal, as {@link #journal(Changes, GuestPath)}, also listing the staging directories of
   * the run's copies ({@link ImageCopier}) as {@code staging} lines.
   *
   * @param c the changes about to be made
   * @param staging the staging directory about to be used, or null
   * @param copyStaging the copies' staging directories about to be used
   * @return the journal's bytes
   */
  static byte[] journal(Changes c, GuestPath staging, java.util.Collection<GuestPath> copyStaging) {
    Set<GuestPath> stagings = new LinkedHashSet<>();
    if (staging != null) {
      stagings.add(staging);
    }
    stagings.addAll(copyStaging);
    StateFile old = c.old();
    boolean fresh = old.files().isEmpty() && old.dirs().isEmpty() && old.mkdirs().isEmpty()
        && old.staging().isEmpty() && old.fileMountPoints().isEmpty() && old.createdDirs().isEmpty()
        && c.unchanged().isEmpty()
        && c.write().size() == c.desired().files.size();
    if (!fresh) {
      return pending(c, stagings).toJournalBytes();
    }
    // The rest first, while the other thread serialises the final state.
    byte[] rest =
        restOfJournal(
            new LinkedHashSet<>(c.create()),
            stagings,
            c.createFiles().isEmpty() ? Set.of() : new LinkedHashSet<>(c.createFiles()));
    return concatJournal(c.desired().finalStateBytes(), rest);
  }

  /**
   * The bytes of the state a completed run leaves: the plan's ({@link
   * DesiredTree#finalStateBytes}) and, when there are any, the directories ({@link
   * Changes#createdDirsAfter}) and file mount points kvmount created that the plan still has
   * ({@link Changes#fileMountPointsAfter}). Same bytes as {@link
   * #toBytes} of that state, since those lines come last.
   *
   * @param c the changes being made
   * @return the final state's bytes
   */
  static byte[] finalBytes(Changes c) {
    byte[] plan = c.desired().finalStateBytes();
    if (c.fileMountPointsAfter().isEmpty() && c.createdDirsAfter().isEmpty()) {
      return plan;
    }
    byte[] rest = new StateFile(
        Map.of(), Set.of(), Set.of(), Set.of(), c.fileMountPointsAfter(), c.createdDirsAfter(), List.of()).toBytes();
    return concatJournal(plan, rest);
  }

  /** The state recorded before changing anything: old and new files, new dirs, staging. */
  private static StateFile pending(Changes c, Set<GuestPath> staging) {
    StateFile old = c.old();
    Map<GuestPath, SortedSet<String>> files =
        new HashMap<>((old.files().size() + c.write().size() + c.unchanged().size()) * 4 / 3 + 16);
    for (Map.Entry<GuestPath, SortedSet<String>> e : old.files().entrySet()) {
      files.put(e.getKey(), new TreeSet<>(e.getValue()));
    }
    for (FileSpec f : c.write()) {
      files.computeIfAbsent(f.path(), k -> new TreeSet<>()).add(f.sha());
    }
    for (FileSpec f : c.unchanged()) {
      files.computeIfAbsent(f.path(), k -> new TreeSet<>()).add(f.sha());
    }
    // Insertion-ordered: the new directories come parents first, already in state-file order.
    Set<GuestPath> dirs = new LinkedHashSet<>(old.dirs());
    dirs.addAll(c.desired().fileDirs);
    Set<GuestPath> mkdirs = new LinkedHashSet<>((old.mkdirs().size() + c.create().size()) * 4 / 3 + 16);
    mkdirs.addAll(old.mkdirs());
    mkdirs.addAll(c.create());
    Set<GuestPath> stagings = new HashSet<>(staging);
    // Those an earlier run created stay listed until the final state: one about to be removed
    // must still be known as kvmount's if this run is cut short.
    Set<GuestPath> fileMountPoints = new LinkedHashSet<>(old.fileMountPoints());
    fileMountPoints.addAll(c.createFiles());
    // Those an earlier run created stay listed until the final state, as the file mount points.
    return new StateFile(files, dirs, mkdirs, stagings, fileMountPoints, old.createdDirs(), c.desired().options);
  }

  /**
   * A journal made of a state's bytes ({@link #toBytes} or {@link #toJournalBytes}) and more
   * lines: {@code mkdir} and {@code staging} entries. {@link #parse} reads it as that state with
   * those entries added.
   *
   * @param stateBytes a serialised state, starting with the header line
   * @param mkdirs directories about to be created
   * @param staging the staging directory about to be used, or none
   * @return the journal's bytes
   */
  static byte[] journalOf(byte[] stateBytes, Set<GuestPath> mkdirs, Set<GuestPath> staging) {
    return concatJournal(stateBytes, restOfJournal(mkdirs, staging, Set.of()));
  }

  /**
   * The {@code mkdir}, {@code staging} and {@code mount-point-file} lines of a journal, after a
   * header line.
   */
  private static byte[] restOfJournal(Set<GuestPath> mkdirs, Set<GuestPath> staging, Set<GuestPath> fileMountPoints) {
    return new StateFile(Map.of(), Set.of(), mkdirs, staging, fileMountPoints, Set.of(), List.of()).toJournalBytes();
  }

  /** A state's bytes, then the lines of {@code rest} without its header line. */
  private static byte[] concatJournal(byte[] stateBytes, byte[] rest) {
    int header = HEADER.length() + 1; // rest's header line: the state's bytes have it already
    byte[] out = Arrays.copyOf(stateBytes, stateBytes.length + rest.length - header);
    System.arraycopy(rest, header, out, stateBytes.length, rest.length - header);
    return out;
  }
}
