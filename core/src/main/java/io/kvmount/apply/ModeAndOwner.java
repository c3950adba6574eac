package io.kvmount.apply;

import io.kvmount.apply.DesiredTree.DirSpec;
import io.kvmount.error.IoErrors;
import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives new directories and files exactly their planned mode and owner, whatever the umask, the
 * parent's set-group-ID bit or its default ACL, with as few system calls as can be proven enough:
 * it creates directories, sets and reads modes and owners, and remembers which outcomes of {@code
 * mkdir} and of creating a file it has seen to be exact.
 *
 * <p>One instance per run. Thread-safe: the directories of one depth are created in parallel.
 */
final class ModeAndOwner {

  private final Path root;
  private final DesiredTree d;
  private final ProcessCreds creds;

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

  /** For each directory created in this run, the existing directory its chain of new ones began in. */
  private final Map<GuestPath, GuestPath> createdChainStart;

  /** Starting points and modes for which {@code mkdir} was seen to give exactly the mode and owner. */
  private final Set<MkdirOutcome> provenOutcomes = ConcurrentHashMap.newKeySet();

  /** Directories in which a file created 0644 was seen to come out 0644. */
  private final Set<GuestPath> provenFileModes = ConcurrentHashMap.newKeySet();

  /** {@code mkdir} permission attributes by mode (only a few distinct modes occur). */
  private final Map<Integer, FileAttribute<Set<PosixFilePermission>>> permissionAttributes =
      new ConcurrentHashMap<>();

  /**
   * Makes the proofs of one run.
   *
   * @param root the stage1 rootfs
   * @param d the desired tree (the planned attributes)
   * @param creds this process's uid, gid and umask
   * @param creating how many directories the run creates (sizes a map once)
   */
  ModeAndOwner(Path root, DesiredTree d, ProcessCreds creds, int creating) {
    this.root = root;
    this.d = d;
    this.creds = creds;
    this.createdChainStart = new ConcurrentHashMap<>(creating * 4 / 3 + 16); // sized once, not grown
  }

  private Path host(GuestPath p) {
    return root.resolve(p.relativeString());
  }

  /**
   * Whether a directory has exactly the mode bits and owner of {@code spec}, read without
   * following links.
   *
   * @throws IOException {@code read the attributes of "<path>" in stage1 rootfs ...}
   */
  static boolean hasAttributes(Path root, GuestPath p, DirSpec spec) throws IOException {
    Path h = root.resolve(p.relativeString());
    try {
      Map<String, Object> a = Files.readAttributes(h, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
      return (((Integer) a.get("mode")) & 07777) == spec.mode()
          && Integer.toUnsignedLong((Integer) a.get("uid")) == spec.uid()
          && Integer.toUnsignedLong((Integer) a.get("gid")) == spec.gid();
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("read the attributes of", p.relativeString(), root, e);
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
   *
   * @param createdNow the directories created so far, in creation order; guarded by itself
   */
  void makeDirectory(GuestPath p, Set<GuestPath> createdNow) throws IOException {
    Path h = host(p);
    DirSpec spec = d.dirs.get(p);
    boolean direct = creds.mkdirGives(spec.mode(), spec.uid(), spec.gid());
    try {
      Files.createDirectory(h, permissions(direct ? spec.mode() : 0700));
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("create directory", p.relativeString(), root, e);
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
      if (hasAttributes(root, p, spec)) {
        provenOutcomes.add(outcome);
      } else {
        setAttributes(p, spec);
      }
    }
  }

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
  void setAttributes(GuestPath p, DirSpec spec) throws IOException {
    Path h = host(p);
    String rel = p.relativeString();
    Map<String, Object> a;
    try {
      a = Files.readAttributes(h, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("read the owner of", rel, root, e);
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
          IoErrors.inStage1Rootfs("set owner " + spec.uid() + ":" + spec.gid() + " of directory", rel, root, e);
      if (e instanceof AccessDeniedException || "operation not permitted".equals(IoErrors.reason(e))) {
        w = new IOException(w.getMessage() + " (only root can give a directory to another user)", e);
      }
      throw w;
    }
    try {
      Files.setAttribute(h, "unix:mode", spec.mode(), LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw IoErrors.inStage1Rootfs("set mode " + String.format("%04o", spec.mode()) + " of directory", rel, root, e);
    }
  }

  /**
   * Makes sure a file just created 0644 in {@code dir} has mode 0644: the umask or the
   * directory's default ACL may have taken bits away. Both are the same for every file created
   * in directories of one chain of new directories, so one {@code lstat} per chain tells; when
   * bits are missing, the mode is set without following links.
   *
   * @param h the file on the host
   * @param dir the directory the file is in, relative to the stage1 rootfs
   */
  void ensureFileMode(Path h, GuestPath dir) throws IOException {
    GuestPath start = createdChainStart.getOrDefault(dir, dir);
    if (provenFileModes.contains(start)) {
      return;
    }
    if (((Integer) Files.getAttribute(h, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777) == DesiredTree.FILE_MODE) {
      provenFileModes.add(start);
    } else {
      Files.setAttribute(h, "unix:mode", DesiredTree.FILE_MODE, LinkOption.NOFOLLOW_LINKS);
    }
  }
}
