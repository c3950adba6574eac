package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact user-facing messages of {@link ManifestReader#readPod}: one line each, naming the field and
 * the rule, offending values quoted with non-printables escaped. Also the inputs right at the edge
 * of each rule that must still be accepted.
 */
class ManifestReaderMessagesTest {

  static String pod(String rest) {
    return "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\"" + rest + "}";
  }

  static String vol(String v) {
    return pod(",\"volumes\":[" + v + "]");
  }

  static String mnt(String m) {
    return pod(
        ",\"apps\":[{\"name\":\"web\",\"mounts\":["
            + m
            + "]}],\"volumes\":[{\"name\":\"data\",\"kind\":\"empty\"}]");
  }

  static String mp(String m) {
    return pod(",\"apps\":[{\"name\":\"web\",\"app\":{\"mountPoints\":[" + m + "]}}]");
  }

  private static byte[] bytes(Object input) {
    return input instanceof byte[]
        ? (byte[]) input
        : ((String) input).getBytes(StandardCharsets.UTF_8);
  }

  private static Arguments err(String name, Object input, String message) {
    return Arguments.of(name, bytes(input), message);
  }

  private static Arguments ok(String name, Object input) {
    return Arguments.of(name, bytes(input), null);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        err(
            "trailing comma",
            "{\"acKind\": \"PodManifest\",}",
            "pod.json: invalid JSON at line 1, column 26: unexpected character ('}' (code 125)):"
                + " was expecting double-quote to start field name"),
        err(
            "missing colon",
            "{\"acKind\" \"PodManifest\"}",
            "pod.json: acKind: invalid JSON at line 1, column 11: unexpected character ('\"' (code"
                + " 34)): was expecting a colon to separate field name and value"),
        err(
            "single quotes",
            "{'acKind': 'PodManifest'}",
            "pod.json: invalid JSON at line 1, column 2: unexpected character (''' (code 39)): was"
                + " expecting double-quote to start field name"),
        err(
            "comment",
            "{/* x */}",
            "pod.json: invalid JSON at line 1, column 2: unexpected character ('/' (code 47)):"
                + " maybe a (non-standard) comment?"),
        err(
            "NaN",
            pod(",\"x\": NaN"),
            "pod.json: x: invalid JSON at line 1, column 54: non-standard token 'NaN'"),
        err(
            "leading zero",
            pod(",\"x\": 01"),
            "pod.json: x: invalid JSON at line 1, column 52: invalid numeric value: Leading zeroes"
                + " not allowed"),
        err(
            "bad escape",
            pod(",\"x\": \"\\q\""),
            "pod.json: x: invalid JSON at line 1, column 53: unrecognized character escape 'q'"
                + " (code 113)"),
        err(
            "truncated",
            "{\"acKind\": \"PodManifest\", \"apps\": [{\"name\": \"a\"",
            "pod.json: apps[0]: truncated document: unexpected end of input (line 1, column 48)"),
        err(
            "truncated in string",
            "{\"acKind\": \"PodManifest\", \"apps\": [{\"name\": \"a",
            "pod.json: apps[0].name: truncated document: unexpected end of input (line 1, column"
                + " 47)"),
        err(
            "truncated after key",
            "{\"acKind\": \"PodManifest\", \"apps\": [{\"name\"",
            "pod.json: apps[0].name: truncated document: unexpected end of input (line 1, column"
                + " 43)"),
        err(
            "array top",
            "[]",
            "pod.json: expected a JSON object at the top level, got an array (line 1, column 1)"),
        err(
            "string top",
            "\"x\"",
            "pod.json: expected a JSON object at the top level, got a string (line 1, column 1)"),
        err(
            "number top",
            "42",
            "pod.json: expected a JSON object at the top level, got a number (line 1, column 1)"),
        err("empty", "", "pod.json: empty document (expected a JSON object)"),
        err("whitespace", "  \n ", "pod.json: empty document (expected a JSON object)"),
        err(
            "two objects",
            "{\"acKind\":\"PodManifest\"} {}",
            "pod.json: unexpected data (an object) after the top-level object (line 1, column 26)"),
        err(
            "garbage after",
            "{\"acKind\":\"PodManifest\"} x",
            "pod.json: invalid JSON at line 1, column 26: unrecognized token 'x': was expecting"
                + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
        err(
            "bad utf8 in name",
            new byte[] {
              '{',
              '"',
              'a',
              'c',
              'K',
              'i',
              'n',
              'd',
              '"',
              ':',
              '"',
              'P',
              'o',
              'd',
              'M',
              'a',
              'n',
              'i',
              'f',
              'e',
              's',
              't',
              '"',
              ',',
              '"',
              'a',
              'p',
              'p',
              's',
              '"',
              ':',
              '[',
              '{',
              '"',
              'n',
              'a',
              'm',
              'e',
              '"',
              ':',
              '"',
              'a',
              (byte) 0xff,
              '"',
              '}',
              ']',
              '}'
            },
            "pod.json: apps[0].name: invalid UTF-8 at line 1, column 43: unexpected byte 0xff"),
        err(
            "overlong",
            new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'},
            "pod.json: x: invalid UTF-8 at line 1, column 7: unexpected byte 0xc0"),
        err(
            "surrogate utf8",
            new byte[] {
              '{', '"', 'x', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'
            },
            "pod.json: x: invalid UTF-8 at line 1, column 8: unexpected byte 0xa0"),
        err(
            "truncated utf8",
            new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xE2, (byte) 0x82},
            "pod.json: x: invalid UTF-8 at line 1, column 7: incomplete sequence at the end of the"
                + " document"),
        err(
            "bom",
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'},
            "pod.json: the document starts with a UTF-8 byte order mark, which JSON (RFC 8259) and"
                + " appc do not allow"),
        err(
            "raw ctrl in string",
            pod(",\"apps\":[{\"name\":\"a\u0001b\"}]"),
            "pod.json: apps[0].name: invalid JSON at line 1, column 64: raw control character 0x01"
                + " (JSON allows only tab, LF and CR outside escapes)"),
        err(
            "raw NUL outside",
            "{\u0000}",
            "pod.json: invalid JSON at line 1, column 2: raw control character 0x00 (JSON allows"
                + " only tab, LF and CR outside escapes)"),
        err(
            "utf16",
            "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE),
            "pod.json: invalid JSON at line 1, column 2: raw control character 0x00 (JSON allows"
                + " only tab, LF and CR outside escapes)"),
        err(
            "dup top",
            pod(",\"acKind\":\"PodManifest\""),
            "pod.json: acKind: duplicate key \"acKind\""),
        err(
            "dup unknown nested",
            pod(",\"isolators\":[{\"name\":\"x\",\"value\":{\"limit\":1,\"limit\":2}}]"),
            "pod.json: isolators[0].value.limit: duplicate key \"limit\""),
        err(
            "dup case",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"readOnly\":true,\"readonly\":false}"),
            "pod.json: volumes[0].readOnly: duplicate key \"readonly\" (also \"readOnly\"; keys"
                + " match case-insensitively, as in appc)"),
        err("apps object", pod(",\"apps\":{}"), "pod.json: apps: expected an array, got an object"),
        err(
            "volume string",
            pod(",\"volumes\":[\"data\"]"),
            "pod.json: volumes[0]: expected an object, got a string"),
        err(
            "app null elem",
            pod(",\"apps\":[null]"),
            "pod.json: apps[0]: expected an object, got null"),
        err(
            "uid float",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"uid\":1.5}"),
            "pod.json: volumes[0].uid: expected an integer, got the number 1.5"),
        err(
            "uid exp",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"uid\":1e3}"),
            "pod.json: volumes[0].uid: expected an integer, got the number 1e3"),
        err(
            "uid huge",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"uid\":123456789012345678901234567890}"),
            "pod.json: volumes[0].uid: 123456789012345678901234567890 is outside 0..4294967294"),
        err(
            "uid -1",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"uid\":-1}"),
            "pod.json: volumes[0].uid: -1 is outside 0..4294967294"),
        err(
            "uid max+1",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"uid\":4294967295}"),
            "pod.json: volumes[0].uid: 4294967295 is outside 0..4294967294"),
        ok("uid max", vol("{\"name\":\"a\",\"kind\":\"empty\",\"uid\":4294967294}")),
        err(
            "gid str",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"gid\":\"0\"}"),
            "pod.json: volumes[0].gid: expected an integer, got a string"),
        err(
            "gid bool",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"gid\":true}"),
            "pod.json: volumes[0].gid: expected an integer, got a boolean"),
        err(
            "mode 10000",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"mode\":\"10000\"}"),
            "pod.json: volumes[0].mode: \"10000\" is above 07777"),
        ok("mode 07777", vol("{\"name\":\"a\",\"kind\":\"empty\",\"mode\":\"07777\"}")),
        err(
            "mode empty",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"mode\":\"\"}"),
            "pod.json: volumes[0].mode: \"\" is not an octal mode (such as \"0755\")"),
        err(
            "mode 0o755",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"mode\":\"0o755\"}"),
            "pod.json: volumes[0].mode: \"0o755\" is not an octal mode (such as \"0755\")"),
        err(
            "mode -1",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"mode\":\"-1\"}"),
            "pod.json: volumes[0].mode: \"-1\" is not an octal mode (such as \"0755\")"),
        err(
            "mode 8",
            vol("{\"name\":\"a\",\"kind\":\"empty\",\"mode\":\"8\"}"),
            "pod.json: volumes[0].mode: \"8\" is not an octal mode (such as \"0755\")"),
        err(
            "host uid",
            vol("{\"name\":\"a\",\"kind\":\"host\",\"source\":\"/s\",\"uid\":0}"),
            "pod.json: volumes[0].uid: not allowed on a host volume (only empty volumes have an"
                + " owner)"),
        err(
            "host gid",
            vol("{\"name\":\"a\",\"kind\":\"host\",\"source\":\"/s\",\"gid\":0}"),
            "pod.json: volumes[0].gid: not allowed on a host volume (only empty volumes have an"
                + " owner)"),
        err(
            "host empty src",
            vol("{\"name\":\"a\",\"kind\":\"host\",\"source\":\"\"}"),
            "pod.json: volumes[0].source: must not be empty (a host volume needs an absolute host"
                + " path)"),
        err(
            "host src nl",
            vol("{\"name\":\"a\",\"kind\":\"host\",\"source\":\"/srv/a\\nb\"}"),
            "pod.json: volumes[0].source: \"/srv/a\\nb\" contains a control character (\\n)"),
        err(
            "host src tab",
            vol("{\"name\":\"a\",\"kind\":\"host\",\"source\":\"/srv/a\\tb\"}"),
            "pod.json: volumes[0].source: \"/srv/a\\tb\" contains a control character (\\t)"),
        err(
            "host src surrogate",
            vol("{\"name\":\"a\",\"kind\":\"host\",\"source\":\"/srv/\\ud800\"}"),
            "pod.json: volumes[0].source: \"/srv/\\uD800\" contains an unpaired surrogate"
                + " (\\uD800), which is not Unicode text"),
        err(
            "kind upper",
            vol("{\"name\":\"a\",\"kind\":\"Host\",\"source\":\"/s\"}"),
            "pod.json: volumes[0].kind: unknown volume kind \"Host\" (must be \"host\" or"
                + " \"empty\")"),
        err(
            "kind num",
            vol("{\"name\":\"a\",\"kind\":1}"),
            "pod.json: volumes[0].kind: expected a string, got a number"),
        ok("empty src empty string", vol("{\"name\":\"a\",\"kind\":\"empty\",\"source\":\"\"}")),
        err(
            "dup vol 3",
            vol(
                "{\"name\":\"data\",\"kind\":\"empty\"},{\"name\":\"b\",\"kind\":\"empty\"},{\"name\":\"data\",\"kind\":\"empty\"}"),
            "pod.json: volumes[2].name: duplicate volume name \"data\" (also volumes[0])"),
        err(
            "name nl",
            pod(",\"apps\":[{\"name\":\"a\\nb\"}]"),
            "pod.json: apps[0].name: \"a\\nb\" is not a valid ACName (only a-z, 0-9 and \"-\")"),
        err(
            "name x01",
            pod(",\"apps\":[{\"name\":\"a\\u0001\"}]"),
            "pod.json: apps[0].name: \"a\\x01\" is not a valid ACName (only a-z, 0-9 and \"-\")"),
        err(
            "app no name",
            pod(",\"apps\":[{\"image\":{}}]"),
            "pod.json: apps[0].name: missing required field (the app's name)"),
        ok(
            "mount no volume appVolume",
            pod(
                ",\"apps\":[{\"name\":\"web\",\"mounts\":[{\"path\":\"/x\",\"appVolume\":{\"name\":\"v\",\"kind\":\"empty\"}}]}]")),
        err(
            "mount vol mismatch",
            pod(
                ",\"apps\":[{\"name\":\"web\",\"mounts\":[{\"volume\":\"w\",\"path\":\"/x\",\"appVolume\":{\"name\":\"v\",\"kind\":\"empty\"}}]}]"),
            "pod.json: apps[0].mounts[0].volume: \"w\" differs from the appVolume's name \"v\""),
        err(
            "appVolume conflicts pod",
            mnt(
                "{\"path\":\"/x\",\"appVolume\":{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/s\"}}"),
            "pod.json: apps[0].mounts[0].appVolume: volume \"data\" differs from volumes[0] of the"
                + " same name"),
        ok(
            "appVolume same as pod",
            mnt("{\"path\":\"/x\",\"appVolume\":{\"name\":\"data\",\"kind\":\"empty\"}}")),
        err(
            "appVolume conflicts other",
            pod(
                ",\"apps\":[{\"name\":\"a\",\"mounts\":[{\"path\":\"/x\",\"appVolume\":{\"name\":\"v\",\"kind\":\"empty\"}}]},{\"name\":\"b\",\"mounts\":[{\"path\":\"/x\",\"appVolume\":{\"name\":\"v\",\"kind\":\"empty\",\"mode\":\"0700\"}}]}]"),
            "pod.json: apps[1].mounts[0].appVolume: volume \"v\" differs from"
                + " apps[0].mounts[0].appVolume of the same name"),
        err(
            "path nl",
            mnt("{\"volume\":\"data\",\"path\":\"/a\\nb\"}"),
            "pod.json: apps[0].mounts[0].path: \"/a\\nb\" contains a control character (\\n)"),
        err(
            "path cr",
            mnt("{\"volume\":\"data\",\"path\":\"/a\\rb\"}"),
            "pod.json: apps[0].mounts[0].path: \"/a\\rb\" contains a control character (\\r)"),
        err(
            "path nul",
            mnt("{\"volume\":\"data\",\"path\":\"/a\\u0000b\"}"),
            "pod.json: apps[0].mounts[0].path: \"/a\\x00b\" contains a control character (\\x00)"),
        err(
            "path del",
            mnt("{\"volume\":\"data\",\"path\":\"/a\\u007fb\"}"),
            "pod.json: apps[0].mounts[0].path: \"/a\\x7fb\" contains a control character (\\x7f)"),
        err(
            "path long comp",
            mnt("{\"volume\":\"data\",\"path\":\"/" + "x".repeat(256) + "\"}"),
            "pod.json: apps[0].mounts[0].path:"
                + " \"/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..."
                + " (257 characters) has a component longer than 255 bytes"),
        err(
            "path dup",
            mnt(
                "{\"volume\":\"data\",\"path\":\"/data\"},{\"volume\":\"other\",\"path\":\"/data/\"}"),
            "pod.json: apps[0].mounts[1].path: \"/data/\" is mounted twice (also apps[0].mounts[0],"
                + " \"/data\")"),
        err(
            "path dup dot",
            mnt(
                "{\"volume\":\"data\",\"path\":\"/data\"},{\"volume\":\"other\",\"path\":\"//data/.\"}"),
            "pod.json: apps[0].mounts[1].path: \"//data/.\" is mounted twice (also"
                + " apps[0].mounts[0], \"/data\")"),
        err(
            "mp path nl",
            mp("{\"name\":\"a\",\"path\":\"/x\\n\"}"),
            "pod.json: apps[0].app.mountPoints[0].path: \"/x\\n"
                + "\" contains a control character (\\n"
                + ")"),
        err(
            "mp readOnly str",
            mp("{\"name\":\"a\",\"path\":\"/x\",\"readOnly\":\"yes\"}"),
            "pod.json: apps[0].app.mountPoints[0].readOnly: expected a boolean, got a string"),
        err(
            "mountPoints obj",
            pod(",\"apps\":[{\"name\":\"web\",\"app\":{\"mountPoints\":{}}}]"),
            "pod.json: apps[0].app.mountPoints: expected an array, got an object"),
        err(
            "semver zero",
            "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.0.0\"}",
            "pod.json: acVersion: \"0.0.0\" is not allowed (the version must not be zero)"),
        err(
            "semver lead0",
            "{\"acKind\":\"PodManifest\",\"acVersion\":\"01.2.3\"}",
            "pod.json: acVersion: \"01.2.3\" is not a semantic version (such as \"0.8.11\")"),
        ok("semver pre", "{\"acKind\":\"PodManifest\",\"acVersion\":\"1.2.3-rc.1+build.5\"}"),
        err(
            "semver v",
            "{\"acKind\":\"PodManifest\",\"acVersion\":\"v1.2.3\"}",
            "pod.json: acVersion: \"v1.2.3\" is not a semantic version (such as \"0.8.11\")"),
        err(
            "acKind lower",
            "{\"acKind\":\"podmanifest\"}",
            "pod.json: acKind: \"podmanifest\" is not \"PodManifest\""),
        ok("key case acKind", "{\"ACKIND\":\"PodManifest\"}"),
        err(
            "deep",
            pod(",\"x\":" + "[".repeat(100) + "]".repeat(100)),
            "pod.json:"
                + " x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]:"
                + " nesting deeper than 64 levels (line 1, column 114)"),
        ok("deep 63", pod(",\"x\":" + "[".repeat(63) + "]".repeat(63))),
        err(
            "deep 64",
            pod(",\"x\":" + "[".repeat(64) + "]".repeat(64)),
            "pod.json:"
                + " x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]:"
                + " nesting deeper than 64 levels (line 1, column 114)"),
        err(
            "long string",
            pod(",\"x\":\"" + "a".repeat(70000) + "\""),
            "pod.json: x: string of 70000 characters is longer than the limit of 65536 (line 1,"
                + " column 70052)"),
        err(
            "long key",
            pod(",\"" + "a".repeat(70000) + "\":1"),
            "pod.json: string of 70000 characters is longer than the limit of 65536 (line 1, column"
                + " 70050)"),
        err(
            "long name",
            pod(",\"apps\":[{\"name\":\"" + "a".repeat(70000) + "\"}]"),
            "pod.json: apps[0].name: string of 70000 characters is longer than the limit of 65536"
                + " (line 1, column 70064)"),
        err(
            "key nl",
            pod(",\"a\\nb\":{\"c\":1,\"c\":2}"),
            "pod.json: [\"a\\nb\"].c: duplicate key \"c\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readPod_input_hasExactOutcome(String name, byte[] input, String message) throws Exception {
    if (message == null) {
      assertThat(ManifestReader.readPod(input, "pod.json")).isNotNull();
      return;
    }
    ManifestException e =
        catchThrowableOfType(
            ManifestException.class, () -> ManifestReader.readPod(input, "pod.json"));
    assertThat(e).as(name).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message).doesNotContain("\n", "\r");
    assertThat(e.getMessage())
        .isEqualTo(
            e.source() + ": " + (e.fieldPath().isEmpty() ? "" : e.fieldPath() + ": ") + e.reason());
  }
}
