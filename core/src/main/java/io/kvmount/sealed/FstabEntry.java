package io.kvmount.sealed;

import io.kvmount.plan.MountSpec;
import io.kvmount.systemd.UnitName;
import java.util.List;

/**
 * One mount for systemd-fstab-generator: the four fields of an fstab line, with the options that
 * replace the unit files' dependencies ({@code x-systemd.requires=}, {@code
 * x-systemd.required-by=}, {@code x-systemd.before=}, {@code noauto}). Immutable and thread-safe.
 *
 * @param unit the mount unit the generator makes of it (same as {@code systemd-escape --path
 *     --suffix=mount} of {@code mount.where()})
 * @param mount what, where, type and the mount's own options (as a unit file would carry them)
 * @param options every option of the line, in order: the mount's own, then the dependency words
 */
public record FstabEntry(UnitName unit, MountSpec mount, List<String> options) {

  /**
   * Copies the options.
   *
   * @param unit the mount unit the generator makes of it
   * @param mount what, where, type and the mount's own options
   * @param options every option of the line, in order
   */
  public FstabEntry {
    options = List.copyOf(options);
  }
}
