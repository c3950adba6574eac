package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.path.FileMode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The example manifests of appc/spec (copied to {@code corpus/appc-spec/}, see SOURCES.md there)
 * decode to the records their content describes. appc v0.7.1 and v0.8.11 both accept all six
 * (vectors/appc/appc-parse.json, cases "corpus/...").
 */
class CorpusTest {

  private static AcName n(String name) {
    return new AcName(name);
  }

  private static PodManifest pod(String file) throws ManifestException {
    return ManifestReader.readPod(Resources.bytes("corpus/appc-spec/" + file), file);
  }

  private static ImageManifest image(String file) throws ManifestException {
    return ManifestReader.readImage(Resources.bytes("corpus/appc-spec/" + file), file);
  }

  @Test
  void readPod_podRuntimeV071_hostAndEmptyVolumeWithMounts() throws Exception {
    PodManifest expected =
        new PodManifest(
            "0.7.1",
            List.of(
                new RuntimeApp(
                    n("reduce-worker"),
                    Optional.of(List.of(new MountPoint(n("database"), "/var/lib/db", false))),
                    List.of(Mount.of(n("dbvolume"), "/var/lib/db"))),
                new RuntimeApp(
                    n("backup"),
                    Optional.empty(),
                    List.of(
                        Mount.of(n("dbvolume"), "/mnt/db"),
                        Mount.of(n("buildoutput"), "/mnt/out"))),
                new RuntimeApp(n("register"), Optional.empty(), List.of())),
            List.of(
                new Volume.Host(
                    n("dbvolume"), "/opt/tenant1/database", Optional.of(true), Optional.empty()),
                new Volume.Empty(n("buildoutput"), Optional.empty(), new FileMode(0755), 0, 0)));

    assertThat(pod("pod_runtime.json")).isEqualTo(expected);
  }

  @Test
  void readPod_podRuntimeV0811_emptyVolumeModeUidGid() throws Exception {
    PodManifest pod = pod("v0.8.11/pod_runtime.json");

    assertThat(pod.acVersion()).isEqualTo("0.8.11");
    assertThat(pod.apps()).isEqualTo(pod("pod_runtime.json").apps());
    assertThat(pod.volumes())
        .containsExactly(
            new Volume.Host(
                n("dbvolume"), "/opt/tenant1/database", Optional.of(true), Optional.empty()),
            new Volume.Empty(n("buildoutput"), Optional.empty(), new FileMode(0777), 0, 0));
    assertThat(pod.volumes().get(0).kind()).isEqualTo("host");
    assertThat(pod.volumes().get(1).kind()).isEqualTo("empty");
  }

  @Test
  void readPod_podTemplate_appsWithoutVolumesOrImageIds() throws Exception {
    PodManifest expected =
        new PodManifest(
            "0.3.0",
            List.of(
                new RuntimeApp(n("reduce-worker"), Optional.empty(), List.of()),
                new RuntimeApp(n("backup"), Optional.empty(), List.of()),
                new RuntimeApp(n("register"), Optional.empty(), List.of())),
            List.of());

    assertThat(pod("pod_template.json")).isEqualTo(expected);
  }

  /** Name, value, name, value ... in order. */
  private static java.util.Map<String, String> annotations(String... nameValue) {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put(nameValue[i], nameValue[i + 1]);
    }
    return m;
  }

  @Test
  void readImage_exampleImage_mountPointDatabase() throws Exception {
    assertThat(image("image.json"))
        .isEqualTo(
            new ImageManifest(
                "example.com/reduce-worker",
                List.of(new MountPoint(n("database"), "/var/lib/db", false)),
                annotations(
                    "authors", "Carly Container <carly@example.com>, Nat Network <[nat@example.com](mailto:nat@example.com)>",
                    "created", "2014-10-27T19:32:27.67021798Z",
                    "documentation", "https://example.com/docs",
                    "homepage", "https://example.com")));
  }

  @Test
  void readImage_aceValidatorMain_mountPointDb() throws Exception {
    assertThat(image("image_manifest_main.json"))
        .isEqualTo(
            new ImageManifest(
                "coreos.com/ace-validator-main",
                List.of(new MountPoint(n("database"), "/db", false)),
                annotations(
                    "created", "2014-10-27T19:32:27.67021798Z",
                    "authors", "Carly Container <carly@example.com>, Nat Network <nat@example.com>",
                    "homepage", "https://github.com/appc/spec",
                    "documentation", "https://github.com/appc/spec/blob/master/README.md",
                    "lorem", "ipsum")));
    assertThat(image("image_manifest_main.json").annotations().keySet())
        .containsExactly("created", "authors", "homepage", "documentation", "lorem");
    assertThat(image("image_manifest_main.json").dockerRepository()).isEmpty();
  }

  @Test
  void readImage_aceValidatorSidekick_mountPointDb() throws Exception {
    assertThat(image("image_manifest_sidekick.json"))
        .isEqualTo(
            new ImageManifest(
                "coreos.com/ace-validator-sidekick",
                List.of(new MountPoint(n("database"), "/db", false))));
  }

  @Test
  void readPod_imageManifest_isRejectedByKind() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                ManifestException.class,
                () ->
                    ManifestReader.readPod(
                        Resources.bytes("corpus/appc-spec/image.json"), "image.json")))
        .hasMessage("image.json: acKind: \"ImageManifest\" is not \"PodManifest\"");
  }
}
