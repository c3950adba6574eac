package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 through the command line: a generate run on a pod whose mount paths use {@code ..},
 * relative paths and the same mount twice, against an app image with symlinks; the JSON report
 * says where each path was resolved (origin and note) and the warnings say what was read how.
 */
class MountPathsCliTest {

  @TempDir Path tmp;

  @Test
  void generate_json_reportsWhereEachPathWasResolved() throws Exception {
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path rootfs = Files.createDirectories(stage1.resolve("opt/stage2/web/rootfs"));
    Files.createDirectories(rootfs.resolve("dir1"));
    Files.createDirectories(rootfs.resolve("dir2"));
    Files.createSymbolicLink(rootfs.resolve("dir1/link_rel_dir2"), Path.of("../dir2"));
    Path data = Files.createDirectory(tmp.resolve("data"));
    Path pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":["
        + "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + data + "\"},{\"name\":\"e\",\"kind\":\"empty\"}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/dir1/../dir1/.//link_rel_dir2/foo\"},"
        + "{\"volume\":\"e\",\"path\":\"/dir1/../../../bar\"},"
        + "{\"volume\":\"e\",\"path\":\"/bar/\"},"
        + "{\"volume\":\"data\",\"path\":\"dir1\"}]}]}");

    HostileCorpusTest.Captured r = HostileCorpusTest.Captured.run("generate", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString(), "--format", "json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    JsonNode mounts = json.get("mounts");
    assertThat(mounts).hasSize(3);
    assertThat(mounts.get(0).get("origin").asText()).isEqualTo("apps[0].mounts[0]");
    assertThat(mounts.get(0).get("where").asText()).isEqualTo("/opt/stage2/web/rootfs/dir2/foo");
    assertThat(mounts.get(0).get("note").asText()).isEqualTo("path \"/dir1/../dir1/.//link_rel_dir2/foo\" as"
        + " written, \"..\" resolved inside the app rootfs; mounted at /dir2/foo in the app");
    assertThat(mounts.get(1).get("origin").asText()).isEqualTo("apps[0].mounts[1]");
    assertThat(mounts.get(1).get("where").asText()).isEqualTo("/opt/stage2/web/rootfs/bar");
    assertThat(mounts.get(1).get("note").asText()).isEqualTo("path \"/dir1/../../../bar\" as written, \"..\""
        + " resolved inside the app rootfs; mounted at /bar in the app; also written as \"/bar/\" (apps[0].mounts[2]):"
        + " the same volume and access, one mount");
    assertThat(mounts.get(2).get("origin").asText()).isEqualTo("apps[0].mounts[3]");
    assertThat(mounts.get(2).get("where").asText()).isEqualTo("/opt/stage2/web/rootfs/dir1");
    assertThat(mounts.get(2).get("note").asText()).isEqualTo("path \"dir1\" as written, relative: read from the"
        + " app's root; mounted at /dir1 in the app");
    List<String> warnings = new ArrayList<>();
    json.get("warnings").forEach(w -> warnings.add(w.asText()));
    assertThat(warnings).contains(
        "app \"web\": mount of volume \"data\" (apps[0].mounts[3].path) has the relative path \"dir1\", read from"
            + " the app's root as \"/dir1\" (as rkt and OCI runtime-spec 1.2 read it)",
        "app \"web\": apps[0].mounts[2] mounts volume \"e\" at \"/bar/\", the same volume and access on the same"
            + " target as apps[0].mounts[1] (\"/dir1/../../../bar\", /bar): one mount");
    // Only the app rootfs got mount points: nothing climbed out of it.
    assertThat(stage1.resolve("opt/stage2/web/rootfs/dir2/foo")).isDirectory();
    assertThat(stage1.resolve("opt/stage2/web/rootfs/bar")).isDirectory();
    assertThat(stage1.resolve("bar")).doesNotExist();
    assertThat(stage1.resolve("opt/stage2/web/bar")).doesNotExist();
    assertThat(tmp.resolve("bar")).doesNotExist();
  }
}
