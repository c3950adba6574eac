package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of {@code kvmount generate}: one per exit code, outputs, dry run. */
class GenerateCommandTest {
  @TempDir Path tmp;
  Path stage1;
  Path pod;
  Path src;

  @BeforeEach
  void setUp() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    src = Files.createDirectories(tmp.resolve("host/data-dir"));
    pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + src + "\"},"
        + "{\"name\":\"scratch\",\"kind\":\"empty\",\"mode\":\"0700\",\"uid\":0,\"gid\":0}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/var/data\"},{\"volume\":\"scratch\",\"path\":\"/tmp/s\"}]}]}");
  }

  private List<Path> tree(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.map(root::relativize).sorted().toList();
    }
  }

  @Test
  void generate_writesUnitsDirectoriesAndPrintsQemuArgs_exit0() throws Exception {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    Path units = stage1.resolve("usr/lib/systemd/system");
    assertThat(units.resolve("mnt-data.mount")).exists();
    assertThat(units.resolve("opt-stage2-web-rootfs-var-data.mount")).exists();
    assertThat(units.resolve("opt-stage2-web-rootfs-tmp-s.mount")).exists();
    assertThat(units.resolve("web.service.d/10-kvmount-volumes.conf")).exists();
    assertThat(stage1.resolve("mnt/scratch")).isDirectory();
    assertThat(Files.getAttribute(stage1.resolve("mnt/scratch"), "unix:mode")).isEqualTo(040700);
    assertThat(stage1.resolve("opt/stage2/web/rootfs/var/data")).isDirectory();
    assertThat(r.out()).contains("App web").contains("/var/data").contains("mnt-data.mount")
        .contains("-fsdev").contains("mount_tag=data");
  }

  @Test
  void generate_json_hasTheContractFields() throws Exception {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> topLevel = new ArrayList<>();
    List<String> args = new ArrayList<>();
    try (JsonParser p = new JsonFactory().createParser(r.out())) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        topLevel.add(name);
        p.nextToken();
        if (name.equals("hypervisorArgs")) {
          while (p.nextToken() != JsonToken.END_ARRAY) {
            args.add(p.getText());
          }
        } else {
          p.skipChildren();
        }
      }
    }
    assertThat(topLevel).contains("hypervisor", "transport", "hypervisorArgs", "daemons", "units",
        "directories", "warnings");
    assertThat(args).containsExactly(
        "-fsdev", "local,id=kvmount-data,path=" + src + ",security_model=none,multidevs=remap",
        "-device", "virtio-9p-pci,fsdev=kvmount-data,mount_tag=data");
    assertThat(r.out()).contains("\"path\" : \"usr/lib/systemd/system/mnt-data.mount\"");
  }

  @Test
  void generate_dryRun_writesNothing() throws Exception {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(tree(stage1)).containsExactly(Path.of(""));
    assertThat(r.out()).contains("dry run").contains("mnt-data.mount");
  }

  @Test
  void generate_secondRun_changesNothing() throws Exception {
    assertThat(CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString()).exit()).isZero();
    Path unit = stage1.resolve("usr/lib/systemd/system/mnt-data.mount");
    long before = Files.getLastModifiedTime(unit).toMillis();
    List<Path> t1 = tree(stage1);
    Thread.sleep(20);
    assertThat(CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString()).exit()).isZero();
    assertThat(tree(stage1)).isEqualTo(t1);
    assertThat(Files.getLastModifiedTime(unit).toMillis()).isEqualTo(before);
  }

  @Test
  void generate_invalidManifest_exit3OneLineNothingWritten() throws Exception {
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[{\"volume\":\"nope\",\"path\":\"/d\"}]}]}");
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).startsWith("kvmount: ").endsWith("\n").hasLineCount(1)
        .contains("apps[0].mounts[0].volume: volume \"nope\" is not declared in \"volumes\"");
    assertThat(tree(stage1)).containsExactly(Path.of(""));
  }

  @Test
  void generate_unreadableManifest_exit3() {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", tmp.resolve("missing.json").toString(),
        "--stage1-rootfs", stage1.toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).startsWith("kvmount: pod manifest \"").contains("no such file").doesNotContain("\tat ");
  }

  @Test
  void generate_missingHostSource_exit3NamingTheFileAndField() throws Exception {
    Files.delete(src);
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).isEqualTo("kvmount: " + pod + ": volumes[0].source: \"" + src + "\" does not exist; create it,"
        + " or fix the path\n");
    assertThat(tree(stage1)).containsExactly(Path.of(""));
  }

  @Test
  void generate_missingStage1Rootfs_exit1() {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        tmp.resolve("nope").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("stage1 rootfs").contains("does not exist");
  }

  @Test
  void generate_badOption_exit2() {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--format", "yaml");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--format");
    assertThat(CliRunner.run("generate").exit()).isEqualTo(2);
  }

  @Test
  void generate_lkvmWithCommaInSource_exit3SayingWhy() throws Exception {
    Path comma = Files.createDirectories(tmp.resolve("a,b"));
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + comma + "\"}],\"apps\":[]}");
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--hypervisor", "lkvm");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("contains a comma").contains("kvmtool");
    CliRunner.Result q = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--format", "args", "--dry-run");
    assertThat(q.exit()).isZero();
    assertThat(q.out()).contains("path=" + comma.toString().replace(",", ",,") + ",");
  }

  @Test
  void help_listsExitCodes_andVersionPrints() {
    CliRunner.Result h = CliRunner.run("--help");
    assertThat(h.exit()).isZero();
    assertThat(h.out()).contains("Exit codes:").contains("invalid input").contains("generate");
    CliRunner.Result g = CliRunner.run("generate", "--help");
    assertThat(g.out()).contains("--pod-manifest").contains("--stage1-rootfs").contains("--dry-run");
    CliRunner.Result v = CliRunner.run("--version");
    assertThat(v.out()).startsWith("kvmount ").doesNotContain("unknown");
  }

  @Test
  void generate_outputIsUtf8() throws Exception {
    Path uni = Files.createDirectories(tmp.resolve("données"));
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + uni + "\"}],\"apps\":[]}",
        StandardCharsets.UTF_8);
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--format", "args");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("données");
  }

  @Test
  void generate_emptyOrRootStage1Rootfs_isAUsageError() {
    CliRunner.Result empty = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", "");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("--stage1-rootfs must not be empty");
    CliRunner.Result noPod = CliRunner.run("generate", "--pod-manifest", "", "--stage1-rootfs", stage1.toString());
    assertThat(noPod.exit()).isEqualTo(2);
    assertThat(noPod.err()).contains("--pod-manifest must not be empty");
    CliRunner.Result root = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", "/", "--dry-run");
    assertThat(root.exit()).isEqualTo(2);
    assertThat(root.err()).contains("host's root directory");
  }

  @Test
  void generate_stage1RootfsResolvingToTheHostRoot_isAUsageError() throws Exception {
    // Through a symlink, and through a symlink's "..": the check follows links, not the text.
    Path link = Files.createSymbolicLink(tmp.resolve("rootlink"), Path.of("/"));
    Path up = Files.createSymbolicLink(tmp.resolve("uplink"), Path.of("/tmp"));
    for (String dir : List.of(link.toString(), link + "/", up + "/..")) {
      for (boolean dryRun : List.of(true, false)) {
        List<String> args = new java.util.ArrayList<>(
            List.of("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", dir));
        if (dryRun) {
          args.add("--dry-run");
        }
        CliRunner.Result r = CliRunner.run(args.toArray(new String[0]));
        assertThat(r.exit()).as(dir + " " + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("is the host's root directory; refusing to write there");
        assertThat(r.out()).isEmpty();
      }
    }
  }

  @Test
  void generate_emptyReservedTag_isAUsageError() {
    CliRunner.Result r = CliRunner.run("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--reserve-tag", "");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--reserve-tag");
  }

  /** The file lines of the text report (after the "Files in" heading, before the next blank line). */
  private static List<String> fileLines(String report) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String line : report.split("\n", -1)) {
      if (line.startsWith("Files in ")) {
        in = true;
      } else if (in && line.isEmpty()) {
        break;
      } else if (in) {
        out.add(line);
      }
    }
    return out;
  }

  /** The report's file lines for this pod's four files, in plan order, with these statuses. */
  private static List<String> withStatus(String... statuses) {
    List<String> files = List.of("mnt-data.mount", "opt-stage2-web-rootfs-var-data.mount",
        "opt-stage2-web-rootfs-tmp-s.mount", "web.service.d/10-kvmount-volumes.conf");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      out.add("  " + files.get(i) + "  (" + statuses[i] + ")");
    }
    return out;
  }

  @Test
  void generate_textReport_fileStatus_writtenUnchangedAndMixed() throws Exception {
    String[] args = {"generate", "--pod-manifest", pod.toString(), "--stage1-rootfs", stage1.toString()};
    CliRunner.Result first = CliRunner.run(args);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("Files in usr/lib/systemd/system/ (4 written, 0 unchanged):");
    assertThat(fileLines(first.out())).containsExactlyElementsOf(
        withStatus("written", "written", "written", "written"));

    CliRunner.Result again = CliRunner.run(args);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(fileLines(again.out())).containsExactlyElementsOf(
        withStatus("unchanged", "unchanged", "unchanged", "unchanged"));

    // The scratch volume becomes read-only: its bind unit changes, the other three files do not.
    String before = Files.readString(pod);
    String after = before.replace("\"kind\":\"empty\",", "\"kind\":\"empty\",\"readOnly\":true,");
    assertThat(after).isNotEqualTo(before);
    Files.writeString(pod, after);
    CliRunner.Result mixed = CliRunner.run(args);
    assertThat(mixed.exit()).as(mixed.err()).isZero();
    assertThat(mixed.out()).contains("(1 written, 3 unchanged)");
    assertThat(fileLines(mixed.out())).containsExactlyElementsOf(
        withStatus("unchanged", "unchanged", "written", "unchanged"));
  }
}
