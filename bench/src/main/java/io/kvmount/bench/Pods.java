package io.kvmount.bench;

/**
 * Synthetic pod manifests for the benchmarks, byte for byte what {@code bench/gen-pod.sh} prints
 * for the same arguments: app {@code i} mounts {@code mounts} host volumes, mount 0 at {@code
 * /data} and mount {@code k >= 1} at {@code /data/mK} (nested in mount 0), the odd ones read-only
 * through the app's mount points; mount {@code k} of app {@code i} uses volume {@code (i * mounts
 * + k) mod volumes}.
 */
public final class Pods {

  private Pods() {}

  /**
   * Returns a pod manifest.
   *
   * @param apps number of apps, at least 1
   * @param mounts mounts per app, at least 1
   * @param volumes number of host volumes, at least 1
   * @param sourceDir absolute host directory holding the volumes' sources {@code vol-N}
   * @return the manifest's JSON text
   */
  public static String json(int apps, int mounts, int volumes, String sourceDir) {
    StringBuilder sb = new StringBuilder(apps * 900 + volumes * 100);
    sb.append("{\n  \"acKind\": \"PodManifest\",\n  \"acVersion\": \"0.8.11\",\n  \"apps\": [\n");
    for (int a = 0; a < apps; a++) {
      sb.append(String.format(
          "    {\"name\": \"app-%d\", \"image\": {\"name\": \"example.com/app-%d\", \"id\": \"sha512-%040d\"},%n",
          a, a, a));
      sb.append("     \"app\": {\"exec\": [\"/bin/app\"], \"user\": \"0\", \"group\": \"0\", \"mountPoints\": [");
      String sep = "";
      for (int k = 1; k < mounts; k += 2) {
        sb.append(sep).append(String.format("{\"name\": \"mp-%d\", \"path\": \"/data/m%d\", \"readOnly\": true}", k, k));
        sep = ", ";
      }
      sb.append("]},\n     \"mounts\": [");
      for (int k = 0; k < mounts; k++) {
        String path = k == 0 ? "/data" : "/data/m" + k;
        sb.append(k > 0 ? ", " : "")
            .append(String.format("{\"volume\": \"vol-%d\", \"path\": \"%s\"}", (a * mounts + k) % volumes, path));
      }
      sb.append("]}").append(a < apps - 1 ? "," : "").append('\n');
    }
    sb.append("  ],\n  \"volumes\": [\n");
    for (int v = 0; v < volumes; v++) {
      sb.append(String.format(
          "    {\"name\": \"vol-%d\", \"kind\": \"host\", \"source\": \"%s/vol-%d\"}%s%n",
          v, sourceDir, v, v < volumes - 1 ? "," : ""));
    }
    sb.append("  ]\n}\n");
    return sb.toString();
  }
}
