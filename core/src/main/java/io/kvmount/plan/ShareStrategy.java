package io.kvmount.plan;

/**
 * How host volumes reach the guest: one device per volume, or one device for the whole pod.
 *
 * <p>{@link #id()} is the text of {@code --share} and of the reports.
 */
public enum ShareStrategy {
  /**
   * One share (9p or virtio-fs device) per host volume, its source exported as it is. Needs no
   * host privileges; shares directories only, and cannot hide mounts below a source.
   */
  PER_VOLUME("per-volume"),
  /**
   * One host directory per pod that kvmount owns and bind-mounts every host volume into
   * (directories and single files, recursive or not, read-only made read-only on the host), given
   * to the guest as one share. Needs root on the host for the bind mounts.
   */
  POD("pod");

  private final String id;

  ShareStrategy(String id) {
    this.id = id;
  }

  /**
   * Returns the option and report text.
   *
   * @return {@code per-volume} or {@code pod}
   */
  public String id() {
    return id;
  }

  /**
   * Finds a strategy by its text.
   *
   * @param id {@code per-volume} or {@code pod}
   * @return the strategy
   * @throws IllegalArgumentException if the text names none
   */
  public static ShareStrategy byId(String id) {
    for (ShareStrategy s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("share strategy \"" + id + "\" is not one of per-volume, pod");
  }
}
