package io.kvmount.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A large pod for the crash and concurrency tests: {@code apps} apps with {@code mounts} mounts
 * each, over 20 host volumes (sources created under {@code hostDir}) and 20 empty volumes with
 * varied modes and owners. {@code variant} changes the mount paths, so that two variants share
 * some units and differ in others.
 */
final class BigPod {
  private BigPod() {}

  static Path write(Path file, Path hostDir, int variant, int apps, int mounts) throws IOException {
    StringBuilder sb = new StringBuilder("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[");
    for (int v = 0; v < 20; v++) {
      Path src = Files.createDirectories(hostDir.resolve("src-" + v));
      sb.append(v == 0 ? "" : ",").append("{\"name\":\"host-").append(v).append("\",\"kind\":\"host\",\"source\":\"")
          .append(src).append("\"").append(v % 3 == 0 ? ",\"readOnly\":true" : "").append('}');
      sb.append(",{\"name\":\"empty-").append(v).append("\",\"kind\":\"empty\",\"mode\":\"0").append(v % 2 == 0 ? "750" : "1777")
          .append("\",\"uid\":").append(1000 + v).append(",\"gid\":").append(2000 + v).append('}');
    }
    sb.append("],\"apps\":[");
    for (int a = 0; a < apps; a++) {
      sb.append(a == 0 ? "" : ",").append("{\"name\":\"app-").append(a).append("\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[");
      for (int m = 0; m < mounts; m++) {
        int vol = (a + m * 7 + variant) % 20;
        String kind = (a + m) % 2 == 0 ? "host" : "empty";
        int pathNo = (m + variant * (a % 3)) % (mounts + 2);
        sb.append(m == 0 ? "" : ",").append("{\"volume\":\"").append(kind).append('-').append(vol)
            .append("\",\"path\":\"/srv/vol-").append(pathNo).append("/my-data\"}");
      }
      sb.append("]}");
    }
    sb.append("]}");
    Files.writeString(file, sb.toString());
    return file;
  }
}
