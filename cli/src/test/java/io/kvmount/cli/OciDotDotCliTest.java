package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, behaviour 2 for OCI bundles, through a real kvmount process ({@link
 * CliProcessTest#kvmount}): a bundle whose mount destinations use {@code ..} (after a relative
 * link, after a link to {@code /}, relative) gets its units at the resolved mount points, the JSON
 * report says how each destination was read, and a destination that ends at the app root is
 * refused in one line with exit 3 and nothing written.
 */
class OciDotDotCliTest {

  private static final String APP_ROOT = "/opt/stage2/web/rootfs";

  @TempDir Path tmp;

  /** A bundle {@code web} with rkt's test image links in its rootfs and the given mounts (JSON array body). */
  private Path bundle(String mounts) throws Exception {
    Path web = Files.createDirectories(tmp.resolve("web"));
    Path rootfs = Files.createDirectories(web.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("dir1"));
    Files.createDirectories(rootfs.resolve("dir2"));
    Files.createSymbolicLink(rootfs.resolve("dir1/link_rel_dir2"), Path.of("../dir2"));
    Files.createSymbolicLink(rootfs.resolve("link_abs_root"), Path.of("/"));
    Files.writeString(web.resolve("config.json"), "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
        + "\"mounts\":[" + mounts + "]}");
    Files.createDirectories(tmp.resolve("stage1"));
    Files.createDirectories(tmp.resolve("io"));
    return web;
  }

  private CliProcessTest.Run kvmount(String... args) throws Exception {
    // The process's output goes to io/, outside what the tests compare.
    Path out = Files.createTempFile(tmp.resolve("io"), "out", ".txt");
    Path err = Files.createTempFile(tmp.resolve("io"), "err", ".txt");
    long t0 = System.nanoTime();
    Process p = CliProcessTest.kvmount(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    CliProcessTest.Run r = CliProcessTest.finish(p, t0);
    String o = Files.readString(out);
    String e = Files.readString(err);
    Files.delete(out);
    Files.delete(err);
    return new CliProcessTest.Run(r.exit(), o, e, r.millis());
  }

  /** The one unit file named {@code name} anywhere in the stage1 rootfs. */
  private String unit(String name) throws Exception {
    try (Stream<Path> s = Files.walk(tmp.resolve("stage1"))) {
      List<Path> found = s.filter(p -> p.getFileName().toString().equals(name)).toList();
      assertThat(found).as("unit %s", name).hasSize(1);
      return Files.readString(found.get(0));
    }
  }

  @Test
  void generate_mountsAtTheResolvedTargets_andTheJsonSaysHow() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path web = bundle("{\"destination\":\"/dir1/../dir1/.//link_rel_dir2/foo\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
        + "{\"destination\":\"/link_abs_root/../../data\",\"type\":\"bind\",\"source\":\"" + data + "\","
        + "\"options\":[\"rbind\",\"ro\"]},"
        + "{\"destination\":\"../../run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}");
    String cfg = web.resolve("config.json").toString();

    CliProcessTest.Run r = kvmount("generate", "--oci-bundle", "web=" + web, "--stage1-rootfs",
        tmp.resolve("stage1").toString(), "--format", "json");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEqualTo("kvmount: warning: " + cfg + ": mounts[2].destination: \"../../run\" is relative;"
        + " runtime-spec 1.2 reads it as relative to \"/\" (deprecated there), and so does kvmount; write it as"
        + " \"/../../run\"\n");
    JsonNode mounts = new ObjectMapper().readTree(r.out()).get("mounts");
    assertThat(mounts).hasSize(4);
    assertThat(mounts.get(0).get("where").asText()).isEqualTo(APP_ROOT);
    assertThat(mounts.get(0).has("note")).isFalse();
    assertThat(mounts.get(1).get("origin").asText()).isEqualTo(cfg + ": mounts[0]");
    assertThat(mounts.get(1).get("path").asText()).isEqualTo("/dir2/foo");
    assertThat(mounts.get(1).get("where").asText()).isEqualTo(APP_ROOT + "/dir2/foo");
    assertThat(mounts.get(1).get("note").asText()).isEqualTo("path \"/dir1/../dir1/.//link_rel_dir2/foo\" as written,"
        + " \"..\" resolved inside the app rootfs; mounted at /dir2/foo in the app");
    assertThat(mounts.get(2).get("origin").asText()).isEqualTo(cfg + ": mounts[1]");
    assertThat(mounts.get(2).get("where").asText()).isEqualTo(APP_ROOT + "/data");
    assertThat(mounts.get(2).get("note").asText()).isEqualTo("path \"/link_abs_root/../../data\" as written, \"..\""
        + " resolved inside the app rootfs; mounted at /data in the app");
    assertThat(mounts.get(3).get("where").asText()).isEqualTo(APP_ROOT + "/run");
    assertThat(mounts.get(3).get("note").asText()).isEqualTo("path \"../../run\" as written, relative: read from the"
        + " app's root, \"..\" resolved inside the app rootfs; mounted at /run in the app");

    // The units mount at the resolved paths: no ".." reaches systemd.
    assertThat(unit("opt-stage2-web-rootfs-dir2-foo.mount")).contains("Where=" + APP_ROOT + "/dir2/foo\n",
        "Type=tmpfs\n").doesNotContain("..");
    assertThat(unit("opt-stage2-web-rootfs-data.mount")).contains("Where=" + APP_ROOT + "/data\n")
        .doesNotContain("..");
    assertThat(unit("opt-stage2-web-rootfs-run.mount")).contains("Where=" + APP_ROOT + "/run\n");
    // The missing mount points were made in the bundle's rootfs, and nowhere else.
    assertThat(web.resolve("rootfs/dir2/foo")).isDirectory();
    assertThat(web.resolve("rootfs/data")).isDirectory();
    assertThat(web.resolve("rootfs/run")).isDirectory();
    assertThat(tmp.resolve("dir2")).doesNotExist();
    assertThat(tmp.resolve("run")).doesNotExist();
    assertThat(web.resolve("data")).doesNotExist();
    assertThat(tmp.resolve("stage1/opt/stage2/web/data")).doesNotExist();
    assertThat(data).isEmptyDirectory();

    // What was written is what kvmount planned.
    CliRunner.Result v = CliRunner.run("verify", "--oci-bundle", "web=" + web, "--stage1-rootfs",
        tmp.resolve("stage1").toString());
    assertThat(v.out()).as(v.err()).startsWith("ok:");
    assertThat(v.exit()).isZero();
  }

  @Test
  void generate_destinationAtTheAppRoot_isRefusedInOneLine_andNothingIsWritten() throws Exception {
    Path web = bundle("{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
        + "{\"destination\":\"/a/..\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}");
    SortedMap<String, String> before = withoutIo(TreeSnapshot.of(tmp));

    CliProcessTest.Run r = kvmount("generate", "--oci-bundle", "web=" + web, "--stage1-rootfs",
        tmp.resolve("stage1").toString(), "--format", "json");

    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("kvmount: " + web.resolve("config.json") + ": mounts[1].destination: \"/a/..\""
        + " resolves to \"/\" inside the app rootfs; mounting there would hide the whole app rootfs (the rootfs is"
        + " root.path)\n");
    assertThat(withoutIo(TreeSnapshot.of(tmp))).as("nothing written").isEqualTo(before);
    assertThat(before).containsKeys("web/rootfs/dir1", "stage1");
  }

  private static SortedMap<String, String> withoutIo(SortedMap<String, String> tree) {
    tree.keySet().removeIf(k -> k.equals("io") || k.startsWith("io/"));
    return tree;
  }
}
