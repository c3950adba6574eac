package io.kvmount.manifest;

import java.util.Optional;

/**
 * The appc versions kvmount knows: every release of the appc spec, 0.1.0 to 0.8.11 (the last one,
 * 2017; kvmount decodes by the rules of appc's schema code of v0.7.1 and v0.8.11). A manifest of another version is read all the same, by the same rules, with a warning:
 * a later appc would be a schema kvmount has never seen. Pre-release and build suffixes are
 * ignored ({@code 0.8.11+git} is 0.8.11). Stateless.
 */
public final class AcVersion {

  /** The newest appc version kvmount knows. */
  public static final String NEWEST = "0.8.11";

  /** The oldest appc version (the first release of the spec). */
  public static final String OLDEST = "0.1.0";

  private AcVersion() {}

  /**
   * Why a declared version is one kvmount does not know, for a warning.
   *
   * @param acVersion the manifest's {@code acVersion}, valid semantic version text (as the reader
   *     accepts it), or {@code ""} when the manifest has none
   * @return the reason, such as {@code "0.9.0" is not an appc version kvmount knows (...)}, or
   *     empty for a known version or none
   */
  public static Optional<String> unknown(String acVersion) {
    if (acVersion.isEmpty()) {
      return Optional.empty();
    }
    String core = acVersion;
    int cut = core.indexOf('+');
    core = cut >= 0 ? core.substring(0, cut) : core;
    cut = core.indexOf('-');
    core = cut >= 0 ? core.substring(0, cut) : core;
    String[] parts = core.split("\\.", -1);
    long[] v = new long[3];
    try {
      for (int i = 0; i < 3; i++) {
        v[i] = Long.parseLong(parts[i]);
      }
    } catch (RuntimeException e) {
      return Optional.of(Text.quote(acVersion) + " is not an appc version");
    }
    boolean atLeastOldest = v[0] > 0 || v[1] >= 1;
    boolean atMostNewest = v[0] == 0 && (v[1] < 8 || (v[1] == 8 && v[2] <= 11));
    if (atLeastOldest && atMostNewest) {
      return Optional.empty();
    }
    return Optional.of(Text.quote(acVersion) + " is not an appc version kvmount knows (" + OLDEST + " to " + NEWEST
        + ", the last appc release); read by the rules of " + NEWEST);
  }
}
