package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.FileMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The records' own checks (programmer misuse gives IllegalArgumentException) and copying. */
class ModelTest {

  private static AcName n(String s) {
    return new AcName(s);
  }

  /** Cases from appc-parse.json ("ACName ..." cases) plus control characters. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a", "a-b", "a--b", "1", "123", "web-1", "x0"})
  void acName_valid_isAccepted(String value) {
    assertThat(AcName.problem(value)).isNull();
    assertThat(new AcName(value).value()).isEqualTo(value);
    assertThat(new AcName(value).toString()).isEqualTo(value);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "''            | '\"\" is not a valid ACName (must not be empty)'",
        "-a            | '\"-a\" is not a valid ACName (must start and end with a-z or 0-9, not"
            + " \"-\")'",
        "a-            | '\"a-\" is not a valid ACName (must start and end with a-z or 0-9, not"
            + " \"-\")'",
        "-             | '\"-\" is not a valid ACName (must start and end with a-z or 0-9, not"
            + " \"-\")'",
        "A             | '\"A\" is not a valid ACName (only a-z, 0-9 and \"-\")'",
        "a_b           | '\"a_b\" is not a valid ACName (only a-z, 0-9 and \"-\")'",
        "a.b           | '\"a.b\" is not a valid ACName (only a-z, 0-9 and \"-\")'",
        "a b           | '\"a b\" is not a valid ACName (only a-z, 0-9 and \"-\")'",
        "café          | '\"café\" is not a valid ACName (only a-z, 0-9 and \"-\")'",
      })
  void acName_invalid_problemNamesTheRule(String value, String problem) {
    assertThat(AcName.problem(value)).isEqualTo(problem);
    assertThatThrownBy(() -> new AcName(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(problem);
  }

  @Test
  void acName_controlCharacters_areEscapedInTheProblem() {
    assertThat(AcName.problem("a\nb"))
        .isEqualTo("\"a\\nb\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    assertThat(AcName.problem("a\u0001"))
        .isEqualTo("\"a\\x01\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    assertThat(AcName.problem("a\u2028"))
        .isEqualTo("\"a\\u2028\" is not a valid ACName (only a-z, 0-9 and \"-\")");
  }

  @Test
  void records_copyTheirLists() {
    List<Mount> mounts = new ArrayList<>(List.of(Mount.of(n("v"), "/v")));
    List<MountPoint> points = new ArrayList<>(List.of(new MountPoint(n("p"), "/p", true)));
    RuntimeApp app = new RuntimeApp(n("a"), Optional.of(points), mounts);
    mounts.clear();
    points.clear();

    assertThat(app.mounts()).hasSize(1);
    assertThat(app.mountPoints().orElseThrow()).hasSize(1);
    assertThatThrownBy(() -> app.mounts().add(Mount.of(n("w"), "/w")))
        .isInstanceOf(UnsupportedOperationException.class);

    List<RuntimeApp> apps = new ArrayList<>(List.of(app));
    PodManifest pod = new PodManifest("0.8.11", apps, List.of());
    apps.clear();
    assertThat(pod.apps()).containsExactly(app);
  }

  @Test
  void mountPoint_badPath_isIllegalArgument() {
    assertThatThrownBy(() -> new MountPoint(n("p"), "", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mount point path must not be empty (an absolute path inside the app rootfs is required)");
    assertThatThrownBy(() -> Mount.of(n("p"), "/a\nb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("mount path \"/a\\nb\" contains a control character");
  }

  @Test
  void mountPaths_relativeOrWithDotDot_areKeptAsWritten() {
    // Issue 24: read from the app's root and resolved inside the app rootfs when planning.
    assertThat(new MountPoint(n("p"), "rel", false).path()).isEqualTo("rel");
    assertThat(Mount.of(n("p"), "/a/../../b").path()).isEqualTo("/a/../../b");
  }

  @Test
  void mount_volumeMustNameItsAppVolume() {
    Volume inline = Volume.Empty.withDefaults(n("x"), Optional.empty());

    assertThat(new Mount(n("x"), "/x", Optional.of(inline)).appVolume()).contains(inline);
    assertThatThrownBy(() -> new Mount(n("y"), "/x", Optional.of(inline)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mount volume \"y\" differs from its appVolume's name \"x\"");
  }

  @Test
  void volumes_checkSourceAndIds() {
    assertThat(new Volume.Host(n("h"), "/", Optional.empty(), Optional.empty()).kind())
        .isEqualTo("host");
    assertThat(Volume.Empty.withDefaults(n("e"), Optional.of(true)))
        .isEqualTo(new Volume.Empty(n("e"), Optional.of(true), new FileMode(0755), 0, 0));
    assertThatThrownBy(() -> new Volume.Host(n("h"), "srv", Optional.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "host volume source \"srv\" is not an absolute path (it must start with \"/\")");
    assertThatThrownBy(() -> new Volume.Empty(n("e"), Optional.empty(), new FileMode(0755), -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uid -1 is outside 0..4294967294");
    assertThatThrownBy(
            () -> new Volume.Empty(n("e"), Optional.empty(), new FileMode(0755), 0, 4294967295L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gid 4294967295 is outside 0..4294967294");
  }

  @Test
  void manifestException_emptyFieldPath_omitsIt() {
    ManifestException e = new ManifestException("pod.json", "", "empty document");

    assertThat(e.getMessage()).isEqualTo("pod.json: empty document");
    assertThat(
            new ManifestException(
                    "pod.json",
                    "apps[1].mounts[0].volume",
                    "\"Data\" is not a valid ACName (only a-z, 0-9 and \"-\")")
                .getMessage())
        .isEqualTo(
            "pod.json: apps[1].mounts[0].volume: \"Data\" is not a valid ACName (only a-z, 0-9 and"
                + " \"-\")");
    assertThat(new ManifestException("a\rb", "x\ny", "why\u0000").getMessage())
        .isEqualTo("a\\rb: x\\ny: why\\x00");
  }
}
