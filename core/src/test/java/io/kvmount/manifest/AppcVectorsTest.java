package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the appc decoding vectors ({@code vectors/appc/appc-parse.json}: real results of appc/spec
 * v0.7.1 and v0.8.11, see SOURCES.md there) through our reader. Fragments (a volume, a mount, a
 * mount point, a runtime app, an ACName) are wrapped into a minimal pod manifest.
 *
 * <p>Our accept/reject must agree with v0.8.11 except for the cases in {@link #DEVIATIONS}, each
 * with the reason we differ on purpose. Every case we reject has its exact message in {@link
 * #OUR_ERRORS}; every case we accept that v0.8.11 re-marshals is compared field by field.
 */
class AppcVectorsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The kinds of case that describe a manifest or part of one ({@code volumestring} is CLI syntax).
   */
  private static final Set<String> KINDS =
      Set.of("pod", "image", "volume", "mount", "mountpoint", "runtimeapp", "acname");

  /** Where we deliberately differ from appc v0.8.11: case name -> why. */
  static final Map<String, String> DEVIATIONS = new LinkedHashMap<>();

  /** Our exact message for every case we reject. */
  static final Map<String, String> OUR_ERRORS = new LinkedHashMap<>();

  private static void deviates(String name, String why) {
    DEVIATIONS.put(name, why);
  }

  private static void rejects(String name, String message) {
    OUR_ERRORS.put(name, message);
  }

  static {
    // --- stricter than appc: we reject what v0.8.11 accepts ---
    deviates(
        "empty volume mode not octal",
        "appc never checks the mode text; rkt later fails or uses a wrong mode (fault class 24)");
    deviates(
        "empty volume negative uid",
        "a negative owner id cannot be applied with chown (-1 means \"unchanged\"); uid/gid are"
            + " 0..4294967294");
    deviates(
        "duplicate key, last wins",
        "a repeated key is ambiguous (other JSON readers keep the first); reject rather than"
            + " guess");
    deviates(
        "mountPoint empty path",
        "appc checks mount points only in its CLI parser; an empty target cannot be mounted");
    deviates("mountPoint missing path", "same: a mount point needs an absolute path");
    // "mountPoint relative path": accepted, as appc does (issue 24): read from the app's root.
    deviates(
        "mountPoint missing name",
        "a mount point without a name can never be matched to a volume (rkt fails later)");
    deviates(
        "mount missing volume",
        "a mount without volume (and without appVolume) mounts nothing; rkt used a zero Volume"
            + " (/mnt)");
    deviates("mount empty path", "an empty target cannot be mounted");
    deviates(
        "pod mount referencing unknown volume",
        "rkt looked the name up in a map and mounted /mnt (fault class 23): an undeclared volume is"
            + " an error");
    // --- more lenient than appc: fields kvmount does not use are not validated ---
    for (String name :
        List.of(
            "runtime app empty image id",
            "runtime app sha256 id",
            "runtime app bad image name",
            "runtime app label named name",
            "runtime app bad os label",
            "runtime app app without user",
            "runtime app duplicate annotations",
            "runtime app bad created annotation")) {
      deviates(
          name,
          "kvmount reads only names, volumes, mounts and mount points; image, labels, annotations,"
              + " exec, user and group are checked by the runtime that runs the pod");
    }
  }

  static {
    // Reviewed one by one: each names the field and the rule, values quoted.
    rejects(
        "host volume relative source",
        "pod.json: volumes[0].source: \"srv/data\" is not an absolute path (it must start with"
            + " \"/\")");
    rejects(
        "host volume missing source",
        "pod.json: volumes[0].source: missing required field (a host volume needs an absolute host"
            + " path)");
    rejects(
        "host volume with mode/uid/gid",
        "pod.json: volumes[0].mode: not allowed on a host volume (only empty volumes have a mode)");
    rejects(
        "empty volume with source",
        "pod.json: volumes[0].source: not allowed on an empty volume (got \"/srv\"; use \"kind\":"
            + " \"host\" to share a host directory)");
    rejects(
        "empty volume mode not octal",
        "pod.json: volumes[0].mode: \"rwx\" is not an octal mode (such as \"0755\")");
    rejects(
        "empty volume numeric mode",
        "pod.json: volumes[0].mode: expected a string (octal text such as \"0755\"), got a number");
    rejects(
        "empty volume uid as string",
        "pod.json: volumes[0].uid: expected an integer, got a string");
    rejects("empty volume negative uid", "pod.json: volumes[0].uid: -1 is outside 0..4294967294");
    rejects(
        "unknown kind",
        "pod.json: volumes[0].kind: unknown volume kind \"tmpfs\" (must be \"host\" or \"empty\")");
    rejects(
        "missing kind",
        "pod.json: volumes[0].kind: missing required field (must be \"host\" or \"empty\")");
    rejects(
        "missing name", "pod.json: volumes[0].name: missing required field (the volume's name)");
    rejects(
        "empty-string name",
        "pod.json: volumes[0].name: \"\" is not a valid ACName (must not be empty)");
    rejects(
        "uppercase name",
        "pod.json: volumes[0].name: \"Data\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    rejects(
        "underscore in name",
        "pod.json: volumes[0].name: \"my_vol\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    rejects(
        "leading dash in name",
        "pod.json: volumes[0].name: \"-ab\" is not a valid ACName (must start and end with a-z or"
            + " 0-9, not \"-\")");
    rejects(
        "readOnly as string", "pod.json: volumes[0].readOnly: expected a boolean, got a string");
    rejects("duplicate key, last wins", "pod.json: volumes[0].name: duplicate key \"name\"");
    rejects(
        "mountPoint empty path",
        "pod.json: apps[0].app.mountPoints[0].path: must not be empty (an absolute path inside the"
            + " app rootfs is required)");
    rejects(
        "mountPoint missing path",
        "pod.json: apps[0].app.mountPoints[0].path: missing required field (an absolute path inside"
            + " the app rootfs)");
    rejects(
        "mountPoint bad name",
        "pod.json: apps[0].app.mountPoints[0].name: \"DB\" is not a valid ACName (only a-z, 0-9 and"
            + " \"-\")");
    rejects(
        "mountPoint missing name",
        "pod.json: apps[0].app.mountPoints[0].name: missing required field (the mount point's"
            + " name)");
    rejects(
        "mount empty volume string",
        "pod.json: apps[0].mounts[0].volume: \"\" is not a valid ACName (must not be empty)");
    rejects(
        "mount missing volume",
        "pod.json: apps[0].mounts[0].volume: missing required field (the name of the mounted"
            + " volume)");
    rejects(
        "mount empty path",
        "pod.json: apps[0].mounts[0].path: must not be empty (an absolute path inside the app"
            + " rootfs is required)");
    rejects(
        "mount with invalid appVolume",
        "pod.json: apps[0].mounts[0].appVolume.source: missing required field (a host volume needs"
            + " an absolute host path)");
    rejects("pod wrong acKind", "pod.json: acKind: \"ImageManifest\" is not \"PodManifest\"");
    rejects(
        "pod missing acKind", "pod.json: acKind: missing required field (must be \"PodManifest\")");
    rejects(
        "pod bad acVersion",
        "pod.json: acVersion: \"1\" is not a semantic version (such as \"0.8.11\")");
    rejects(
        "pod duplicate app names",
        "pod.json: apps[1].name: duplicate app name \"app\" (also apps[0])");
    rejects(
        "pod duplicate volume names",
        "pod.json: volumes[1].name: duplicate volume name \"v\" (also volumes[0])");
    rejects(
        "pod mount referencing unknown volume",
        "pod.json: apps[0].mounts[0].volume: volume \"nosuch\" is not declared in \"volumes\" (and"
            + " the mount has no \"appVolume\")");
    rejects("image missing name", "image.json: name: missing required field (the image name)");
    rejects(
        "image missing acVersion",
        "image.json: acVersion: missing required field (an image manifest must give its version)");
    rejects(
        "ACName '-a'",
        "pod.json: apps[0].name: \"-a\" is not a valid ACName (must start and end with a-z or 0-9,"
            + " not \"-\")");
    rejects(
        "ACName 'a-'",
        "pod.json: apps[0].name: \"a-\" is not a valid ACName (must start and end with a-z or 0-9,"
            + " not \"-\")");
    rejects(
        "ACName 'A'",
        "pod.json: apps[0].name: \"A\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    rejects(
        "ACName 'a_b'",
        "pod.json: apps[0].name: \"a_b\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    rejects(
        "ACName 'a.b'",
        "pod.json: apps[0].name: \"a.b\" is not a valid ACName (only a-z, 0-9 and \"-\")");
    rejects("ACName ''", "pod.json: apps[0].name: \"\" is not a valid ACName (must not be empty)");
    rejects(
        "ACName 'café'",
        "pod.json: apps[0].name: \"café\" is not a valid ACName (only a-z, 0-9 and \"-\")");
  }

  static Stream<Arguments> cases() throws IOException {
    JsonNode root = JSON.readTree(Resources.bytes("vectors/appc/appc-parse.json"));
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      if (KINDS.contains(c.get("kind").asText())) {
        out.add(Arguments.of(c.get("name").asText(), c));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void vector_agreesWithAppcV0811OrDeviatesOnPurpose(String name, JsonNode c) throws Exception {
    String kind = c.get("kind").asText();
    String input = c.get("input").asText();
    JsonNode appc = c.get("v0.8.11");
    boolean appcAccepts = appc.get("ok").asBoolean();
    boolean expectAccept = DEVIATIONS.containsKey(name) != appcAccepts;

    Object result;
    ManifestException error = null;
    try {
      result = read(kind, input);
    } catch (ManifestException e) {
      result = null;
      error = e;
    }

    if (expectAccept) {
      if (error != null) {
        fail(
            "we reject %s (appc v0.8.11: %s): %s",
            name, appcAccepts ? "accepts" : "rejects", error.getMessage());
      }
      assertThat(OUR_ERRORS).doesNotContainKey(name);
      if (appc.has("normalized")) {
        compare(kind, input, appc.get("normalized"), result);
      }
    } else {
      assertThat(error)
          .as("we accept %s (appc v0.8.11: %s)", name, appcAccepts ? "accepts" : "rejects")
          .isNotNull();
      assertThat(OUR_ERRORS).as("expected message for %s", name).containsKey(name);
      assertThat(error.getMessage()).isEqualTo(OUR_ERRORS.get(name));
    }
  }

  @Test
  void tables_nameOnlyExistingCases() throws IOException {
    List<String> names = new ArrayList<>();
    cases().forEach(a -> names.add((String) a.get()[0]));
    assertThat(names).containsAll(DEVIATIONS.keySet()).containsAll(OUR_ERRORS.keySet());
  }

  /** Reads a case's input, wrapped into a pod where it is a fragment. */
  static Object read(String kind, String input) throws ManifestException {
    String pod;
    switch (kind) {
      case "pod":
        return ManifestReader.readPod(Resources.utf8(input), "pod.json");
      case "image":
        return ManifestReader.readImage(Resources.utf8(input), "image.json");
      case "volume":
        pod = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[" + input + "]}";
        return ManifestReader.readPod(Resources.utf8(pod), "pod.json").volumes().get(0);
      case "mount":
        String declared = input.contains("appVolume") ? "" : "{\"name\":\"db\",\"kind\":\"empty\"}";
        pod =
            "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"app\",\"mounts\":["
                + input
                + "]}],\"volumes\":["
                + declared
                + "]}";
        return ManifestReader.readPod(Resources.utf8(pod), "pod.json")
            .apps()
            .get(0)
            .mounts()
            .get(0);
      case "mountpoint":
        pod =
            "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"app\",\"app\":{\"mountPoints\":["
                + input
                + "]}}]}";
        return ManifestReader.readPod(Resources.utf8(pod), "pod.json")
            .apps()
            .get(0)
            .mountPoints()
            .orElseThrow()
            .get(0);
      case "runtimeapp":
        pod =
            "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":["
                + input
                + "],\"volumes\":[{\"name\":\"worklib\",\"kind\":\"empty\"}]}";
        return ManifestReader.readPod(Resources.utf8(pod), "pod.json").apps().get(0);
      case "acname":
        pod = "{\"acKind\":\"PodManifest\",\"apps\":[{\"name\":" + input + "}]}";
        return ManifestReader.readPod(Resources.utf8(pod), "pod.json").apps().get(0).name();
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  /** Compares our record with appc's re-marshalled value, field by field. */
  private static void compare(String kind, String input, JsonNode normalized, Object ours) {
    switch (kind) {
      case "volume":
        assertThat(volumeJson((Volume) ours)).isEqualTo(normalized);
        break;
      case "mountpoint":
        MountPoint mp = (MountPoint) ours;
        assertThat(mp.name().value()).isEqualTo(normalized.get("name").asText());
        assertThat(mp.path()).isEqualTo(normalized.get("path").asText());
        assertThat(mp.readOnly()).isEqualTo(normalized.path("readOnly").asBoolean(false));
        break;
      case "mount":
        Mount m = (Mount) ours;
        assertThat(m.volume().value()).isEqualTo(normalized.get("volume").asText());
        assertThat(m.path()).isEqualTo(normalized.get("path").asText());
        assertThat(m.appVolume().map(AppcVectorsTest::volumeJson))
            .isEqualTo(Optional.ofNullable(normalized.get("appVolume")));
        break;
      case "acname":
        assertThat(((AcName) ours).value()).isEqualTo(normalized.asText());
        break;
      case "runtimeapp":
        RuntimeApp app = (RuntimeApp) ours;
        assertThat(app.name().value()).isEqualTo(normalized.get("name").asText());
        assertThat(app.mounts()).hasSize(normalized.path("mounts").size());
        assertThat(app.mountPoints().map(List::size))
            .isEqualTo(
                normalized.has("app")
                    ? Optional.of(normalized.get("app").path("mountPoints").size())
                    : Optional.empty());
        break;
      case "pod":
        PodManifest pod = (PodManifest) ours;
        assertThat(pod.acVersion()).isEqualTo(normalized.get("acVersion").asText());
        assertThat(pod.apps()).hasSize(normalized.get("apps").size());
        List<JsonNode> volumes = new ArrayList<>();
        normalized.path("volumes").forEach(volumes::add);
        assertThat(pod.volumes().stream().map(AppcVectorsTest::volumeJson))
            .containsExactlyElementsOf(volumes);
        break;
      case "image":
        ImageManifest image = (ImageManifest) ours;
        assertThat(image.name()).isEqualTo(normalized.get("name").asText());
        assertThat(image.mountPoints()).hasSize(normalized.path("app").path("mountPoints").size());
        break;
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  /** Our volume as appc v0.8.11 marshals it (optional flags omitted when unset). */
  static JsonNode volumeJson(Volume v) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", v.name().value());
    o.put("kind", v.kind());
    if (v instanceof Volume.Host) {
      o.put("source", ((Volume.Host) v).source());
    }
    v.readOnly().ifPresent(r -> o.put("readOnly", r));
    if (v instanceof Volume.Host) {
      ((Volume.Host) v).recursive().ifPresent(r -> o.put("recursive", r));
    } else if (v instanceof Volume.Empty) {
      Volume.Empty e = (Volume.Empty) v;
      o.put("mode", e.mode().toString());
      o.put("uid", e.uid());
      o.put("gid", e.gid());
    }
    try {
      return JSON.readTree(o.toString()); // numbers as the parser types them, like appc's side
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
