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
 * virtio-fs ready to run: each pod gets its own socket directory by default, and the reports name
 * the sockets the daemons create and the shared-memory arguments the VM's own memory must match.
 */
class VirtiofsReadyTest {
  @TempDir Path tmp;

  @Test
  void defaultRuntimeDirIsThePodsOwnAndStable() {
    // Recorded with: printf '/srv/pods/a/stage1\0/srv/pods/a/pod.json\0' | sha256sum | cut -c1-12
    assertThat(PlanArgs.podRuntimeDir(Path.of("/srv/pods/a/stage1"), Path.of("/srv/pods/a/pod.json"), List.of()))
        .isEqualTo("/run/kvmount/pod-f70d98749f39");
    // printf '/srv/pods/b/stage1\0/srv/pods/a/pod.json\0' | sha256sum: one sealed manifest, two stage1 trees
    assertThat(PlanArgs.podRuntimeDir(Path.of("/srv/pods/b/stage1"), Path.of("/srv/pods/a/pod.json"), List.of()))
        .isEqualTo("/run/kvmount/pod-c3552419e732");
    // printf '/srv/pods/a/stage1\0web=/srv/bundles/web\0db=/srv/bundles/db\0' | sha256sum
    assertThat(PlanArgs.podRuntimeDir(Path.of("/srv/pods/a/stage1"), null,
        List.of("web=/srv/bundles/web", "db=/srv/bundles/../bundles/db")))
        .isEqualTo("/run/kvmount/pod-f245882ad428");
    // The same pod named another way is the same pod.
    assertThat(PlanArgs.podRuntimeDir(Path.of("/srv/pods/a/./x/../stage1"), Path.of("/srv//pods/a/pod.json"), List.of()))
        .isEqualTo("/run/kvmount/pod-f70d98749f39");
    Path relative = Path.of("stage1-of-a-pod");
    assertThat(PlanArgs.podRuntimeDir(relative, Path.of("p.json"), List.of()))
        .isEqualTo(PlanArgs.podRuntimeDir(relative.toAbsolutePath(), Path.of("p.json").toAbsolutePath(), List.of()));
  }

  /** A pod with a writable volume {@code data} and a read-only one {@code conf}, in {@code dir}. */
  private Path pod(Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("host/data"));
    Path conf = Files.createDirectories(dir.resolve("host/conf"));
    Path pod = dir.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":["
        + "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + data + "\"},"
        + "{\"name\":\"conf\",\"kind\":\"host\",\"source\":\"" + conf + "\",\"readOnly\":true}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/srv/data\"},{\"volume\":\"conf\",\"path\":\"/etc/web\"}]}]}");
    return pod;
  }

  private CliRunner.Result generate(Path dir, String format, String... more) throws Exception {
    Path stage1 = Files.createDirectories(dir.resolve("stage1"));
    List<String> args = new ArrayList<>(List.of("generate", "--dry-run", "--pod-manifest", pod(dir).toString(),
        "--stage1-rootfs", stage1.toString(), "--transport", "virtiofs", "--format", format));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(new String[0]));
  }

  @Test
  void twoPodsNeverShareASocketAndJsonNamesEachDaemonsSocket() throws Exception {
    ObjectMapper m = new ObjectMapper();
    CliRunner.Result a = generate(Files.createDirectories(tmp.resolve("a")), "json");
    CliRunner.Result b = generate(Files.createDirectories(tmp.resolve("b")), "json");
    assertThat(a.exit()).as(a.err()).isZero();
    assertThat(b.exit()).as(b.err()).isZero();
    JsonNode va = m.readTree(a.out()).path("virtiofs");
    JsonNode vb = m.readTree(b.out()).path("virtiofs");
    String dirA = va.path("runtimeDir").asText();
    assertThat(dirA).isEqualTo(PlanArgs.podRuntimeDir(tmp.resolve("a/stage1"), tmp.resolve("a/pod.json"), List.of()))
        .isNotEqualTo(vb.path("runtimeDir").asText());
    assertThat(va.path("guestMemory").asText()).isEqualTo("1G");
    List<String> memoryArgs = new ArrayList<>();
    va.path("memoryArgs").forEach(n -> memoryArgs.add(n.asText()));
    assertThat(memoryArgs).containsExactly("-object", "memory-backend-memfd,id=kvmount-mem,size=1G,share=on",
        "-numa", "node,memdev=kvmount-mem");
    List<String> args = new ArrayList<>();
    m.readTree(a.out()).path("hypervisorArgs").forEach(n -> args.add(n.asText()));
    assertThat(args.subList(0, 4)).isEqualTo(memoryArgs);

    JsonNode daemons = va.path("daemons");
    assertThat(daemons).hasSize(2);
    assertThat(daemons.get(0).path("tag").asText()).isEqualTo("data");
    assertThat(daemons.get(0).path("socket").asText()).isEqualTo(dirA + "/data.sock");
    assertThat(daemons.get(0).path("sharedDir").asText()).isEqualTo(tmp.resolve("a/host/data").toString());
    assertThat(daemons.get(0).path("readOnly").asBoolean()).isFalse();
    assertThat(daemons.get(1).path("socket").asText()).isEqualTo(dirA + "/conf.sock");
    assertThat(daemons.get(1).path("readOnly").asBoolean()).isTrue();
    // Each socket is where the device connects and where its daemon listens.
    assertThat(args).contains("socket,id=kvmount-data,path=" + dirA + "/data.sock");
    JsonNode argv = m.readTree(a.out()).path("daemons");
    assertThat(argv.get(0).toString()).contains("--socket-path=" + dirA + "/data.sock");
  }

  @Test
  void anExplicitRuntimeDirAndGuestMemoryWinAndTheTextReportSaysWhatToMerge() throws Exception {
    CliRunner.Result r = generate(tmp, "text", "--runtime-dir", "/run/my-pod", "--guest-memory", "4G");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains(String.join("\n",
        "virtio-fs: each daemon creates its socket in /run/my-pod (this pod's own):",
        "  /run/my-pod/data.sock  tag data",
        "  /run/my-pod/conf.sock  tag conf  read-only",
        "The guest's memory is shared with the daemons; these arguments set it up, and the VM's own memory size"
            + " must be 4G (--guest-memory SIZE changes both):",
        "  -object memory-backend-memfd,id=kvmount-mem,size=4G,share=on \\",
        "    -numa node,memdev=kvmount-mem"));
  }

  @Test
  void nineP_hasNoVirtiofsSection() throws Exception {
    Path pod = pod(tmp);
    CliRunner.Result r = CliRunner.run("generate", "--dry-run", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", Files.createDirectories(tmp.resolve("stage1")).toString(), "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(new ObjectMapper().readTree(r.out()).has("virtiofs")).isFalse();
    assertThat(new ObjectMapper().readTree(r.out()).has("daemons")).isTrue();
  }
}
