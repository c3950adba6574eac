package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, behaviour 1, through the command line: an app whose image manifest has the Docker
 * annotation gets implicit volumes that start as a copy of the image; a dry run says so, a run
 * copies once, verify stays clean after the app changes the volume, a run without the image
 * manifest says what it dropped, and what cannot be copied is refused in one line, exit 3,
 * nothing written.
 */
class DockerCopyCliTest {

  @TempDir Path tmp;
  Path stage1;
  Path pod;
  Path image;

  @BeforeEach
  void pod() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path data = Files.createDirectories(stage1.resolve("opt/stage2/db/rootfs/var/lib/db"));
    Files.writeString(data.resolve("PG_VERSION"), "16\n");
    Files.createSymbolicLink(data.resolve("current"), Path.of("PG_VERSION"));
    Files.setAttribute(data, "unix:mode", 0700);
    Path logs = Files.createDirectory(tmp.resolve("logs"));
    pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[{\"name\":\"logs\","
        + "\"kind\":\"host\",\"source\":\"" + logs + "\"}],\"apps\":[{\"name\":\"db\",\"image\":{\"id\":\"sha512-aa\"},"
        + "\"mounts\":[{\"volume\":\"logs\",\"path\":\"/var/log/db\"}]}]}");
    image = tmp.resolve("db-image.json");
    Files.writeString(image, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/db\","
        + "\"annotations\":[{\"name\":\"appc.io/docker/repository\",\"value\":\"library/postgres\"}],"
        + "\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":[{\"name\":\"pgdata\","
        + "\"path\":\"/var/lib/db\"}]}}");
  }

  private HostileCorpusTest.Captured generate(String... more) {
    List<String> args = new ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString()));
    args.addAll(List.of(more));
    return HostileCorpusTest.Captured.run(args.toArray(new String[0]));
  }

  private List<String> tree() throws Exception {
    try (Stream<Path> s = Files.walk(stage1)) {
      return s.map(p -> stage1.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void dryRun_thenRun_thenRerun_thenVerify() throws Exception {
    List<String> before = tree();
    HostileCorpusTest.Captured dry = generate("--image-manifest", "db=" + image, "--dry-run", "--format", "json");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(tree()).isEqualTo(before);
    JsonNode json = new ObjectMapper().readTree(dry.out());
    List<String> changes = new ArrayList<>();
    json.get("changes").forEach(c -> changes.add(c.get("change").asText() + " " + c.get("path").asText()));
    assertThat(changes).contains("create-directory mnt/db-pgdata", "copy-image-content mnt/db-pgdata");
    JsonNode copied = json.get("mounts").get(1);
    assertThat(copied.get("volume").asText()).isEqualTo("db-pgdata");
    assertThat(copied.get("origin").asText()).isEqualTo("image manifest of app \"db\": app.mountPoints[0]");
    assertThat(copied.get("note").asText()).startsWith("starts as a copy of the image's \"/var/lib/db\" (2 entries,"
        + " 3 bytes; mode 0700, owner ");

    HostileCorpusTest.Captured run = generate("--image-manifest", "db=" + image);
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("Volumes made as a copy of the image's content (Docker images):\n  mnt/db-pgdata\n");
    Path volume = stage1.resolve("mnt/db-pgdata");
    assertThat(volume.resolve("PG_VERSION")).hasContent("16");
    assertThat(Files.readSymbolicLink(volume.resolve("current"))).hasToString("PG_VERSION");
    assertThat(Files.getAttribute(volume, "unix:mode")).isEqualTo(040700);

    // The app's data from now on: a re-run and verify leave it alone.
    Files.writeString(volume.resolve("PG_VERSION"), "17\n");
    HostileCorpusTest.Captured again = generate("--image-manifest", "db=" + image);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).doesNotContain("Volumes made as a copy");
    assertThat(volume.resolve("PG_VERSION")).hasContent("17");
    HostileCorpusTest.Captured verify = HostileCorpusTest.Captured.run("verify", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString(), "--image-manifest", "db=" + image, "--no-systemd-analyze");
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();

    // Left out, the image manifest's mount point goes, and the run says why.
    HostileCorpusTest.Captured without = generate();
    assertThat(without.exit()).as(without.err()).isZero();
    assertThat(without.err()).contains("kvmount: warning: app \"db\" has no \"app\" section and no --image-manifest in"
        + " this run, and 1 unit an earlier run wrote for its mounts was removed; if its image declares mount points,"
        + " run again with --image-manifest db=FILE\n");
    assertThat(volume.resolve("PG_VERSION")).hasContent("17");
  }

  @Test
  void whatCannotBeCopied_isRefusedInOneLine_nothingWritten() throws Exception {
    Path fifo = stage1.resolve("opt/stage2/db/rootfs/var/lib/db/socket");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    List<String> before = tree();
    HostileCorpusTest.Captured r = generate("--image-manifest", "db=" + image);
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).isEqualTo("kvmount: image manifest of app \"db\": app.mountPoints[0]: the image's"
        + " \"/var/lib/db/socket\" is a device, socket or pipe; kvmount copies directories, regular files and symlinks"
        + " into a volume; remove it from the image, or declare a volume \"pgdata\" in the pod\n");
    assertThat(tree()).isEqualTo(before);

    Files.delete(fifo);
    HostileCorpusTest.Captured sealed = generate("--image-manifest", "db=" + image, "--emit", "credentials");
    assertThat(sealed.exit()).isEqualTo(3);
    assertThat(sealed.err()).startsWith("kvmount: image manifest of app \"db\": app.mountPoints[0]: volume"
        + " \"db-pgdata\" starts as a copy of what the Docker image holds there").hasLineCount(1);
    assertThat(tree()).isEqualTo(before.stream().filter(p -> !p.endsWith("socket")).toList());
  }
}
