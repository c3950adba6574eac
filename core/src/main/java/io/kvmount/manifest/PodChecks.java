package io.kvmount.manifest;

import io.kvmount.json.FieldPath;
import io.kvmount.error.NearestName;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of a pod manifest that need the whole pod, run once its apps and volumes are read: app
 * names and volume names are unique (appc v0.8.11 rule), every mount without {@code appVolume}
 * names a declared volume, and a mount's {@code appVolume} agrees with the pod volume and the other
 * {@code appVolume}s of its name. Stateless.
 */
final class PodChecks {

  private PodChecks() {}

  /**
   * Checks a pod's apps and volumes, in manifest order: the first problem found is reported.
   *
   * @param apps the pod's apps, as read
   * @param volumes the pod's {@code volumes}, as read
   * @param source where the manifest came from, for the message
   * @throws ManifestException naming the field of the first problem
   */
  static void check(List<RuntimeApp> apps, List<Volume> volumes, String source)
      throws ManifestException {
    // Keyed by the name text, not the record: record hashCode/equals are bootstrapped through
    // invokedynamic on first use, which costs start-up time of a short-lived command.
    Map<String, Integer> appIndex = new HashMap<>();
    for (int i = 0; i < apps.size(); i++) {
      Integer first = appIndex.putIfAbsent(apps.get(i).name().value(), i);
      if (first != null) {
        throw new ManifestException(
            source,
            "apps[" + i + "].name",
            "duplicate app name "
                + Text.quote(apps.get(i).name().value())
                + " (also apps["
                + first
                + "])");
      }
    }
    // Insertion-ordered: a "did you mean" hint picks the first of equally near names.
    Map<String, Integer> volumeIndex = new LinkedHashMap<>();
    for (int i = 0; i < volumes.size(); i++) {
      Integer first = volumeIndex.putIfAbsent(volumes.get(i).name().value(), i);
      if (first != null) {
        throw new ManifestException(
            source,
            "volumes[" + i + "].name",
            "duplicate volume name "
                + Text.quote(volumes.get(i).name().value())
                + " (also volumes["
                + first
                + "])");
      }
    }
    // appVolumes: a name may be defined inline more than once, but only with one definition, and
    // not differently from a pod volume of that name.
    Map<String, String> inlineWhere = new HashMap<>();
    Map<String, Volume> inline = new HashMap<>();
    for (int a = 0; a < apps.size(); a++) {
      List<Mount> mounts = apps.get(a).mounts();
      for (int m = 0; m < mounts.size(); m++) {
        Mount mount = mounts.get(m);
        if (mount.appVolume().isEmpty()) {
          if (!volumeIndex.containsKey(mount.volume().value())) {
            throw new ManifestException(
                source,
                mountPath(a, m) + ".volume",
                "volume "
                    + Text.quote(mount.volume().value())
                    + " is not declared in \"volumes\" (and the mount has no \"appVolume\")"
                    + NearestName.hint(mount.volume().value(), volumeIndex.keySet()));
          }
          continue;
        }
        String where = mountPath(a, m);
        Volume def = mount.appVolume().get();
        String defName = def.name().value();
        Integer podIndex = volumeIndex.get(defName);
        if (podIndex != null && !volumes.get(podIndex).equals(def)) {
          throw new ManifestException(
              source,
              where + ".appVolume",
              "volume "
                  + Text.quote(def.name().value())
                  + " differs from volumes["
                  + podIndex
                  + "] of the same name");
        }
        Volume other = inline.putIfAbsent(defName, def);
        if (other == null) {
          inlineWhere.put(defName, where);
        } else if (!other.equals(def)) {
          throw new ManifestException(
              source,
              where + ".appVolume",
              "volume "
                  + Text.quote(def.name().value())
                  + " differs from "
                  + inlineWhere.get(defName)
                  + ".appVolume of the same name");
        }
      }
    }
  }

  /** {@code apps[a].mounts[m]}. */
  private static String mountPath(int a, int m) {
    return FieldPath.element(FieldPath.child(FieldPath.element("apps", a), "mounts"), m);
  }
}
