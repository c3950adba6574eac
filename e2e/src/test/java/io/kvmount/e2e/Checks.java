package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Assertions on the KEY=VALUE results an app's probe script wrote in the guest. */
final class Checks {
  private Checks() {}

  /** The value recorded under {@code key}; fails with the boot's diagnostics when absent. */
  static String value(GuestPod.Boot boot, Map<String, String> results, String key) {
    assertThat(results)
        .withFailMessage(() -> "probe did not record " + key + "; results " + results + "\n" + boot.diagnostics())
        .containsKey(key);
    return results.get(key);
  }

  /**
   * Asserts that the mount recorded under {@code key} (by {@code App.mounted}) is present, of the
   * given file system type, and read-only or read-write as asked.
   */
  static void mountedAs(GuestPod.Boot boot, Map<String, String> results, String key, String fstype, boolean readOnly) {
    String v = value(boot, results, key);
    assertThat(v).withFailMessage(() -> key + ": mount absent at service start\n" + boot.diagnostics()).isNotEqualTo("ABSENT");
    String[] parts = v.trim().split("\\s+", 2);
    assertThat(parts[0]).as("%s: file system type (%s)", key, v).isEqualTo(fstype);
    assertThat(parts.length > 1 ? parts[1].split(",")[0] : "").as("%s: first mount option (%s)", key, v).isEqualTo(readOnly ? "ro" : "rw");
  }

  /**
   * Asserts from {@code App.activation} that the mount unit was active, and entered that state
   * before the app's service left "inactive" (the service did not start before its mount).
   */
  static void activatedBeforeService(GuestPod.Boot boot, Map<String, String> results, String key) {
    String v = value(boot, results, key);
    String[] f = v.split(" ");
    assertThat(f).as("%s: activation record '%s'", key, v).hasSize(4);
    assertThat(f[3]).as("%s: ActiveState of %s", key, f[0]).isEqualTo("active");
    long mountActive = Long.parseLong(f[1]);
    long serviceStart = Long.parseLong(f[2]);
    assertThat(mountActive).as("%s: %s active at %d us, service started at %d us", key, f[0], mountActive, serviceStart)
        .isPositive()
        .isLessThanOrEqualTo(serviceStart);
  }

  /**
   * The unit names of a dependency list as {@code systemctl show -P} prints it (space separated;
   * names with a backslash come quoted, with the backslash doubled).
   */
  static List<String> unitList(String shown) {
    List<String> names = new ArrayList<>();
    for (String t : shown.trim().split("\\s+")) {
      if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
        t = t.substring(1, t.length() - 1).replace("\\\\", "\\");
      }
      if (!t.isEmpty()) {
        names.add(t);
      }
    }
    return names;
  }

  /** Asserts that a write recorded under {@code key} was refused as a read-only file system. */
  static void refusedReadOnly(GuestPod.Boot boot, Map<String, String> results, String key) {
    assertThat(value(boot, results, key)).as(key).startsWith("ERROR").contains("Read-only file system");
  }
}
