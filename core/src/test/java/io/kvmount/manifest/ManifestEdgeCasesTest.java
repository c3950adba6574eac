package io.kvmount.manifest;

import static io.kvmount.manifest.ManifestReaderMessagesTest.pod;
import static io.kvmount.manifest.ManifestReaderMessagesTest.vol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.FileMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Edge values of the manifest rules that the broader tests do not pin: the byte limits of app and
 * host paths at the boundary, each character class of AC identifiers and SemVer identifiers at its
 * first and last character, the range checks of an empty volume, and reader messages for a wrong
 * JSON type or a missing field in places the other tables do not reach. Each case was a surviving
 * PIT mutant (see MUTATION.md).
 */
class ManifestEdgeCasesTest {

  private static final String NOT_SEMVER = " is not a semantic version (such as \"0.8.11\")";

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String podError(String json) {
    return assertThatThrownBy(() -> ManifestReader.readPod(utf8(json), "pod.json"))
        .isInstanceOf(ManifestException.class)
        .actual()
        .getMessage();
  }

  private static String imageError(String json) {
    return assertThatThrownBy(() -> ManifestReader.readImage(utf8(json), "image.json"))
        .isInstanceOf(ManifestException.class)
        .actual()
        .getMessage();
  }

  // ---------------------------------------------------------------------------------------------
  // Paths (Linux NAME_MAX 255 and PATH_MAX 4096 with its NUL)

  @Test
  void appPath_componentOf255BytesIsAccepted_256IsRefused() {
    assertThat(Text.appPathProblem("/srv/" + "a".repeat(255))).isNull();
    assertThat(Text.appPathProblem("/srv/" + "a".repeat(256))).endsWith(" has a component longer than 255 bytes");
    // 127 two-byte characters and one byte: 255 bytes in 128 characters.
    assertThat(Text.appPathProblem("/" + "\u00e9".repeat(127) + "a")).isNull();
    assertThat(Text.appPathProblem("/" + "\u00e9".repeat(128))).endsWith(" has a component longer than 255 bytes");
  }

  @Test
  void appPath_of4095BytesIsAccepted_4096IsRefused() {
    String components = ("/" + "a".repeat(99)).repeat(40); // 4000 bytes
    assertThat(Text.appPathProblem(components + "/" + "b".repeat(94))).isNull();
    assertThat(Text.appPathProblem(components + "/" + "b".repeat(95))).endsWith(" is longer than 4095 bytes");
  }

  @Test
  void hostPath_of4095BytesIsAccepted_4096IsRefused() {
    // 2047 two-byte characters after the slash: 4095 bytes in 2048 characters.
    assertThat(Text.hostPathProblem("/" + "\u00e9".repeat(2047))).isNull();
    assertThat(Text.hostPathProblem("/" + "\u00e9".repeat(2047) + "a"))
        .endsWith(" is longer than 4095 bytes")
        .startsWith("\"/\u00e9\u00e9");
    assertThat(Text.hostPathProblem("/" + "a".repeat(4094))).isNull();
    assertThat(Text.hostPathProblem("/" + "a".repeat(4095))).endsWith(" is longer than 4095 bytes");
  }

  @Test
  void hostVolume_sourceLongerThanPathMax_isRefusedByTheReader() {
    String source = "/" + "a".repeat(4095);
    assertThat(podError(vol("{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + source + "\"}")))
        .startsWith("pod.json: volumes[0].source: \"/aaa")
        .endsWith(" is longer than 4095 bytes");
  }

