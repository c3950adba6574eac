package io.kvmount.verify;

import io.kvmount.path.GuestPath;
import io.kvmount.plan.Plan;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Verifier#verify(java.nio.file.Path, VerifyOptions)} checks.
 *
 * <p>Immutable and thread-safe.
 *
 * @param unitsDir where kvmount wrote the units in the guest, whose root is the stage1 rootfs
 *     (normally {@code /usr/lib/systemd/system}); when {@code expected} is present its {@link
 *     Plan#unitsDir()} must be the same
 * @param expected the plan {@code kvmount generate} would write for the pod manifest, if known:
 *     then the file set, file contents, mount tags and empty-volume modes and owners are compared
 *     with it. Without it only the tree's own consistency and the state file are checked
 * @param systemdAnalyze whether to also run {@code systemd-analyze verify --man=no
 *     --generators=no} on the units when it is installed
 */
public record VerifyOptions(GuestPath unitsDir, Optional<Plan> expected, boolean systemdAnalyze) {

  /** kvmount's default units directory, {@code /usr/lib/systemd/system}. */
  public static final GuestPath DEFAULT_UNITS_DIR = GuestPath.parse("/usr/lib/systemd/system");

  /**
   * Checks the arguments.
   *
   * @param unitsDir where kvmount wrote the units in the guest, whose root is the stage1 rootfs (normally {@code /usr/lib/systemd/system}); when {@code expected} is present its {@link Plan#unitsDir()} must be the same
   * @param expected the plan {@code kvmount generate} would write for the pod manifest, if known: then the file set, file contents, mount tags and empty-volume modes and owners are compared with it. Without it only the tree's own consistency and the state file are checked
   * @param systemdAnalyze whether to also run {@code systemd-analyze verify --man=no --generators=no} on the units when it is installed
   * @throws IllegalArgumentException if {@code unitsDir} is {@code /} or differs from the
   *     expected plan's units directory
   */
  public VerifyOptions {
    Objects.requireNonNull(unitsDir, "unitsDir");
    Objects.requireNonNull(expected, "expected");
    if (unitsDir.isRoot()) {
      throw new IllegalArgumentException("the units directory cannot be the stage1 rootfs itself");
    }
    if (expected.isPresent() && !expected.get().unitsDir().equals(unitsDir)) {
      throw new IllegalArgumentException(
          "units directory " + unitsDir + " differs from the plan's " + expected.get().unitsDir());
    }
  }

  /**
   * Options that compare the tree with a plan, in the plan's units directory, running {@code
   * systemd-analyze} when installed.
   *
   * @param plan the plan for the pod manifest
   * @return the options
   */
  public static VerifyOptions against(Plan plan) {
    return new VerifyOptions(plan.unitsDir(), Optional.of(plan), true);
  }

  /**
   * Options without a plan: only the tree's own consistency and the state file, running {@code
   * systemd-analyze} when installed.
   *
   * @param unitsDir the units directory in the guest (the stage1 rootfs is its root)
   * @return the options
   */
  public static VerifyOptions treeOnly(GuestPath unitsDir) {
    return new VerifyOptions(unitsDir, Optional.empty(), true);
  }

  /**
   * Returns a copy that runs {@code systemd-analyze} or not.
   *
   * @param run whether to run it
   * @return the new options
   */
  public VerifyOptions withSystemdAnalyze(boolean run) {
    return new VerifyOptions(unitsDir, expected, run);
  }
}
