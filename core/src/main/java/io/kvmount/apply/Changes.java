package io.kvmount.apply;

import io.kvmount.apply.DesiredTree.FileSpec;
import io.kvmount.path.GuestPath;
import io.kvmount.path.RelativePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What applying a plan to one stage1 rootfs will do, decided by reading the tree and before
 * anything is written: the directories to create, the directories whose mode and owner are
 * re-applied, the files to write, the files already as planned, the files an earlier run wrote
 * that are removed, and the directories removed when they are empty. {@link PlanWriter#changes}
 * gives it without writing; {@link PlanWriter#apply} carries it out.
 *
 * <p>{@link #entries()} lists every change in a deterministic order: directories to create
 * (parents first), directories fixed (sorted), files written (plan order), files unchanged (plan
 * order), files removed (sorted), directories removed if empty (children first). Same plan, same
 * tree: same list.
 *
 * <p>Immutable and thread-safe.
 */
public final class Changes {

  /** What happens to one path. */
  public enum Kind {
    /** A missing directory is created with its planned mode and owner (parents: 0755, 0:0). */
    CREATE_DIRECTORY("create-directory", "create directory"),
    /** An existing directory (an empty volume, or one kvmount created) gets its mode and owner re-applied. */
    FIX_DIRECTORY("fix-directory", "fix directory mode and owner"),
    /** A file is written (created, or replaced atomically) with the planned bytes and mode 0644. */
    WRITE_FILE("write-file", "write file"),
    /** A file already has the planned bytes and mode; it is left as it is (and managed from now on). */
    UNCHANGED_FILE("unchanged-file", "leave file unchanged"),
    /** A file an earlier run wrote that the plan no longer contains is removed. */
    REMOVE_FILE("remove-file", "remove file"),
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
      List<GuestPath> removeDirsIfEmpty) {
    this.root = root;
    this.desired = desired;
    this.old = old;
    this.create = Collections.unmodifiableList(create);
    this.fix = Collections.unmodifiableList(fix);
    this.write = Collections.unmodifiableList(write);
    this.unchanged = Collections.unmodifiableList(unchanged);
    this.removeFiles = Collections.unmodifiableList(removeFiles);
    this.removeDirsIfEmpty = Collections.unmodifiableList(removeDirsIfEmpty);
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
            create.size() + fix.size() + write.size() + unchanged.size() + removeFiles.size()
                + removeDirsIfEmpty.size());
    paths(out, create, Kind.CREATE_DIRECTORY);
    paths(out, fix, Kind.FIX_DIRECTORY);
    files(out, write, Kind.WRITE_FILE);
    files(out, unchanged, Kind.UNCHANGED_FILE);
    paths(out, removeFiles, Kind.REMOVE_FILE);
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
   * Whether applying would change nothing: no directory to create or fix, no file to write or
   * remove, no directory to remove.
   *
   * @return true when every planned file and directory is already in place
   */
  public boolean nothingToDo() {
    return create.isEmpty() && fix.isEmpty() && write.isEmpty() && removeFiles.isEmpty()
        && removeDirsIfEmpty.isEmpty();
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

  /** Directories to create, parents first. */
  List<GuestPath> create() {
    return create;
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
}
