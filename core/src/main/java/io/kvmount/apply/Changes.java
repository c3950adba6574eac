package io.kvmount.apply;

import io.kvmount.apply.DesiredTree.FileSpec;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What applying a plan to one stage1 rootfs will do, decided by reading the tree and before
 * anything is written: the directories to create (some made as a copy of an image directory), the
 * directories whose mode and owner are re-applied, the empty files to create as file mount points, the files to write, the files
 * already as planned, the files an earlier run wrote that are removed, the file mount points an
 * earlier run created that are removed when they are still empty, and the directories removed
 * when they are empty. {@link PlanWriter#changes} gives it without writing; {@link
 * PlanWriter#apply} carries it out.
 *
 * <p>{@link #entries()} lists every change in a deterministic order: with force, conflicting
 * files backed up (plan order, then stale files sorted), directories to create
 * (parents first), volume directories copied from an image (plan order), directories fixed (sorted), file mount points created (plan order), files
 * written (plan order), files unchanged (plan order), files removed (sorted), file mount points
 * removed if empty (sorted), directories removed if empty (children first). Same plan, same tree:
 * same list. An existing regular file at a file mount point is used as it is and not listed.
 *
 * <p>Immutable and thread-safe.
 */
public final class Changes {

  /** What happens to one path. */
  public enum Kind {
    /**
     * With {@code --force}: a file kvmount did not write, or changed after it wrote it, is copied
     * to {@code .kvmount/backup/<UTC time>/} before it is replaced or removed (it is also listed
     * as written or removed).
     */
    BACK_UP_FILE("back-up-file", "back up conflicting file"),
    /** A missing directory is created with its planned mode and owner (parents: 0755, 0:0). */
    CREATE_DIRECTORY("create-directory", "create directory"),
    /**
     * A volume directory being created starts as a copy of what the app's Docker image holds at its
     * mount point (the directory is also listed as created); a volume directory already there is
     * never copied into again.
     */
    COPY_IMAGE_CONTENT("copy-image-content", "copy image content into volume"),
    /** An existing directory (an empty volume, or one kvmount created) gets its mode and owner re-applied. */
    FIX_DIRECTORY("fix-directory", "fix directory mode and owner"),
    /**
     * A missing file mount point (where a single-file volume is bound in the guest) is created as
     * an empty regular file, mode 0644.
     */
    CREATE_FILE("create-file", "create empty file mount point"),
    /** A file is written (created, or replaced atomically) with the planned bytes and mode 0644. */
    WRITE_FILE("write-file", "write file"),
    /** A file already has the planned bytes and mode; it is left as it is (and managed from now on). */
    UNCHANGED_FILE("unchanged-file", "leave file unchanged"),
    /** A file an earlier run wrote that the plan no longer contains is removed. */
    REMOVE_FILE("remove-file", "remove file"),
    /**
     * A file mount point an earlier run created that the plan no longer has is removed if it is
     * still an empty regular file (one the app or the user wrote into is left).
     */
    REMOVE_FILE_IF_EMPTY("remove-file-if-empty", "remove file mount point if empty"),
    /** A directory kvmount kept or created that the plan no longer needs is removed if it is empty. */
    REMOVE_DIRECTORY_IF_EMPTY("remove-directory-if-empty", "remove directory if empty");

    private final String id;
    private final String description;

    Kind(String id, String description) {
      this.id = id;
      this.description = description;
    }

    /**
     * A stable lower-case identifier for machine-readable output, such as {@code write-file}.
     *
     * @return the identifier
     */
    public String id() {
      return id;
    }

    /**
     * A short lower-case description for reports, such as {@code write file}.
     *
     * @return the description
     */
    public String description() {
      return description;
    }
  }

  /**
   * One change.
   *
   * @param path the path relative to the stage1 rootfs ({@code
   *     usr/lib/systemd/system/mnt-data.mount})
   * @param kind what happens to it
   */
  public record Change(RelativePath path, Kind kind) {
    /**
     * Checks that neither component is null.
     *
     * @param path the path relative to the stage1 rootfs
     * @param kind what happens to it
     */
    public Change {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(kind, "kind");
    }
  }

  private final Path root;
  private final DesiredTree desired;
  private final StateFile old;
  private final List<GuestPath> create;
  private final List<GuestPath> fix;
  private final List<FileSpec> write;
  private final List<FileSpec> unchanged;
  private final List<GuestPath> removeFiles;
  private final List<GuestPath> removeDirsIfEmpty;
  private final List<GuestPath> createFiles;
  private final List<GuestPath> removeFilesIfEmpty;
  private final Set<GuestPath> fileMountPointsAfter;
  private final List<GuestPath> backUp;
  private final Set<GuestPath> createdDirsAfter;
  private final List<io.kvmount.plan.PlannedCopy> copies;

  /** Takes the lists over; the analysis that made them never changes them afterwards. */
  Changes(
      Path root,
      DesiredTree desired,
      StateFile old,
      List<GuestPath> create,
      List<GuestPath> fix,
      List<FileSpec> write,
      List<FileSpec> unchanged,
      List<GuestPath> removeFiles,
      List<GuestPath> removeDirsIfEmpty,
      List<GuestPath> createFiles,
      List<GuestPath> removeFilesIfEmpty,
      Set<GuestPath> fileMountPointsAfter,
      List<GuestPath> backUp,
      Set<GuestPath> createdDirsAfter,
      List<io.kvmount.plan.PlannedCopy> copies) {
    this.copies = Collections.unmodifiableList(copies);
    this.backUp = Collections.unmodifiableList(backUp);
    this.createdDirsAfter = Collections.unmodifiableSet(createdDirsAfter);
    this.root = root;
    this.desired = desired;
    this.old = old;
    this.create = Collections.unmodifiableList(create);
    this.fix = Collections.unmodifiableList(fix);
    this.write = Collections.unmodifiableList(write);
    this.unchanged = Collections.unmodifiableList(unchanged);
    this.removeFiles = Collections.unmodifiableList(removeFiles);
    this.removeDirsIfEmpty = Collections.unmodifiableList(removeDirsIfEmpty);
    this.createFiles = Collections.unmodifiableList(createFiles);
    this.removeFilesIfEmpty = Collections.unmodifiableList(removeFilesIfEmpty);
    this.fileMountPointsAfter = Collections.unmodifiableSet(fileMountPointsAfter);
  }

  /**
   * Every change, in the order of the class description. Made on each call (a 1,000-app pod has
   * 24,000 entries, which only a report needs).
   *
   * @return the changes; unmodifiable
   */
  public List<Change> entries() {
    List<Change> out =
        new ArrayList<>(
            backUp.size() + create.size() + copies.size() + fix.size() + createFiles.size() + write.size() + unchanged.size()
                + removeFiles.size() + removeFilesIfEmpty.size() + removeDirsIfEmpty.size());
    paths(out, backUp, Kind.BACK_UP_FILE);
    paths(out, create, Kind.CREATE_DIRECTORY);
    for (io.kvmount.plan.PlannedCopy c : copies) {
      out.add(new Change(GuestPath.ROOT.relativize(c.to()), Kind.COPY_IMAGE_CONTENT));
    }
    paths(out, fix, Kind.FIX_DIRECTORY);
    paths(out, createFiles, Kind.CREATE_FILE);
    files(out, write, Kind.WRITE_FILE);
    files(out, unchanged, Kind.UNCHANGED_FILE);
    paths(out, removeFiles, Kind.REMOVE_FILE);
    paths(out, removeFilesIfEmpty, Kind.REMOVE_FILE_IF_EMPTY);
    paths(out, removeDirsIfEmpty, Kind.REMOVE_DIRECTORY_IF_EMPTY);
    return Collections.unmodifiableList(out);
  }

  private static void paths(List<Change> out, List<GuestPath> paths, Kind kind) {
    for (GuestPath p : paths) {
      out.add(new Change(GuestPath.ROOT.relativize(p), kind));
    }
  }

  private static void files(List<Change> out, List<FileSpec> files, Kind kind) {
    for (FileSpec f : files) {
      out.add(new Change(GuestPath.ROOT.relativize(f.path()), kind));
    }
  }

  /**
   * Whether applying would change nothing: no directory to create or fix, no file or file mount
   * point to create, write or remove, no directory to remove.
   *
   * @return true when every planned file, file mount point and directory is already in place
   */
  public boolean nothingToDo() {
    return create.isEmpty() && fix.isEmpty() && write.isEmpty() && removeFiles.isEmpty()
        && removeDirsIfEmpty.isEmpty() && createFiles.isEmpty() && removeFilesIfEmpty.isEmpty();
  }

  Path root() {
    return root;
  }

  DesiredTree desired() {
    return desired;
  }

  /** The state file read before the analysis. */
  StateFile old() {
    return old;
  }

  /**
   * The directories the state lists as created by kvmount after this run: those the plan has that
   * this run, an earlier one or an interrupted one created (drop-in directories aside).
   */
  Set<GuestPath> createdDirsAfter() {
    return createdDirsAfter;
  }

  /** With force: conflicting files copied to a backup before they are replaced or removed. */
  List<GuestPath> backUp() {
    return backUp;
  }

  /** Directories to create, parents first. */
  List<GuestPath> create() {
    return create;
  }

  /**
   * Volume directories to make as a copy of an image directory, in plan order: each is also in
   * {@link #create()}, which it replaces for that path.
   */
  List<io.kvmount.plan.PlannedCopy> copies() {
    return copies;
  }

  /** Existing directories whose mode and owner are re-applied, sorted. */
  List<GuestPath> fix() {
    return fix;
  }

  /** Files to write (staged, then renamed into place), in plan order. */
  List<FileSpec> write() {
    return write;
  }

  /** Files already as planned, in plan order. */
  List<FileSpec> unchanged() {
    return unchanged;
  }

  /** Stale files kvmount wrote, sorted. */
  List<GuestPath> removeFiles() {
    return removeFiles;
  }

  /** Directories to remove when empty, children first. */
  List<GuestPath> removeDirsIfEmpty() {
    return removeDirsIfEmpty;
  }

  /** Missing file mount points to create as empty files, in plan order. */
  List<GuestPath> createFiles() {
    return createFiles;
  }

  /** File mount points an earlier run created that the plan no longer has, sorted. */
  List<GuestPath> removeFilesIfEmpty() {
    return removeFilesIfEmpty;
  }

  /**
   * The file mount points the state lists after this run: those created now, and those an
   * earlier run created that the plan still has.
   */
  Set<GuestPath> fileMountPointsAfter() {
    return fileMountPointsAfter;
  }
}