  // ---------------------------------------------------------------------------------------------
  // AC identifiers and SemVer

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "OK",
      delimiter = '|',
      value = {
        "a    | OK",
        "z    | OK",
        "0    | OK",
        "9    | OK",
        "a`   | '\"a`\" is not a valid AC identifier (only a-z, 0-9 and \"-\", \".\", \"_\", \"~\", \"/\")'",
        "a{   | '\"a{\" is not a valid AC identifier (only a-z, 0-9 and \"-\", \".\", \"_\", \"~\", \"/\")'",
        "a:   | '\"a:\" is not a valid AC identifier (only a-z, 0-9 and \"-\", \".\", \"_\", \"~\", \"/\")'",
        "_a   | '\"_a\" is not a valid AC identifier (must start and end with a-z or 0-9)'",
        "a~   | '\"a~\" is not a valid AC identifier (must start and end with a-z or 0-9)'",
      })
  void acIdentifier_firstAndLastCharacterOfEachClass(String value, String problem) {
    assertThat(Text.acIdentifierProblem(value)).isEqualTo(problem);
  }

  @Test
  void acIdentifier_empty_isRefusedWithItsOwnReason() {
    assertThat(Text.acIdentifierProblem("")).isEqualTo("\"\" is not a valid AC identifier (must not be empty)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "OK",
      delimiter = '|',
      value = {
        // Each class's first and last character, in pre-release and in build identifiers.
        "1.2.3-0.9.a.z.A.Z.-       | OK",
        "1.2.3+0.9.a.z.A.Z.-       | OK",
        "1.2.3-0                   | OK",
        "1.2.3-09a+00              | OK",
        "9.9.9                     | OK",
        "10.90.0                   | OK",
        // kvmount's own bound: numbers of at most 18 digits, which fit a long.
        "999999999999999999.0.0    | OK",
        "1999999999999999999.0.0   | NOT",
        "1.2.3-a/b                 | NOT",
        "1.2.3-a:b                 | NOT",
        "1.2.3-a@b                 | NOT",
        "1.2.3-a[b                 | NOT",
        "1.2.3-a`b                 | NOT",
        "1.2.3-a{b                 | NOT",
        "1.2.3+a_b                 | NOT",
        "1.2.3+a/b                 | NOT",
        "1..3                      | NOT",
        "1.2.                      | NOT",
        "1.2./                     | NOT",
        "1.2.:                     | NOT",
      })
  void semVer_characterClassesAndNumbers(String version, String outcome) {
    assertThat(Text.semVerProblem(version)).isEqualTo(outcome == null ? null : "\"" + version + "\"" + NOT_SEMVER);
  }

  // ---------------------------------------------------------------------------------------------
  // Empty volumes: owner ids and mode

  @Test
  void emptyVolume_ownerIdsFrom0To4294967294() {
    AcName n = new AcName("tmp");
    Volume.Empty top = new Volume.Empty(n, Optional.empty(), FileMode.DEFAULT_DIRECTORY, 4294967294L, 4294967294L);
    assertThat(top.uid()).isEqualTo(4294967294L);
    assertThat(top.gid()).isEqualTo(4294967294L);
    Volume.Empty zero = new Volume.Empty(n, Optional.empty(), FileMode.DEFAULT_DIRECTORY, 0, 0);
    assertThat(zero.uid()).isZero();
    assertThat(zero.gid()).isZero();
    assertThatThrownBy(() -> new Volume.Empty(n, Optional.empty(), FileMode.DEFAULT_DIRECTORY, 4294967295L, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uid 4294967295 is outside 0..4294967294");
    assertThatThrownBy(() -> new Volume.Empty(n, Optional.empty(), FileMode.DEFAULT_DIRECTORY, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uid -1 is outside 0..4294967294");
    assertThatThrownBy(() -> new Volume.Empty(n, Optional.empty(), FileMode.DEFAULT_DIRECTORY, 0, 4294967295L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gid 4294967295 is outside 0..4294967294");
    assertThatThrownBy(() -> new Volume.Empty(n, Optional.empty(), FileMode.DEFAULT_DIRECTORY, 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gid -1 is outside 0..4294967294");
  }

  @Test
  void emptyVolume_modeOfZeros_isModeZero() throws Exception {
    for (String mode : List.of("0", "0000", "00000")) {
      PodManifest p = ManifestReader.readPod(utf8(vol("{\"name\":\"tmp\",\"kind\":\"empty\",\"mode\":\"" + mode + "\"}")),
          "pod.json");
      assertThat(((Volume.Empty) p.volumes().get(0)).mode()).as(mode).isEqualTo(new FileMode(0));
    }
    PodManifest p = ManifestReader.readPod(utf8(vol("{\"name\":\"tmp\",\"kind\":\"empty\",\"mode\":\"007777\"}")),
        "pod.json");
    assertThat(((Volume.Empty) p.volumes().get(0)).mode()).isEqualTo(new FileMode(07777));
  }

  // ---------------------------------------------------------------------------------------------
  // Reader: types, null sections, image manifests

  @Test
  void volumesAndMounts_thatAreNotArrays_areRefusedAtTheirOwnField() {
    assertThat(podError(pod(",\"volumes\":{}"))).isEqualTo("pod.json: volumes: expected an array, got an object");
    assertThat(podError(pod(",\"volumes\":\"data\"")))
        .isEqualTo("pod.json: volumes: expected an array, got a string");
    assertThat(podError(pod(",\"apps\":[{\"name\":\"web\",\"mounts\":{}}]")))
        .isEqualTo("pod.json: apps[0].mounts: expected an array, got an object");
    assertThat(podError(pod(",\"apps\":[{\"name\":\"web\",\"mounts\":[[]]}]")))
        .isEqualTo("pod.json: apps[0].mounts[0]: expected an object, got an array");
  }

  @Test
  void appSectionNull_isLikeNoAppSection() throws Exception {
    PodManifest p = ManifestReader.readPod(utf8(pod(",\"apps\":[{\"name\":\"web\",\"app\":null}]")), "pod.json");
    assertThat(p.apps().get(0).mountPoints()).isEmpty();
    ImageManifest i = ManifestReader.readImage(
        utf8("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/a\",\"app\":null}"),
        "image.json");
    assertThat(i).isEqualTo(new ImageManifest("example.com/a", List.of()));
  }

  @Test
  void image_badNameMissingKindAndTrailingData_areRefused() {
    assertThat(imageError("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"Example.com/a\"}"))
        .isEqualTo("image.json: name: \"Example.com/a\" is not a valid AC identifier (only a-z, 0-9 and \"-\","
            + " \".\", \"_\", \"~\", \"/\")");
    assertThat(imageError("{\"acVersion\":\"0.8.11\",\"name\":\"example.com/a\"}"))
        .isEqualTo("image.json: acKind: missing required field (must be \"ImageManifest\")");
    assertThat(imageError("{\"acKind\":\"ImageManifest\",\"name\":\"example.com/a\"}"))
        .isEqualTo("image.json: acVersion: missing required field (an image manifest must give its version)");
    assertThat(imageError("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\"}"))
        .isEqualTo("image.json: name: missing required field (the image name)");
    assertThat(imageError("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"a\"} {}"))
        .isEqualTo("image.json: unexpected data (an object) after the top-level object (line 1, column 60)");
  }
}
