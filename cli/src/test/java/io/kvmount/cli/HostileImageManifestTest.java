package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile image manifests ({@code --image-manifest APP=FILE}, which supply the mount points of an
 * app whose pod entry has no {@code app} section): exit 3, one line naming the file or the image
 * manifest and the field, nothing written.
 */
class HostileImageManifestTest {

  @TempDir Path tmp;

  private static final String IMAGE_HEAD = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/web\",";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
    "truncated       | `{\"acKind\":\"ImageManifest\"`                                            | truncated document",
    "not-json        | `acKind: ImageManifest`                                                   | not JSON: the document looks like YAML",
    "pod-kind        | `{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[]}`       | is not \"ImageManifest\"",
    "no-version      | `{\"acKind\":\"ImageManifest\",\"name\":\"example.com/web\"}`             | acVersion",
    "dotdot-path     | `APP{\"name\":\"d\",\"path\":\"/etc/../..\"}]}}`              | app.mountPoints[0].path",
    "newline-path    | `APP{\"name\":\"d\",\"path\":\"/a\\nb\"}]}}`                              | app.mountPoints[0].path",
    "bad-name        | `APP{\"name\":\"D_1\",\"path\":\"/d\"}]}}`                                | app.mountPoints[0].name",
    "readonly-string | `APP{\"name\":\"d\",\"path\":\"/d\",\"readOnly\":\"no\"}]}}`              | expected a boolean",
    "same-target     | `APP{\"name\":\"d\",\"path\":\"/d\"},{\"name\":\"e\",\"path\":\"/d/.\"}]}}` | image manifest of app \"web\": app.mountPoints[1].path: \"/d/.\" is the same target as app.mountPoints[0] (/d)",
  })
  void hostileImageManifest_exit3_oneLine_nothingWritten(String name, String doc, String fragment) throws Exception {
    String json = doc.replace("APP", IMAGE_HEAD + "\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":[");
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"}}]}");
    Path image = tmp.resolve("image.json");
    Files.write(image, json.getBytes(StandardCharsets.UTF_8));
    SortedMap<String, String> before = TreeSnapshot.of(tmp);
    HostileCorpusTest.Captured r = HostileCorpusTest.Captured.run("generate", "--pod-manifest", pod.toString(),
        "--stage1-rootfs", stage1.toString(), "--image-manifest", "web=" + image);
    assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.INVALID);
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err()).startsWith("kvmount: ").contains(fragment);
    assertThat(r.out() + r.err() + r.sysOut() + r.sysErr()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(TreeSnapshot.of(tmp)).isEqualTo(before);
  }
}
