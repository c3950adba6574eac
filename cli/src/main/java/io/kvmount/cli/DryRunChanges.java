package io.kvmount.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.kvmount.Kvmount;
import io.kvmount.apply.Changes;
import io.kvmount.error.InvalidInputException;
import io.kvmount.plan.Plan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code generate --dry-run} says a run would do to the stage1 rootfs: each path with what
 * would happen to it ({@link Kvmount#changes}), or why a run would refuse the tree. Decided by
 * reading the stage1 rootfs only; nothing is written, not even the lock file.
 *
 * <p>Immutable.
 */
final class DryRunChanges {

  private final List<Changes.Change> entries;
  private final String failure;

  private DryRunChanges(List<Changes.Change> entries, String failure) {
    this.entries = entries;
    this.failure = failure;
  }

  /**
   * Analyses the stage1 rootfs for the plan, with the checks of a run.
   *
   * @param plan the plan
   * @param stage1 the stage1 rootfs
   * @param force whether a run would replace conflicting files ({@code --force}): they are then
   *     listed as backed up and written
   * @return the changes
   * @throws InvalidInputException if a run would reject the plan itself (exit 3, as a run)
   * @throws io.kvmount.apply.ConflictException naming every file in the way, with the hint a run
   *     gives (exit 3, as a run)
   * @throws IOException if a run would refuse the tree (the stage1 rootfs missing, a symlink on a
   *     path, ...; exit 1 as a run, with its message) or reading fails
   */
  static DryRunChanges of(Plan plan, Path stage1, boolean force) throws InvalidInputException, IOException {
    try {
      return new DryRunChanges(Kvmount.changes(plan, stage1, force).entries(), null);
    } catch (io.kvmount.apply.ConflictException e) {
      throw GenerateCommand.withForceHint(e);
    } catch (IOException e) {
      if (!Files.isDirectory(stage1)) {
        throw new IOException(GenerateCommand.notADirectory(stage1), e);
      }
      throw e;
    }
  }

  /**
   * Analyses the stage1 rootfs for the plan, reporting a tree a run would refuse in the
   * section instead of failing (for callers that print a plan whatever the tree holds).
   *
   * @param plan the plan
   * @param stage1 the stage1 rootfs
   * @return the changes, or the one-line reason a run would refuse the tree
   * @throws InvalidInputException if a run would reject the plan itself
   */
  static DryRunChanges of(Plan plan, Path stage1) throws InvalidInputException {
    try {
      return new DryRunChanges(Kvmount.changes(plan, stage1).entries(), null);
    } catch (IOException e) {
      String why = Files.isDirectory(stage1) ? e.getMessage() : GenerateCommand.notADirectory(stage1);
      return new DryRunChanges(List.of(), why);
    }
  }

  /** The text report's section, printed after the rest of a dry run's report. */
  void printText(PrintWriter out) {
    out.println();
    out.println("Changes a run would make in the stage1 rootfs:");
    if (failure != null) {
      out.println("  none: generate would fail: " + ExitCodes.oneLine(failure));
      return;
    }
    if (entries.isEmpty()) {
      out.println("  none (up to date)");
      return;
    }
    int width = 0;
    for (Changes.Change c : entries) {
      width = Math.max(width, c.kind().description().length());
    }
    StringBuilder sb = new StringBuilder();
    for (Changes.Change c : entries) {
      sb.setLength(0);
      sb.append("  ").append(c.kind().description());
      for (int i = c.kind().description().length(); i < width + 2; i++) {
        sb.append(' ');
      }
      out.println(sb.append(c.path()));
    }
  }

  /**
   * Writes the JSON fields: {@code changes}, an array of {@code {"path", "change"}} objects, or
   * {@code null} with {@code changesError} when a run would refuse the tree.
   */
  void writeJson(JsonGenerator j) throws IOException {
    if (failure != null) {
      j.writeNullField("changes");
      j.writeStringField("changesError", ExitCodes.oneLine(failure));
      return;
    }
    j.writeArrayFieldStart("changes");
    for (Changes.Change c : entries) {
      j.writeStartObject();
      j.writeStringField("path", c.path().toString());
      j.writeStringField("change", c.kind().id());
      j.writeEndObject();
    }
    j.writeEndArray();
  }
}
