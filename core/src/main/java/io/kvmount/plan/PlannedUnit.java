package io.kvmount.plan;

import io.kvmount.path.RelativePath;
import io.kvmount.systemd.UnitName;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link PlannedFile} does to systemd's unit graph: which unit it defines (or, for a
 * drop-in, extends), in which role, and the units its {@code Requires=} names. The planner
 * records this beside the rendered text so that readers of the plan (the text report, the
 * {@code --format dot} graph, {@code verify}) never parse the text back; a test checks that the
 * two agree.
 *
 * <p>Every {@code Requires=} kvmount writes comes with an {@code After=} on the same units, except
 * a remount service's, which also orders itself after the nested mounts below its target; only
 * the requirements are recorded here. Immutable and thread-safe.
 *
 * @param file the planned file's path, relative to the units directory (same as {@link
 *     PlannedFile#path()})
 * @param name the unit the file defines; for a drop-in, the unit it extends ({@code web.service}
 *     for {@code web.service.d/10-kvmount-volumes.conf})
 * @param role what the unit is to the pod
 * @param requires the units named in the file's {@code Requires=}, in the order written; empty
 *     when it has none
 * @param mount for a mount unit (a share or a bind, or a guest filesystem's mount), the mount it
 *     makes, from which its {@code [Mount]} section was rendered; empty for services and drop-ins
 */
public record PlannedUnit(RelativePath file, UnitName name, Role role, List<UnitName> requires, Optional<MountSpec> mount) {

  /** What a planned unit is to the pod. */
  public enum Role {
    /** Mounts a host volume's tag at {@code /mnt/<volume>} (one per {@link Share}). */
    SHARE,
    /** Bind-mounts {@code /mnt/<volume>} at an app's mount point (one per {@link ResolvedMount}). */
    BIND,
    /** Legacy remount service: makes a bind mount read-only ({@code --legacy-remount}). */
    REMOUNT,
    /** An app's service, extended by kvmount's drop-in to require the app's mounts. */
    APP_SERVICE,
    /** Copies what a tmpfs covers into it after mounting (OCI {@code tmpcopyup}). */
    COPY_UP,
    /** Masks and makes read-only an app's paths after its mounts (OCI {@code linux.maskedPaths}, {@code readonlyPaths}). */
    PATHS
  }

  /**
   * Copies the list.
   *
   * @param file the planned file's path, relative to the units directory
   * @param name the unit the file defines or, for a drop-in, extends
   * @param role what the unit is to the pod
   * @param requires the units named in the file's {@code Requires=}, in order
   * @param mount the mount a mount unit makes; empty for services and drop-ins
   */
  public PlannedUnit {
    requires = List.copyOf(requires); // the same list when the planner passes an immutable one
    java.util.Objects.requireNonNull(mount, "mount");
  }

  /**
   * A unit that makes no mount of its own: a service or a drop-in.
   *
   * @param file the planned file's path, relative to the units directory
   * @param name the unit the file defines or, for a drop-in, extends
   * @param role what the unit is to the pod
   * @param requires the units named in the file's {@code Requires=}, in order
   */
  public PlannedUnit(RelativePath file, UnitName name, Role role, List<UnitName> requires) {
    this(file, name, role, requires, Optional.empty());
  }
}
