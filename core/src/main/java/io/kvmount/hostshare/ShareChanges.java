package io.kvmount.hostshare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The changes {@link PodShare#apply} makes to bring the host to a {@link ShareSpec}, as {@link
 * PodShare#analyse} found them: a value, computed without side effects. Immutable and
 * thread-safe; the order of {@link #changes()} is the order of the report (apply groups the work
 * by kind, see {@link PodShare#apply}).
 *
 * @param shareDir the share directory: its parent's real path joined with its name
 * @param recordsDir kvmount's records for it, {@code <parent>/.<name>.kvmount}
 * @param journal the entry names the records will list when apply is done (the spec's names)
 * @param changes what to do, and the binds that stay as they are
 */
public record ShareChanges(Path shareDir, Path recordsDir, List<String> journal, List<Change> changes) {

  /** Copies the lists. */
  public ShareChanges {
    Objects.requireNonNull(shareDir, "shareDir");
    Objects.requireNonNull(recordsDir, "recordsDir");
    journal = List.copyOf(journal);
    changes = List.copyOf(changes);
  }

  /**
   * Whether apply has nothing to do: every entry is {@link Unchanged}.
   *
   * @return true for a share already set up as the spec says
   */
  public boolean isEmpty() {
    return changes.stream().allMatch(c -> c instanceof Unchanged);
  }

  /**
   * Every bind's source as given and its real path, in the spec's order (the report shows them).
   *
   * @return bind name to real source path
   */
  public Map<String, Path> realSources() {
    Map<String, Path> m = new LinkedHashMap<>();
    for (Change c : changes) {
      if (c instanceof Bind b) {
        m.put(b.bind().name(), b.realSource());
      } else if (c instanceof Unchanged u) {
        m.put(u.bind().name(), u.realSource());
      }
    }
    return m;
  }

  /**
   * The changes as report lines, one each, such as {@code bind data from /srv/data (read-only,
   * recursive)}.
   *
   * @return the lines, in {@link #changes()} order
   */
  public List<String> lines() {
    List<String> l = new ArrayList<>();
    for (Change c : changes) {
      l.add(c.describe(shareDir));
    }
    return l;
  }

  /** One change, or a bind that stays. */
  public sealed interface Change
      permits CreateShareDir, CleanStaging, UnmountStale, RemoveStale, Bind, Unchanged, WriteRecords {
    /**
     * The change in one line.
     *
     * @param shareDir the share directory, for paths in the line
     * @return the line
     */
    String describe(Path shareDir);
  }

  /** Create the share directory (and kvmount's records beside it). */
  public record CreateShareDir() implements Change {
    @Override
    public String describe(Path shareDir) {
      return "create share directory " + shareDir;
    }
  }

  /**
   * Unmount what an interrupted run left on kvmount's private staging mount point.
   *
   * @param mountPoints the stale mount points, in table order
   */
  public record CleanStaging(List<String> mountPoints) implements Change {
    /** Copies the list. */
    public CleanStaging {
      mountPoints = List.copyOf(mountPoints);
    }

    @Override
    public String describe(Path shareDir) {
      return "unmount stale staging mounts (" + mountPoints.size() + ")";
    }
  }

  /**
   * Unmount everything at or below {@code <share dir>/<name>}: an entry no longer in the spec, a
   * bind that is wrong (another source, read-write where it must be read-only, stacked twice), or
   * the leftover of an interrupted run.
   *
   * @param name the entry
   * @param why why, in a few words ({@code no longer in the pod}, {@code mounted twice}, ...)
   */
  public record UnmountStale(String name, String why) implements Change {
    @Override
    public String describe(Path shareDir) {
      return "unmount stale " + name + " (" + why + ")";
    }
  }

  /**
   * Remove the mount point {@code <share dir>/<name>} (an empty directory or empty file kvmount
   * made): its entry is no longer in the spec, or it is of the wrong kind.
   *
   * @param name the entry
   */
  public record RemoveStale(String name) implements Change {
    @Override
    public String describe(Path shareDir) {
      return "remove stale entry " + name;
    }
  }

  /**
   * Bind a source at {@code <share dir>/<name>}.
   *
   * @param bind the bind as the spec gives it
   * @param realSource the source's real path, resolved once; mount is given this path
   * @param expectedRoot the root the new mount must show in {@code mountinfo}
   * @param expectedDevice the {@code major:minor} it must show
   * @param sourceFlags the per-mount flags of the mount holding the source other than {@code
   *     rw}/{@code ro} ({@code nosuid}, ...), kept on a read-only bind
   */
  public record Bind(
      HostBind bind,
      Path realSource,
      String expectedRoot,
      String expectedDevice,
      List<String> sourceFlags)
      implements Change {
    /** Copies the list. */
    public Bind {
      sourceFlags = List.copyOf(sourceFlags);
    }

    @Override
    public String describe(Path shareDir) {
      return "bind " + bind.name() + " from " + realSource + " (" + bind.mode() + ")";
    }
  }

  /**
   * A bind already in place as the spec says.
   *
   * @param bind the bind
   * @param realSource the source's real path
   */
  public record Unchanged(HostBind bind, Path realSource) implements Change {
    @Override
    public String describe(Path shareDir) {
      return "unchanged " + bind.name() + " from " + realSource + " (" + bind.mode() + ")";
    }
  }

  /** Rewrite kvmount's records (the journal lists other entries than the spec). */
  public record WriteRecords() implements Change {
    @Override
    public String describe(Path shareDir) {
      return "update kvmount's records of " + shareDir;
    }
  }
}
