package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker volume copy (issue 24 behaviour 1) through the command line, in the orders a user
 * runs it: a dry run then a real run, {@code verify} after the app changed the volume, a re-run,
 * with {@code --share pod}, {@code --transport virtiofs} and {@code --force}, and bad image
 * content refused with one line, exit 3 and nothing written.
 */
class DockerCopyOrdersCliTest {

  private static final String IMAGE = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/db\","
      + "\"annotations\":[{\"name\":\"appc.io/docker/repository\",\"value\":\"library/db\"}],"
      + "\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":[{\"name\":\"data\",\"path\":\"/data\"}]}}";

  @TempDir Path tmp;
  Path stage1;
  Path image;
  Path pod;
  Path data;

  @BeforeEach
  void files() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    data = Files.createDirectories(stage1.resolve("opt/stage2/db/rootfs/data"));
    Files.writeString(data.resolve("conf"), "image's conf\n");
    Files.writeString(Files.createDirectory(data.resolve("sub")).resolve("x"), "x\n");
    Files.createSymbolicLink(data.resolve("link"), Path.of("../etc/"));
    image = Files.writeString(tmp.resolve("image.json"), IMAGE);
    pod = Files.writeString(tmp.resolve("pod.json"), "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"apps\":[{\"name\":\"db\",\"image\":{\"id\":\"sha512-0\"}}],\"volumes\":[]}");
  }

  private HostileCorpusTest.Captured generate(String... extra) {
    List<String> args = new ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--image-manifest", "db=" + image));
    args.addAll(List.of(extra));
    return HostileCorpusTest.Captured.run(args.toArray(new String[0]));
  }

  private HostileCorpusTest.Captured verify(String... extra) {
    List<String> args = new ArrayList<>(List.of("verify", "--no-systemd-analyze", "--stage1-rootfs",
        stage1.toString(), "--pod-manifest", pod.toString(), "--image-manifest", "db=" + image));
    args.addAll(List.of(extra));
    return HostileCorpusTest.Captured.run(args.toArray(new String[0]));
  }

  @Test
  void dryRun_writesNothing_listsTheCopy_thenARealRunCopies() throws Exception {
    SortedMap<String, String> before = TreeSnapshot.of(stage1);
    HostileCorpusTest.Captured dry = generate("--dry-run", "--format", "json");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(TreeSnapshot.of(stage1)).isEqualTo(before);
    JsonNode changes = new ObjectMapper().readTree(dry.out()).get("changes");
    List<String> listed = new ArrayList<>();
    changes.forEach(c -> listed.add(c.get("path").asText() + " " + c.get("change").asText()));
    assertThat(listed).contains("mnt/db-data copy-image-content");

    HostileCorpusTest.Captured real = generate();
    assertThat(real.exit()).as(real.err()).isZero();
    assertThat(TreeSnapshot.of(stage1.resolve("mnt/db-data"))).isEqualTo(TreeSnapshot.of(data));
    // A second dry run: nothing to copy any more.
    HostileCorpusTest.Captured again = generate("--dry-run", "--format", "json");
    assertThat(again.out()).doesNotContain("copy-image-content");
  }

  @Test
  void verify_afterTheAppChangedTheVolume_staysClean_andARerunLeavesItAlone() throws Exception {
    assertThat(generate().exit()).isZero();
    Path volume = stage1.resolve("mnt/db-data");
    Files.writeString(volume.resolve("conf"), "the app's conf\n");
    Files.delete(volume.resolve("sub/x"));
    Files.delete(volume.resolve("link"));
    Files.writeString(volume.resolve("new"), "new\n");
    SortedMap<String, String> appData = TreeSnapshot.of(volume);
    HostileCorpusTest.Captured v = verify();
    assertThat(v.exit()).as(v.out() + v.err()).isZero();
    assertThat(v.out()).startsWith("ok: ");
    HostileCorpusTest.Captured tree = HostileCorpusTest.Captured.run("verify", "--no-systemd-analyze",
        "--stage1-rootfs", stage1.toString());
    assertThat(tree.exit()).as(tree.out() + tree.err()).isZero();
    HostileCorpusTest.Captured rerun = generate("--force");
    assertThat(rerun.exit()).as(rerun.err()).isZero();
    assertThat(TreeSnapshot.of(volume)).isEqualTo(appData);
    assertThat(verify().exit()).isZero();
  }

  @Test
  void sharePod_andVirtiofs_copyTheSame() throws Exception {
    Path shareDir = Files.createDirectory(tmp.resolve("share"));
    HostileCorpusTest.Captured r = generate("--share", "pod", "--share-dir", shareDir.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(TreeSnapshot.of(stage1.resolve("mnt/db-data"))).isEqualTo(TreeSnapshot.of(data));
    assertThat(verify("--share", "pod", "--share-dir", shareDir.toString()).exit()).isZero();
    try (var s = Files.list(shareDir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("db-data"));
    }

    Path other = Files.createDirectory(tmp.resolve("other"));
    Files.move(stage1, other.resolve("stage1"));
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    data = Files.createDirectories(stage1.resolve("opt/stage2/db/rootfs/data"));
    Files.writeString(data.resolve("conf"), "virtiofs\n");
    HostileCorpusTest.Captured v = generate("--transport", "virtiofs");
    assertThat(v.exit()).as(v.err()).isZero();
    assertThat(TreeSnapshot.of(stage1.resolve("mnt/db-data"))).isEqualTo(TreeSnapshot.of(data));
    assertThat(verify("--transport", "virtiofs").exit()).isZero();
  }

  @Test
  void badImageContent_oneLine_exit3_nothingWritten() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "touch \"$(printf 'n\\376')\"").directory(data.toFile()).start();
    assertThat(p.waitFor()).isZero();
    SortedMap<String, String> before = TreeSnapshot.of(tmp);
    HostileCorpusTest.Captured r = generate();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().filter(l -> !l.startsWith("kvmount: warning:")).toList()).hasSize(1)
        .allSatisfy(l -> assertThat(l).startsWith("kvmount: image manifest of app \"db\":"
            + " app.mountPoints[0]: the image's \"/data/n").endsWith("rename it in the image, or declare a volume"
            + " \"data\" in the pod"));
    assertThat(TreeSnapshot.of(tmp)).isEqualTo(before);
    assertThat(new String(Files.readAllBytes(image), StandardCharsets.UTF_8)).isEqualTo(IMAGE);
  }
}
