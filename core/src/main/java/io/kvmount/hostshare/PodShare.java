package io.kvmount.hostshare;

import io.kvmount.concurrent.Parallel;
import io.kvmount.error.InvalidInputException;
import io.kvmount.error.IoErrors;
import io.kvmount.hostshare.MountInfo.Mount;
import io.kvmount.hostshare.MountInfo.Origin;
import io.kvmount.hostshare.ShareChanges.Bind;
import io.kvmount.hostshare.ShareChanges.Change;
import io.kvmount.hostshare.ShareChanges.CleanStaging;
import io.kvmount.hostshare.ShareChanges.CreateShareDir;
import io.kvmount.hostshare.ShareChanges.RemoveStale;
import io.kvmount.hostshare.ShareChanges.Unchanged;
import io.kvmount.hostshare.ShareChanges.UnmountStale;
import io.kvmount.hostshare.ShareChanges.WriteRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The host side of the pod share: analyses, sets up, releases and checks the share directory and
 * the bind mounts in it (issue 19, "Pod share"). Stateless; every method reads the host afresh.
 *
 * <p>Layout: the share directory {@code DIR} holds one mount point per bind, {@code DIR/<name>}
 * (an empty directory, or an empty file for a single-file volume), and nothing else. kvmount's
 * records are beside it, in {@code <parent>/.<name of DIR>.kvmount/}: the journal (the entry
 * names kvmount owns, written before an entry is made, so a re-run after a crash knows every
 * entry it may have left) and {@code stage/}, where a private tmpfs holds the staging binds of
 * read-only volumes while {@link #apply} runs.
 *
 * <p>How a bind is made (util-linux {@code mount}; the binds of one phase are written to an
 * fstab file in the records and made by one {@code mount --all --fstab FILE} process, in order):
 *
 * <ul>
 *   <li>read-write: {@code mount --rbind --make-rslave SRC DIR/<name>} when recursive (mounts made
 *       under the source later still appear; mounts made under the bind never reach the host),
 *       {@code mount --bind --make-private SRC DIR/<name>} when not (the source's own file system
 *       only, now and later);
 *   <li>read-only (made read-only before it appears in DIR, as Kata does since CVE-2020-28914):
 *       {@code mount --rbind|--bind -o ro,<the source mount's flags> --make-rprivate SRC
 *       stage/<name>} on the private staging tmpfs; when recursive, {@code mount -o
 *       remount,bind,ro,<flags>} of every submount there (util-linux 2.38 has no {@code
 *       ro=recursive}); then {@code mount --rbind|--bind --make-rprivate stage/<name>
 *       DIR/<name>}, which copies the read-only flags; at the end one {@code umount -R stage}.
 *       Private: later host mounts under the source do not appear (they would be read-write).
 * </ul>
 *
 * <p>Checks against symlink races (kata-containers#7030): sources are resolved once, by {@link
 * #analyse}, and mounted by their real path; after the mounts, each bind's root and device in
 * {@code /proc/self/mountinfo} must be those of the real path (the mount holding it, and the path
 * inside that mount's root). A bind that shows another is unmounted and {@link #apply} fails.
 * What this does not catch: a swap to a path with the same root on the same device.
 *
 * <p>Crash convergence: every step is recorded as intent before it is made, and {@link #analyse}
 * reconciles the journal with the mount table: mounts under an owned entry that are wrong (other
 * source, stacked twice, not read-only, propagation not set) are unmounted and made again, stale
 * staging mounts are unmounted. A {@code kill -9} at any point of {@link #apply} or {@link
 * #release} followed by either one leaves no mount leaked or doubled (PodShareCrashTest).
 *
 * <p>The caller must own the share directory while these run: two runs at once are not locked
 * out.
 */
public final class PodShare {

  /** Threads for the mount processes: they wait on fork, exec and the kernel, not only CPU. */
  private static final int THREADS = 4;

  private static final int MIN_PARALLEL = 4;

  private PodShare() {}

  /**
   * Reads the host and returns what {@link #apply} must change to set up {@code spec}. Resolves
   * every source once to its real path, reads {@code /proc/self/mountinfo} and kvmount's records;
   * has no side effects.
   *
   * @param spec the desired share
   * @param forbiddenRoots directories the share directory must not lie in (the stage1 rootfs)
   * @return the changes (empty when the share is already as the spec says)
   * @throws InvalidInputException (exit 3) when the share directory is not absolute, its parent is
   *     missing, it is not a directory, it lies inside a forbidden root, a volume source (by path
   *     or by device and inode) or another pod share (a directory with kvmount's records beside
   *     it, or one of its binds, reached by any path), it
   *     holds an entry or a mount kvmount did not make; when a source is not absolute, missing, of
   *     the other kind than {@link HostBind#file()} says, or lies inside the share directory
   * @throws IOException (exit 1) when the host cannot be read, or kvmount's journal is not
   *     kvmount's
   */
  public static ShareChanges analyse(ShareSpec spec, List<Path> forbiddenRoots)
      throws InvalidInputException, IOException {
    Path dir = shareDirOf(spec.shareDir());
    Path records = Records.dirOf(dir);
    boolean dirExists = checkShareDir(dir, records);
    for (Path root : forbiddenRoots) {
      Path r = realOrNormal(root);
      if (dir.startsWith(r)) {
        throw new InvalidInputException(
            "share directory \"" + dir + "\": lies inside the stage1 rootfs \"" + r + "\"");
      }
    }
    MountInfo mi = MountInfo.read();
    checkNotInAnotherShare(dir, mi);
    Place place = Place.of(dir, records);
    List<Resolved> resolved = new ArrayList<>();
    for (HostBind b : spec.binds()) {
      Resolved r = resolve(b, place, mi);
      resolved.add(r);
    }
    Optional<List<String>> journal = Records.read(records);
    Set<String> owned = new LinkedHashSet<>(journal.orElse(List.of()));
    checkForeign(dir, owned, mi, dirExists);

    List<String> desired = spec.binds().stream().map(HostBind::name).collect(Collectors.toList());
    List<Change> changes = new ArrayList<>();
    List<Mount> staging = mi.atOrBelow(records);
    if (!staging.isEmpty()) {
      changes.add(new CleanStaging(staging.stream().map(Mount::mountPoint).toList()));
    }
    if (!dirExists) {
      changes.add(new CreateShareDir());
    }
    for (String name : owned) {
      if (desired.contains(name)) {
        continue;
      }
      Path mp = dir.resolve(name);
      if (!mi.atOrBelow(mp).isEmpty()) {
        changes.add(new UnmountStale(name, "no longer in the pod"));
      }
      if (Files.exists(mp, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(mp)) {
        changes.add(new RemoveStale(name));
      }
    }
    for (Resolved r : resolved) {
      HostBind b = r.bind();
      Path mp = dir.resolve(b.name());
      String wrong = wrong(b, r.origin(), mi.at(mp), mi.below(mp));
      if (wrong == null && owned.contains(b.name())) {
        changes.add(new Unchanged(b, r.real()));
        continue;
      }
      if (!mi.atOrBelow(mp).isEmpty()) {
        changes.add(new UnmountStale(b.name(), wrong == null ? "not in kvmount's records" : wrong));
      }
      if (Files.isSymbolicLink(mp)
          || Files.exists(mp, LinkOption.NOFOLLOW_LINKS)
              && Files.isDirectory(mp, LinkOption.NOFOLLOW_LINKS) == b.file()) {
        changes.add(new RemoveStale(b.name()));
      }
      changes.add(new Bind(b, r.real(), r.origin().root(), r.origin().device(), r.flags()));
    }
    boolean work = changes.stream().anyMatch(c -> !(c instanceof Unchanged));
    if (!work && !journal.equals(Optional.of(desired))) {
      changes.add(new WriteRecords());
    }
    return new ShareChanges(dir, records, desired, changes);
  }

  /**
   * Carries out {@code changes}: journal first, then stale staging, the share directory, stale
   * entries, mount points, the binds (read-only ones through the private staging mount), the
   * check of every new bind against its source's real path, and the journal of the final entries.
   * The binds of a phase are made by one {@code mount --all} process; submount remounts run in
   * parallel. Does nothing when {@link ShareChanges#isEmpty()}.
   *
   * @param changes what {@link #analyse} returned, just before
   * @throws IOException (exit 1) when not root (the message says host mounts need root and points
   *     to {@code --share per-volume}), a mount or file operation fails, or a new bind shows
   *     another root or device than its source's real path (that bind is unmounted again)
   */
  public static void apply(ShareChanges changes) throws IOException {
    if (changes.isEmpty()) {
      return;
    }
    Path dir = changes.shareDir();
    Path records = changes.recordsDir();
    boolean mounts =
        changes.changes().stream()
            .anyMatch(c -> c instanceof Bind || c instanceof UnmountStale || c instanceof CleanStaging);
    if (mounts) {
      HostMounts.requireRoot();
    }
    // Intent first: every entry this run may touch is in the journal before it exists.
    Set<String> intent = new LinkedHashSet<>(changes.journal());
    List<String> stale = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    List<Bind> binds = new ArrayList<>();
    boolean cleanStaging = false;
    boolean createDir = false;
    for (Change c : changes.changes()) {
      if (c instanceof UnmountStale u) {
        intent.add(u.name());
        stale.add(u.name());
      } else if (c instanceof RemoveStale r) {
        intent.add(r.name());
        remove.add(r.name());
      } else if (c instanceof Bind b) {
        binds.add(b);
      } else if (c instanceof CleanStaging) {
        cleanStaging = true;
      } else if (c instanceof CreateShareDir) {
        createDir = true;
      }
    }
    Records.write(records, List.copyOf(intent));
    CrashPoint.step();
    if (cleanStaging) {
      unmountAll(List.of(records));
    }
    if (createDir && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createDirectory(
            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      } catch (IOException e) {
        throw new IOException(
            "create share directory \"" + dir + "\": " + IoErrors.reason(e), e);
      }
      CrashPoint.step();
    }
    unmountAll(stale.stream().map(dir::resolve).toList());
    for (String name : remove) {
      removeMountPoint(dir.resolve(name));
      CrashPoint.step();
    }
    if (!binds.isEmpty()) {
      bindAll(dir, records, binds);
    }
    Records.write(records, changes.journal());
    CrashPoint.step();
  }

  private static void bindAll(Path dir, Path records, List<Bind> binds) throws IOException {
    for (Bind b : binds) {
      createMountPoint(dir.resolve(b.bind().name()), b.bind().file());
    }
    CrashPoint.step();
    List<Bind> ro = binds.stream().filter(b -> b.bind().readOnly()).toList();
    Path stage = Records.stage(records);
    boolean staged = false;
    try {
      if (!ro.isEmpty()) {
        if (!Files.isDirectory(stage, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(stage);
        }
        HostMounts.mount(
            List.of("-t", "tmpfs", "-o", "mode=0700,size=1m", "--make-private", "kvmount-stage",
                stage.toString()));
        staged = true;
        CrashPoint.step();
        for (Bind b : ro) {
          createMountPoint(stage.resolve(b.bind().name()), b.bind().file());
        }
      }
      // Read-write binds go straight into DIR; read-only ones onto the private stage first. All
      // with one mount process (mount --all over an fstab file).
      List<HostMounts.FstabEntry> first = new ArrayList<>();
      for (Bind b : binds) {
        HostBind h = b.bind();
        String kind = h.recursive() ? "rbind" : "bind";
        if (h.readOnly()) {
          first.add(
              new HostMounts.FstabEntry(
                  b.realSource().toString(),
                  stage.resolve(h.name()).toString(),
                  kind + "," + String.join(",", withRo(b.sourceFlags())) + ",rprivate"));
        } else {
          first.add(
              new HostMounts.FstabEntry(
                  b.realSource().toString(),
                  dir.resolve(h.name()).toString(),
                  kind + "," + (h.recursive() ? "rslave" : "private")));
        }
      }
      HostMounts.mountAll(Records.fstab(records), first);
      CrashPoint.step();
      if (!ro.isEmpty()) {
        List<Mount> rw = new ArrayList<>();
        MountInfo mi = MountInfo.read();
        for (Bind b : ro) {
          if (b.bind().recursive()) {
            for (Mount m : mi.below(stage.resolve(b.bind().name()))) {
              if (!m.readOnly()) {
                rw.add(m);
              }
            }
          }
        }
        Parallel.map(
            rw.size(),
            MIN_PARALLEL,
            THREADS,
            i -> {
              Mount m = rw.get(i);
              List<String> opts = new ArrayList<>(List.of("remount", "bind"));
              opts.addAll(withRo(flagsOf(m)));
              HostMounts.mount(List.of("-c", "-o", String.join(",", opts), m.mountPoint()));
              CrashPoint.step();
              return null;
            });
        List<HostMounts.FstabEntry> second = new ArrayList<>();
        for (Bind b : ro) {
          HostBind h = b.bind();
          second.add(
              new HostMounts.FstabEntry(
                  stage.resolve(h.name()).toString(),
                  dir.resolve(h.name()).toString(),
                  (h.recursive() ? "rbind" : "bind") + ",rprivate"));
        }
        HostMounts.mountAll(Records.fstab(records), second);
        CrashPoint.step();
        staged = false;
        unmountAll(List.of(stage));
      }
    } finally {
      if (staged) {
        try {
          unmountAll(List.of(stage));
        } catch (IOException e) {
          // The first failure is the one to report; a re-run unmounts the stage.
        }
      }
    }
    check(dir, binds);
  }

  /** Compares every new bind with its source's real path; undoes and reports a mismatch. */
  private static void check(Path dir, List<Bind> binds) throws IOException {
    MountInfo mi = MountInfo.read();
    List<Path> undo = new ArrayList<>();
    IOException failure = null;
    for (Bind b : binds) {
      Path mp = dir.resolve(b.bind().name());
      String wrong =
          wrong(b.bind(), new Origin(b.expectedRoot(), b.expectedDevice()), mi.at(mp), mi.below(mp));
      if (wrong != null) {
        undo.add(mp);
        IOException e =
            new IOException(
                "bind \""
                    + mp
                    + "\" of volume \""
                    + b.bind().volume()
                    + "\" (source \""
                    + b.bind().source()
                    + "\", real path \""
                    + b.realSource()
                    + "\"): "
                    + wrong
                    + "; the source changed between the check and the mount (a symlink swapped?),"
                    + " so the bind was undone");
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      unmountAll(undo);
      throw failure;
    }
  }

  /**
   * Unmounts everything kvmount mounted under {@code shareDir} (only under the entries its journal
   * lists, and its staging mount) and removes the mount points, the share directory and kvmount's
   * records. Idempotent: without kvmount's journal beside the share directory it leaves the
   * directory alone (kvmount did not make it, or already removed it) and removes only what is
   * left of the records.
   *
   * @param shareDir the share directory as the user gave it
   * @return what was unmounted and removed
   * @throws InvalidInputException (exit 3) when {@code shareDir} is not absolute
   * @throws IOException (exit 1) when the share directory holds a mount kvmount did not make
   *     (then nothing is unmounted or removed); when it holds a file or directory kvmount did not
   *     put there, or one of kvmount's mount points is no longer empty (then every bind is
   *     unmounted and kvmount's empty mount points removed, but the share directory and the
   *     records stay, and the message names what is left: a re-run after it is removed
   *     finishes); when not root and there are mounts to undo or kvmount's records cannot be
   *     read (the message says the pod share needs root); or when an unmount or removal fails
   */
  public static ReleaseResult release(Path shareDir) throws InvalidInputException, IOException {
    if (!shareDir.isAbsolute()) {
      throw new InvalidInputException("share directory \"" + shareDir + "\": not an absolute path");
    }
    Path given = shareDir.normalize();
    Path parent = given.getParent();
    if (parent == null || given.getFileName() == null || !Files.isDirectory(parent)) {
      return new ReleaseResult(given, List.of(), List.of());
    }
    Path dir = parent.toRealPath().resolve(given.getFileName());
    Path records = Records.dirOf(dir);
    if (!Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS)) {
      return new ReleaseResult(dir, List.of(), List.of());
    }
    Optional<List<String>> journal;
    try {
      journal = Records.read(records);
    } catch (IOException e) {
      if (e.getCause() instanceof AccessDeniedException && HostMounts.euid() != 0) {
        throw HostMounts.releaseNeedsRoot(
            "kvmount's records \"" + records + "\" are root's and cannot be read");
      }
      throw e;
    }
    if (journal.isEmpty()) {
      // No journal, so DIR is not kvmount's: apply writes the journal before it creates DIR, and
      // release removes DIR before the journal. What is left is the records of an interrupted
      // run (a journal being written, or a release killed after the journal went).
      return new ReleaseResult(dir, List.of(), removeJournalLess(records));
    }
    boolean dirExists = Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
    if (dirExists && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          "release share directory \"" + dir + "\": not a directory; nothing was changed");
    }
    List<String> owned = journal.get();
    MountInfo mi = MountInfo.read();
    try {
      // A foreign mount refuses everything: kvmount never unmounts what it did not mount.
      checkForeignMounts(dir, new LinkedHashSet<>(owned), mi);
    } catch (InvalidInputException e) {
      throw new IOException("release " + e.getMessage() + "; nothing was changed", e);
    }
    List<Path> roots = new ArrayList<>();
    int binds = 0;
    for (String n : owned) {
      roots.add(dir.resolve(n));
      if (!mi.atOrBelow(dir.resolve(n)).isEmpty()) {
        binds++;
      }
    }
    roots.add(records);
    if (roots.stream().anyMatch(r -> !mi.atOrBelow(r).isEmpty())) {
      HostMounts.requireRootToRelease();
    }
    List<String> unmounted = unmountAll(roots);
    List<Path> removed = new ArrayList<>();
    List<String> notEmpty = new ArrayList<>();
    for (String n : owned) {
      Path mp = dir.resolve(n);
      if (!isEmptyMountPoint(mp)) {
        notEmpty.add(n);
      } else if (Files.exists(mp, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(mp)) {
        removeMountPoint(mp);
        removed.add(mp);
        CrashPoint.step();
      }
    }
    if (dirExists) {
      // Plain files or directories the guest (or anyone) put in DIR are not kvmount's to
      // delete: the binds are undone, DIR and the records stay until they are gone.
      List<String> foreign = new ArrayList<>();
      for (Path p : list(dir)) {
        String n = p.getFileName().toString();
        if (!owned.contains(n)) {
          foreign.add(n);
        }
      }
      if (!foreign.isEmpty() || !notEmpty.isEmpty()) {
        List<String> why = new ArrayList<>();
        if (!foreign.isEmpty()) {
          why.add("it holds " + quoted(foreign) + ", which kvmount did not put there");
        }
        if (!notEmpty.isEmpty()) {
          why.add("kvmount's mount point " + quoted(notEmpty) + " is not empty");
        }
        throw new IOException(
            "release share directory \"" + dir + "\": unmounted " + binds
                + (binds == 1 ? " bind" : " binds") + "; kept \"" + dir + "\": "
                + String.join(", and ", why) + "; remove "
                + (foreign.size() + notEmpty.size() == 1 ? "it" : "them")
                + " and run release again");
      }
    }
    if (dirExists) {
      try {
        Files.delete(dir);
      } catch (IOException e) {
        throw new IOException("remove share directory \"" + dir + "\": " + IoErrors.reason(e), e);
      }
      removed.add(dir);
      CrashPoint.step();
    }
    removed.addAll(Records.remove(records));
    CrashPoint.step();
    return new ReleaseResult(dir, unmounted, removed);
  }

  /**
   * Removes the records directory of a share that has no journal, unless something is mounted
   * in it (kvmount mounts there only while a journal exists, so such a mount is not kvmount's).
   */
  private static List<Path> removeJournalLess(Path records) throws IOException {
    List<Mount> mounted = MountInfo.read().atOrBelow(records);
    if (!mounted.isEmpty()) {
      throw new IOException(
          "release kvmount's records \"" + records + "\": \"" + mounted.get(0).mountPoint()
              + "\" is mounted there, but they hold no journal, so kvmount did not mount it;"
              + " nothing was changed");
    }
    List<Path> removed = Records.remove(records);
    CrashPoint.step();
    return removed;
  }

  /**
   * Checks the host side of a pod share against {@code spec}: the share directory exists, every
   * bind is mounted once, from its source's real path (root and device in {@code
   * /proc/self/mountinfo}), read-only where it must be (with its submounts when recursive), with
   * no submounts when not recursive; nothing in the share directory that kvmount did not make; no
   * stale entry or staging mount. Reads only.
   *
   * @param spec the share as it should be
   * @return the findings, one line each as {@code <check>: <path>: <message>}; empty when all is
   *     well
   */
  public static List<String> verify(ShareSpec spec) {
    List<String> out = new ArrayList<>();
    Path dir;
    try {
      dir = shareDirOf(spec.shareDir());
    } catch (InvalidInputException | IOException e) {
      out.add("host-share: " + spec.shareDir() + ": " + e.getMessage());
      return out;
    }
    Path records = Records.dirOf(dir);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      out.add("host-share: " + dir + ": the share directory is missing or not a directory"
          + " (generate --share pod makes it)");
      return out;
    }
    MountInfo mi;
    try {
      mi = MountInfo.read();
    } catch (IOException e) {
      out.add("host-share: " + dir + ": cannot read this process's mount table: "
          + IoErrors.reason(e));
      return out;
    }
    Set<String> owned;
    try {
      Optional<List<String>> j = Records.read(records);
      if (j.isEmpty()) {
        out.add("host-records: " + Records.journal(records) + ": kvmount's journal of the share"
            + " directory is missing, so no entry there is known to be kvmount's (generate"
            + " --share pod writes it)");
      }
      owned = new LinkedHashSet<>(j.orElse(List.of()));
    } catch (IOException e) {
      String hint =
          e.getCause() instanceof AccessDeniedException && HostMounts.euid() != 0
              ? " (kvmount runs as user ID " + HostMounts.euid()
                  + " and the records are root's: run kvmount verify as root)"
              : "";
      out.add("host-records: " + records + ": cannot tell which entries of the share directory"
          + " are kvmount's: " + IoErrors.reason(e) + hint);
      return out;
    }
    Set<String> names = new LinkedHashSet<>();
    for (HostBind b : spec.binds()) {
      names.add(b.name());
      Path mp = dir.resolve(b.name());
      try {
        Resolved r = resolve(b, Place.of(dir, records), mi);
        String wrong = wrong(b, r.origin(), mi.at(mp), mi.below(mp));
        if (wrong != null) {
          out.add("host-bind: " + mp + ": volume \"" + b.volume() + "\": " + wrong);
        }
      } catch (InvalidInputException | IOException e) {
        out.add("host-bind: " + mp + ": " + e.getMessage());
      }
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (!owned.contains(n)) {
          out.add("host-foreign: " + p + ": kvmount did not put this entry in the share directory");
        } else if (!names.contains(n)) {
          out.add("host-stale: " + p + ": kvmount's entry is no longer in the pod");
        }
      }
    } catch (IOException e) {
      out.add("host-share: " + dir + ": cannot list the share directory: " + IoErrors.reason(e));
    }
    for (Mount m : mi.at(dir)) {
      out.add("host-foreign: " + dir + ": the share directory is a mount point (" + m.fsType()
          + "), and kvmount did not mount it");
    }
    for (Mount m : mi.below(dir)) {
      String first = dir.relativize(m.path()).getName(0).toString();
      if (!owned.contains(first)) {
        out.add("host-foreign: " + m.mountPoint() + ": mounted in the share directory, and kvmount"
            + " did not mount it");
      } else if (!names.contains(first)) {
        out.add("host-stale: " + m.mountPoint() + ": kvmount's mount is no longer in the pod");
      }
    }
    for (Mount m : mi.atOrBelow(records)) {
      out.add("host-staging: " + m.mountPoint() + ": a staging mount left by an interrupted run"
          + " (generate or release unmounts it)");
    }
    return out;
  }

  // --- helpers ---

  /** A bind with its source resolved. */
  private record Resolved(HostBind bind, Path real, Origin origin, List<String> flags) {}

  /** The share directory as a real parent plus its name. */
  private static Path shareDirOf(Path given) throws InvalidInputException, IOException {
    if (!given.isAbsolute()) {
      throw new InvalidInputException("share directory \"" + given + "\": not an absolute path");
    }
    Path n = given.normalize();
    Path parent = n.getParent();
    if (parent == null || n.getFileName() == null) {
      throw new InvalidInputException("share directory \"" + given + "\": cannot be \"/\"");
    }
    try {
      Path dir = parent.toRealPath().resolve(n.getFileName());
      if (!isUtf8(dir)) {
        throw new InvalidInputException(
            "share directory \"" + given + "\": its real path is not valid UTF-8; kvmount cannot"
                + " name it to mount(8)");
      }
      return dir;
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(
          "share directory \"" + given + "\": its parent directory \"" + parent
              + "\" does not exist", e);
    } catch (IOException e) {
      throw new IOException(
          "share directory \"" + given + "\": cannot resolve its parent directory \"" + parent
              + "\": " + IoErrors.reason(e), e);
    }
  }

  /**
   * Whether a path's bytes are valid UTF-8. Java decodes a file name's bytes with the platform
   * encoding and puts U+FFFD for bytes that are not UTF-8, so its string is not the name and
   * would reach mount(8) mangled; the path's URI keeps every byte (as {@code %XX} where not
   * ASCII), so the bytes are checked from there.
   */
  private static boolean isUtf8(Path p) {
    String raw = p.toUri().getRawPath();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Checks the share directory and records kinds; returns whether the directory exists. */
  private static boolean checkShareDir(Path dir, Path records) throws InvalidInputException {
    if (Files.isSymbolicLink(dir)
        || Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
            && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidInputException(
          "share directory \"" + dir + "\": exists and is not a directory");
    }
    if (Files.isSymbolicLink(records)
        || Files.exists(records, LinkOption.NOFOLLOW_LINKS)
            && !Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidInputException(
          "share directory \"" + dir + "\": kvmount's records \"" + records
              + "\" exist and are not a directory");
    }
    return Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
  }

  private static Path realOrNormal(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  /**
   * Refuses a share directory inside another pod share, where its binds would show to that pod's
   * guest: by path, when a directory above it has kvmount's records beside it (is a share
   * directory); by identity (device and inode), when it or a directory above it is another share
   * directory, or a bind kvmount made there, reached through another path (a bind mount, a
   * source). The other shares are found in the mount table: the parents of mount points that
   * have kvmount's records beside them. A share with no binds mounted is found by path only.
   */
  private static void checkNotInAnotherShare(Path dir, MountInfo mi) throws InvalidInputException {
    for (Path a = dir.getParent(); a != null && a.getFileName() != null; a = a.getParent()) {
      Path r = Records.dirOf(a);
      if (Files.isDirectory(r, LinkOption.NOFOLLOW_LINKS)) {
        throw new InvalidInputException(
            "share directory \"" + dir + "\": lies inside \"" + a + "\", the share directory of"
                + " another pod share (kvmount's records \"" + r + "\" are beside it), whose"
                + " guest would see these binds");
      }
    }
    List<FileId.Placed> chain = FileId.chain(dir);
    Optional<FileId> self = FileId.of(dir);
    Map<Path, Boolean> isShare = new HashMap<>();
    for (Mount m : mi.mounts()) {
      Path mp = m.path();
      Path p = mp.getParent();
      if (p == null || p.getFileName() == null || p.equals(dir)) {
        continue;
      }
      boolean share =
          isShare.computeIfAbsent(
              p, x -> Files.isDirectory(Records.dirOf(x), LinkOption.NOFOLLOW_LINKS));
      if (!share) {
        continue;
      }
      Optional<FileId> shareId = FileId.of(p);
      if (shareId.isEmpty() || shareId.equals(self)) {
        continue; // this share itself, by another path
      }
      for (Path other : List.of(p, mp)) {
        Optional<FileId> id = FileId.of(other);
        for (FileId.Placed c : chain) {
          if (id.isPresent() && c.id().equals(id.get())) {
            throw new InvalidInputException(
                "share directory \"" + dir + "\": \"" + c.path() + "\" is \"" + other + "\", "
                    + (other == p
                        ? "the share directory of another pod share"
                        : "a bind kvmount made in the share directory \"" + p
                            + "\" of another pod share")
                    + ", reached through another path; that pod's guest would see these binds");
          }
        }
      }
    }
  }

  /**
   * Where the share directory is, by path and by identity: the directory, its records, the
   * existing directories from it up to {@code /} with their identities, and the identities of the
   * directory and the records where they exist.
   */
  private record Place(Path dir, Path records, List<FileId.Placed> chain, Set<FileId> own) {

    static Place of(Path dir, Path records) {
      Set<FileId> own = new LinkedHashSet<>();
      FileId.of(dir).ifPresent(own::add);
      FileId.of(records).ifPresent(own::add);
      return new Place(dir, records, FileId.chain(dir), own);
    }
  }

  /**
   * Resolves a source once and finds what its bind must show in the mount table. Refuses a
   * source that lies inside the share directory, or a directory source the share directory lies
   * inside, by path and by identity (device and inode), so another path to the same directory (a
   * bind mount, a symlink in a parent) is caught too.
   */
  private static Resolved resolve(HostBind b, Place place, MountInfo mi)
      throws InvalidInputException, IOException {
    Path dir = place.dir();
    Path records = place.records();
    String what = "volume \"" + b.volume() + "\": source \"" + b.source() + "\"";
    if (!b.source().isAbsolute()) {
      throw new InvalidInputException(what + ": not an absolute path");
    }
    Path real;
    try {
      real = b.source().toRealPath();
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(what + ": does not exist", e);
    } catch (IOException e) {
      throw new IOException(what + ": cannot resolve: " + IoErrors.reason(e), e);
    }
    if (!isUtf8(real)) {
      throw new InvalidInputException(
          what + ": its real path is not valid UTF-8; kvmount cannot name it to mount(8)");
    }
    boolean isDir = Files.isDirectory(real);
    if (b.file() && isDir) {
      throw new InvalidInputException(
          what + ": is a directory, but the volume is mounted as a single file");
    }
    if (!b.file() && !isDir) {
      throw new InvalidInputException(
          what + ": is not a directory, but the volume is mounted as a directory");
    }
    if (real.startsWith(dir) || real.startsWith(records)) {
      throw new InvalidInputException(
          what + ": its real path \"" + real + "\" lies inside the share directory \"" + dir
              + "\"");
    }
    if (dir.startsWith(real)) {
      throw new InvalidInputException(
          "share directory \"" + dir + "\": lies inside the source \"" + real + "\" of volume \""
              + b.volume() + "\"");
    }
    if (!place.own().isEmpty()) {
      for (FileId.Placed p : FileId.chain(real)) {
        if (place.own().contains(p.id())) {
          throw new InvalidInputException(
              what + ": its real path \"" + real + "\" lies inside the share directory \"" + dir
                  + "\": \"" + p.path() + "\" is the same directory as \""
                  + (FileId.of(dir).equals(Optional.of(p.id())) ? dir : records)
                  + "\", reached through another path");
        }
      }
    }
    if (isDir) {
      Optional<FileId> id = FileId.of(real);
      for (FileId.Placed p : place.chain()) {
        if (id.isPresent() && p.id().equals(id.get())) {
          throw new InvalidInputException(
              "share directory \"" + dir + "\": lies inside the source \"" + real
                  + "\" of volume \"" + b.volume() + "\": \"" + p.path()
                  + "\" is that directory, reached through another path");
        }
      }
    }
    Mount holder =
        mi.containing(real)
            .orElseThrow(() -> new IOException(what + ": no mount in /proc/self/mountinfo holds it"));
    Origin origin = mi.originOf(real).orElseThrow();
    return new Resolved(b, real, origin, flagsOf(holder));
  }

  /** A mount's per-mount flags other than {@code rw} and {@code ro}. */
  private static List<String> flagsOf(Mount m) {
    return m.options().stream().filter(o -> !o.equals("rw") && !o.equals("ro")).toList();
  }

  private static List<String> withRo(List<String> flags) {
    List<String> l = new ArrayList<>();
    l.add("ro");
    l.addAll(flags);
    return l;
  }

  /** Refuses entries and mounts in the share directory that kvmount's journal does not list. */
  private static void checkForeign(Path dir, Set<String> owned, MountInfo mi, boolean dirExists)
      throws InvalidInputException, IOException {
    checkForeignMounts(dir, owned, mi);
    if (dirExists) {
      for (Path p : list(dir)) {
        if (!owned.contains(p.getFileName().toString())) {
          throw new InvalidInputException(
              "share directory \"" + dir + "\": holds \"" + p.getFileName()
                  + "\", which kvmount did not put there");
        }
      }
    }
  }

  /** The entries of the share directory, sorted. */
  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new IOException("list share directory \"" + dir + "\": " + IoErrors.reason(e), e);
    }
  }

  /** Names in quotes, joined with commas: {@code "a", "b"}. */
  private static String quoted(List<String> names) {
    return names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
  }

  /**
   * Whether an (unmounted) mount point holds nothing: true when it is missing, a symlink, an
   * empty file or an empty directory.
   */
  private static boolean isEmptyMountPoint(Path p) throws IOException {
    try {
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> s = Files.list(p)) {
          return s.findAny().isEmpty();
        }
      }
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return Files.size(p) == 0;
      }
      return true;
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      throw new IOException("read mount point \"" + p + "\": " + IoErrors.reason(e), e);
    }
  }

  /** Refuses mounts at the share directory, and below it outside the entries kvmount owns. */
  private static void checkForeignMounts(Path dir, Set<String> owned, MountInfo mi)
      throws InvalidInputException {
    if (!mi.at(dir).isEmpty()) {
      throw new InvalidInputException(
          "share directory \"" + dir + "\": is a mount point, and kvmount did not mount it");
    }
    for (Mount m : mi.below(dir)) {
      String first = dir.relativize(m.path()).getName(0).toString();
      if (!owned.contains(first)) {
        throw new InvalidInputException(
            "share directory \"" + dir + "\": \"" + m.mountPoint()
                + "\" is mounted there, and kvmount did not mount it");
      }
    }
  }

  /**
   * What is wrong with the mounts at a bind's mount point, or {@code null} when they are as the
   * bind says.
   */
  private static String wrong(HostBind b, Origin origin, List<Mount> at, List<Mount> below) {
    if (at.isEmpty()) {
      return "not mounted";
    }
    if (at.size() > 1) {
      return "mounted " + at.size() + " times at one point";
    }
    Mount top = at.get(0);
    if (!top.root().equals(origin.root()) || !top.device().equals(origin.device())) {
      return "mounted from \"" + top.root() + "\" on device " + top.device()
          + ", but the source is " + origin;
    }
    if (b.readOnly() && !top.readOnly()) {
      return "read-write on the host, but the volume is read-only";
    }
    if (!b.readOnly() && top.readOnly()) {
      return "read-only on the host, but the volume is read-write";
    }
    if (top.shared()) {
      return "its mount propagation is shared (an interrupted run?)";
    }
    if (!b.recursive() && !below.isEmpty()) {
      return "has mounts below it (" + below.get(0).mountPoint()
          + "), but the volume is not recursive";
    }
    if (b.recursive() && b.readOnly()) {
      for (Mount m : below) {
        if (!m.readOnly()) {
          return "a mount below it is read-write (" + m.mountPoint()
              + "), but the volume is read-only";
        }
      }
    }
    return null;
  }

  /** Makes an empty directory or empty file as a mount point, unless one is there. */
  private static void createMountPoint(Path p, boolean file) throws IOException {
    try {
      if (file) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createFile(p);
        }
      } else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(p);
      }
    } catch (IOException e) {
      throw new IOException("create mount point \"" + p + "\": " + IoErrors.reason(e), e);
    }
  }

  /** Removes an unmounted mount point: an empty directory, an empty file, or a symlink. */
  private static void removeMountPoint(Path p) throws IOException {
    try {
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) > 0) {
        throw new IOException("not empty");
      }
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new IOException("remove mount point \"" + p + "\": " + IoErrors.reason(e), e);
    }
  }

  /**
   * Unmounts every mount at or below each root, the whole stack of each (one {@code umount} of
   * the topmost mount points without mounts below them, one {@code umount -R} of the others,
   * repeated while the table still shows any).
   *
   * @return the mount points unmounted, one per mount
   */
  private static List<String> unmountAll(List<Path> roots) throws IOException {
    List<String> done = new ArrayList<>();
    if (roots.isEmpty()) {
      return done;
    }
    IOException last = null;
    for (int round = 0; round < 64; round++) {
      MountInfo mi = MountInfo.read();
      List<Mount> all = new ArrayList<>();
      for (Path r : roots) {
        all.addAll(mi.atOrBelow(r));
      }
      if (all.isEmpty()) {
        return done;
      }
      if (last != null) {
        throw last;
      }
      Set<String> points = new LinkedHashSet<>();
      for (Mount m : all) {
        points.add(m.mountPoint());
      }
      // umount -R reads the mount table once per target: about 5x slower than a plain umount
      // for 128 targets here, so only mount points with mounts below them get it.
      List<String> plain = new ArrayList<>();
      List<String> recursive = new ArrayList<>(List.of("-R"));
      for (String p : points) {
        Path pp = Path.of(p);
        if (points.stream().anyMatch(o -> !o.equals(p) && pp.startsWith(Path.of(o)))) {
          continue; // below another: its top's umount -R takes it
        }
        boolean hasBelow = points.stream().anyMatch(o -> !o.equals(p) && Path.of(o).startsWith(pp));
        (hasBelow ? recursive : plain).add(p);
      }
      for (List<String> args : List.of(plain, recursive)) {
        if (args.isEmpty() || args.equals(List.of("-R"))) {
          continue;
        }
        try {
          HostMounts.umount(args);
        } catch (IOException e) {
          last = e; // the next round shows what is left; fail only if something is
        }
      }
      for (Mount m : all) {
        done.add(m.mountPoint());
      }
      CrashPoint.step();
    }
    throw new IOException("unmount under " + roots + ": mounts keep coming back");
  }
}
