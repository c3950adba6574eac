package io.kvmount.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kvmount.error.InvalidInputException;
import io.kvmount.oci.OciConfig.IdMapping;
import io.kvmount.oci.OciConfig.OciMount;
import io.kvmount.oci.OciConfig.Root;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules of {@link OciReader#read}, one by one, with the exact messages, and the inputs at the
 * edge of each rule that must still be accepted. The hostile corpus ({@link OciHostileCorpusTest})
 * holds the same kinds of failures as committed files.
 */
class OciReaderTest {

  private static final String SRC = "config.json";

  static String cfg(String rest) {
    return "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}" + rest + "}";
  }

  static String mounts(String... m) {
    return cfg(",\"mounts\":[" + String.join(",", m) + "]");
  }

  static OciConfig read(String json) throws OciException {
    return OciReader.read(json.getBytes(StandardCharsets.UTF_8), SRC);
  }

  static String error(String json) {
    return error(json.getBytes(StandardCharsets.UTF_8));
  }

  static String error(byte[] json) {
    OciException e = catchThrowableOfType(OciException.class, () -> OciReader.read(json, SRC));
    assertThat(e).as("must be refused").isNotNull();
    return e.getMessage();
  }

  static OciMount mount(String destination) {
    return new OciMount(
        destination, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
  }

  // ---------------------------------------------------------------------------------------------
  // The exception

  @Test
  void ociException_isInvalidInputWithItsParts() {
    OciException e = new OciException("b/config.json", "mounts[3].options[1]", "bad\nthing");

    assertThat(e).isInstanceOf(InvalidInputException.class);
    assertThat(e).hasMessage("b/config.json: mounts[3].options[1]: bad\\nthing");
    assertThat(e.source()).isEqualTo("b/config.json");
    assertThat(e.fieldPath()).isEqualTo("mounts[3].options[1]");
    assertThat(e.reason()).isEqualTo("bad\nthing");
    assertThat(new OciException("config.json", "", "empty")).hasMessage("config.json: empty");
  }

  // ---------------------------------------------------------------------------------------------
  // ociVersion

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1.0.0", "1.0.1", "1.0.2-dev", "1.0.0-rc5-dev", "1.1.0-rc.1", "1.1.0", "1.2.0",
        "1.2.1", "1.3.0", "1.3.7+build.5", "1.3.0-0.3.7", "1.0.0-x-y-z.--"
      })
  void read_knownVersion_isAcceptedWithoutWarning(String version) throws Exception {
    OciConfig c = read("{\"ociVersion\":\"" + version + "\",\"root\":{\"path\":\"rootfs\"}}");

    assertThat(c.ociVersion()).isEqualTo(version);
    assertThat(c.warnings()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.4.0", "1.10.0-dev", "1.99999999999999999999.0"})
  void read_newerMinorVersion_isAcceptedWithAWarning(String version) throws Exception {
    OciConfig c = read("{\"ociVersion\":\"" + version + "\",\"root\":{\"path\":\"rootfs\"}}");

    assertThat(c.ociVersion()).isEqualTo(version);
    assertThat(c.warnings())
        .containsExactly(
            "config.json: ociVersion: \""
                + version
                + "\" is newer than the runtime-spec versions kvmount knows (1.0.0 to 1.3.x);"
                + " read as 1.3");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2.0.0", "0.5.0", "0.0.0", "10.0.0", "2.0.0-rc.1"})
  void read_otherMajorVersion_isRefused(String version) {
    assertThat(error("{\"ociVersion\":\"" + version + "\",\"root\":{\"path\":\"rootfs\"}}"))
        .isEqualTo(
            "config.json: ociVersion: \""
                + version
                + "\" is not supported (kvmount reads runtime-spec 1.0.0 to 1.3.x)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x", "", "1", "1.2", "1.2.3.4", "v1.2.0", "01.2.0", "1.02.0", "1.2.00", "1.2.0-",
        "1.2.0+", "1.2.0-01", "1.2.0-a..b", "1.2.0-a_b", "1.2.0+a+b", " 1.2.0", "1.2.0 ", "1.-2.0",
        "1.2.x", "1..0"
      })
  void read_notASemanticVersion_isRefused(String version) {
    assertThat(error("{\"ociVersion\":\"" + version + "\",\"root\":{\"path\":\"rootfs\"}}"))
        .isEqualTo(
            "config.json: ociVersion: \""
                + version
                + "\" is not a semantic version (such as \"1.2.0\")");
  }

  @Test
  void read_versionMissingOrNotAString_isRefused() {
    assertThat(error("{\"root\":{\"path\":\"rootfs\"}}"))
        .isEqualTo(
            "config.json: ociVersion: missing required field (the runtime-spec version, such as"
                + " \"1.2.0\")");
    assertThat(error("{\"ociVersion\":null,\"root\":{\"path\":\"rootfs\"}}"))
        .isEqualTo(
            "config.json: ociVersion: missing required field (the runtime-spec version, such as"
                + " \"1.2.0\")");
    assertThat(error("{\"ociVersion\":[\"1.2.0\"],\"root\":{\"path\":\"rootfs\"}}"))
        .isEqualTo("config.json: ociVersion: expected a string, got an array");
  }

  @Test
  void read_longVersion_isQuotedShort() {
    String v = "1.2.0-" + "a".repeat(300);
    assertThat(read_ok(v)).isEqualTo(v);
    assertThat(error("{\"ociVersion\":\"" + v + "!\",\"root\":{\"path\":\"rootfs\"}}"))
        .isEqualTo(
            "config.json: ociVersion: \"1.2.0-"
                + "a".repeat(114)
                + "\"... (307 characters) is not a semantic version (such as \"1.2.0\")");
  }

  private static String read_ok(String version) {
    try {
      return read("{\"ociVersion\":\"" + version + "\",\"root\":{\"path\":\"rootfs\"}}").ociVersion();
    } catch (OciException e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // root

  @Test
  void read_minimal_hasRootAndNoMounts() throws Exception {
    assertThat(read(cfg("")))
        .isEqualTo(new OciConfig("1.2.0", new Root("rootfs", false), List.of(), List.of()));
  }

  @Test
  void read_rootReadonlyAbsolutePath_isKept() throws Exception {
    OciConfig c =
        read("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/srv/b/rootfs\",\"readonly\":true}}");

    assertThat(c.root()).isEqualTo(new Root("/srv/b/rootfs", true));
  }

  @Test
  void read_rootReadonlyNull_isFalse() throws Exception {
    assertThat(read("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\",\"readonly\":null}}").root())
        .isEqualTo(new Root("r", false));
  }

  @Test
  void read_rootProblems_areRefused() {
    assertThat(error("{\"ociVersion\":\"1.2.0\"}"))
        .isEqualTo(
            "config.json: root: missing required field (the bundle's root filesystem, such as"
                + " {\"path\": \"rootfs\"})");
    assertThat(error("{\"ociVersion\":\"1.2.0\",\"root\":[]}"))
        .isEqualTo("config.json: root: expected an object, got an array");
    assertThat(error("{\"ociVersion\":\"1.2.0\",\"root\":{}}"))
        .isEqualTo(
            "config.json: root.path: missing required field (the root filesystem's directory,"
                + " absolute or relative to the bundle)");
    assertThat(error("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":null}}"))
        .isEqualTo(
            "config.json: root.path: missing required field (the root filesystem's directory,"
                + " absolute or relative to the bundle)");
    assertThat(error("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"\"}}"))
        .isEqualTo(
            "config.json: root.path: must not be empty (the root filesystem's directory,"
                + " absolute or relative to the bundle)");
    assertThat(error("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":true}}"))
        .isEqualTo("config.json: root.path: expected a string, got a boolean");
    assertThat(error("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\\tfs\"}}"))
        .isEqualTo("config.json: root.path: \"r\\tfs\" contains a control character (\\t)");
    assertThat(error("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\",\"readonly\":1}}"))
        .isEqualTo("config.json: root.readonly: expected a boolean, got a number");
  }

  // ---------------------------------------------------------------------------------------------
  // mounts

  @Test
  void read_mountWithEveryField_isKept() throws Exception {
    OciConfig c =
        read(
            mounts(
                "{\"destination\":\"/data\",\"type\":\"none\",\"source\":\"/srv/data\","
                    + "\"options\":[\"rbind\",\"ro\",\"idmap\"],"
                    + "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
                    + "\"gidMappings\":[{\"containerID\":1,\"hostID\":4294967295,\"size\":0}]}"));

    assertThat(c.mounts())
        .containsExactly(
            new OciMount(
                "/data",
                Optional.of("/srv/data"),
                Optional.of("none"),
                List.of("rbind", "ro", "idmap"),
                Optional.of(List.of(new IdMapping(0, 100000, 65536))),
                Optional.of(List.of(new IdMapping(1, 4294967295L, 0)))));
    assertThat(c.mounts().get(0).isBind()).isTrue();
  }

  @Test
  void read_mounts_keepListedOrderAndDuplicates() throws Exception {
    OciConfig c =
        read(
            mounts(
                "{\"destination\":\"/b\"}",
                "{\"destination\":\"/a\"}",
                "{\"destination\":\"/b\"}",
                "{\"destination\":\"/a/x\"}"));

    assertThat(c.mounts()).extracting(OciMount::destination).containsExactly("/b", "/a", "/b", "/a/x");
  }

  @Test
  void read_destinationsThePlannerJudges_areReadAsWritten() throws Exception {
    OciConfig c =
        read(
            mounts(
                "{\"destination\":\"data\"}",
                "{\"destination\":\"/a/../../etc\"}",
                "{\"destination\":\"//x/./y/\"}",
                "{\"destination\":\"/d\",\"type\":\"unknownfs\",\"options\":[\"\",\"x=1,y\"]}"));

    assertThat(c.mounts())
        .extracting(OciMount::destination)
        .containsExactly("data", "/a/../../etc", "//x/./y/", "/d");
    assertThat(c.mounts().get(3).options()).containsExactly("", "x=1,y");
  }

  @Test
  void read_nullOptionalFields_areAbsent() throws Exception {
    OciConfig c =
        read(
            cfg(
                ",\"mounts\":[{\"destination\":\"/d\",\"source\":null,\"type\":null,"
                    + "\"options\":null,\"uidMappings\":null,\"gidMappings\":null}]"));

    assertThat(c.mounts()).containsExactly(mount("/d"));
    assertThat(read(cfg(",\"mounts\":null")).mounts()).isEmpty();
    assertThat(read(cfg(",\"mounts\":[]")).mounts()).isEmpty();
  }

  @Test
  void read_oneMappingListNull_isLikeAbsent() {
    assertThat(
            error(
                mounts(
                    "{\"destination\":\"/d\",\"uidMappings\":[],\"gidMappings\":null}")))
        .isEqualTo(
            "config.json: mounts[0].gidMappings: missing (the mount has uidMappings;"
                + " runtime-spec requires uidMappings and gidMappings together)");
  }

  @Test
  void read_emptyMappings_areKeptAsEmpty() throws Exception {
    OciMount m =
        read(mounts("{\"destination\":\"/d\",\"uidMappings\":[],\"gidMappings\":[]}")).mounts().get(0);

    assertThat(m.uidMappings()).contains(List.of());
    assertThat(m.gidMappings()).contains(List.of());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"destination\":\"/d\",\"uidMappings\":[{\"hostID\":0,\"size\":1}],\"gidMappings\":[]}"
            + " | mounts[0].uidMappings[0].containerID: missing required field (the first id in"
            + " the mount)",
        "{\"destination\":\"/d\",\"uidMappings\":[{\"containerID\":0,\"size\":1}],\"gidMappings\":[]}"
            + " | mounts[0].uidMappings[0].hostID: missing required field (the first id on the"
            + " host)",
        "{\"destination\":\"/d\",\"uidMappings\":[{\"containerID\":0,\"hostID\":0}],\"gidMappings\":[]}"
            + " | mounts[0].uidMappings[0].size: missing required field (how many ids are mapped)",
        "{\"destination\":\"/d\",\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":null}],"
            + "\"gidMappings\":[]} | mounts[0].uidMappings[0].size: missing required field (how"
            + " many ids are mapped)",
        "{\"destination\":\"/d\",\"uidMappings\":[7],\"gidMappings\":[]}"
            + " | mounts[0].uidMappings[0]: expected an object, got a number",
        "{\"destination\":\"/d\",\"uidMappings\":[],\"gidMappings\":[{\"containerID\":0,"
            + "\"hostID\":-5,\"size\":1}]} | mounts[0].gidMappings[0].hostID: -5 is outside"
            + " 0..4294967295",
        "{\"destination\":\"/d\",\"uidMappings\":[],\"gidMappings\":[{\"containerID\":0,"
            + "\"hostID\":0,\"size\":99999999999999999999999}]} | mounts[0].gidMappings[0].size:"
            + " 99999999999999999999999 is outside 0..4294967295",
        "{\"destination\":\"/d\",\"uidMappings\":[],\"gidMappings\":[{\"containerID\":0,"
            + "\"hostID\":0,\"size\":1e3}]} | mounts[0].gidMappings[0].size: expected an integer,"
            + " got the number 1e3",
        "{\"destination\":\"/d\",\"uidMappings\":[],\"gidMappings\":[{\"containerID\":true,"
            + "\"hostID\":0,\"size\":1}]} | mounts[0].gidMappings[0].containerID: expected an"
            + " integer, got a boolean",
        "{\"destination\":\"/d\",\"gidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":1}]}"
            + " | mounts[0].uidMappings: missing (the mount has gidMappings; runtime-spec requires"
            + " uidMappings and gidMappings together)",
        "{\"source\":\"/s\"} | mounts[0].destination: missing required field (the mount's path in"
            + " the container)",
        "{\"destination\":null} | mounts[0].destination: missing required field (the mount's"
            + " path in the container)",
        "{\"destination\":\"\"} | mounts[0].destination: must not be empty (the mount's path in"
            + " the container)",
        "{\"destination\":{}} | mounts[0].destination: expected a string, got an object",
        "{\"destination\":\"/d\",\"source\":5} | mounts[0].source: expected a string, got a number",
        "{\"destination\":\"/d\",\"type\":[]} | mounts[0].type: expected a string, got an array",
        "{\"destination\":\"/d\",\"options\":{}} | mounts[0].options: expected an array, got an"
            + " object",
        "{\"destination\":\"/d\",\"options\":[\"ro\",[]]} | mounts[0].options[1]: expected a"
            + " string, got an array",
        "{\"destination\":\"/d\\u0000\"} | mounts[0].destination: \"/d\\x00\" contains a control"
            + " character (\\x00)",
        "{\"destination\":\"/d\",\"source\":\"/s\\u001b[31m\"} | mounts[0].source: \"/s\\x1b[31m\""
            + " contains a control character (\\x1b)",
        "{\"destination\":\"/d\",\"type\":\"tmpfs\\r\"} | mounts[0].type: \"tmpfs\\r\" contains a"
            + " control character (\\r)",
        "{\"destination\":\"/d\",\"options\":[\"ro\",\"size=1\\u007f\"]} | mounts[0].options[1]:"
            + " \"size=1\\x7f\" contains a control character (\\x7f)",
        "{\"destination\":\"/d\",\"options\":[\"\\udc00\"]} | mounts[0].options[0]: \"\\uDC00\""
            + " contains an unpaired surrogate (\\uDC00), which is not Unicode text",
      })
  void read_badMount_isRefusedNamingTheField(String mount, String expected) {
    assertThat(error(mounts("{\"destination\":\"/proc\",\"type\":\"proc\"}", mount)))
        .isEqualTo("config.json: " + expected.replace("mounts[0]", "mounts[1]"));
  }

  @Test
  void read_nonAsciiAndPairedSurrogates_areAccepted() throws Exception {
    OciMount m =
        read(mounts("{\"destination\":\"/dätä/\\ud83d\\ude00\",\"source\":\"/srv/\u00e9\"}"))
            .mounts()
            .get(0);

    assertThat(m.destination()).isEqualTo("/dätä/\ud83d\ude00");
    assertThat(m.source()).contains("/srv/\u00e9");
  }

  // ---------------------------------------------------------------------------------------------
  // Keys

  @Test
  void read_keysInOtherCase_matchLikeGo() throws Exception {
    OciConfig c =
        read(
            "{\"OCIVERSION\":\"1.1.0\",\"Root\":{\"Path\":\"rootfs\",\"readOnly\":true},"
                + "\"Mounts\":[{\"Destination\":\"/d\",\"SOURCE\":\"/s\",\"Type\":\"none\","
                + "\"Options\":[\"bind\"],\"UIDMappings\":[{\"containerid\":1,\"HOSTID\":2,"
                + "\"Size\":3}],\"gidmappings\":[]}]}");

    assertThat(c)
        .isEqualTo(
            new OciConfig(
                "1.1.0",
                new Root("rootfs", true),
                List.of(
                    new OciMount(
                        "/d",
                        Optional.of("/s"),
                        Optional.of("none"),
                        List.of("bind"),
                        Optional.of(List.of(new IdMapping(1, 2, 3))),
                        Optional.of(List.of())))));
  }

  @Test
  void read_longSInKey_foldsLikeGo() throws Exception {
    // Go's simple folding: U+017F LONG S folds to "s", so "\u017Fource" is "source".
    assertThat(read(mounts("{\"destination\":\"/d\",\"\u017Fource\":\"/s\"}")).mounts().get(0).source())
        .contains("/s");
  }

  @Test
  void read_duplicateKeys_areRefused() {
    assertThat(error(cfg(",\"ociVersion\":\"1.2.0\"")))
        .isEqualTo("config.json: ociVersion: duplicate key \"ociVersion\"");
    assertThat(error(mounts("{\"destination\":\"/a\",\"DESTINATION\":\"/a\"}")))
        .isEqualTo(
            "config.json: mounts[0].destination: duplicate key \"DESTINATION\" (also"
                + " \"destination\"; keys match case-insensitively, as in OCI runtime-spec)");
    assertThat(error(cfg(",\"hooks\":{\"prestart\":[{\"path\":\"/a\",\"path\":\"/b\"}]}")))
        .isEqualTo("config.json: hooks.prestart[0].path: duplicate key \"path\"");
    assertThat(error(cfg(",\"x\":1,\"x\":2"))).isEqualTo("config.json: x: duplicate key \"x\"");
  }

  @Test
  void read_unknownKeysEverywhere_areSkipped() throws Exception {
    OciConfig c =
        read(
            "{\"ociVersion\":\"1.2.0\",\"process\":{\"terminal\":true,\"user\":{\"uid\":0},"
                + "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"capabilities\":{\"bounding\":[]},"
                + "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}]},"
                + "\"root\":{\"path\":\"rootfs\",\"extra\":[1,2.5,null,false]},"
                + "\"hostname\":\"h\",\"domainname\":\"d\",\"annotations\":{\"a\":\"b\"},"
                + "\"hooks\":{\"createRuntime\":[{\"path\":\"/bin/true\"}]},"
                + "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"maskedPaths\":[\"/proc/kcore\"],"
                + "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}},"
                + "\"mounts\":[{\"destination\":\"/d\",\"future\":{\"x\":[[]]}}],"
                + "\"vm\":{\"hypervisor\":{\"path\":\"/q\"}}}");

    assertThat(c).isEqualTo(new OciConfig("1.2.0", new Root("rootfs", false), List.of(mount("/d")), List.of(),
        new OciConfig.Linux(Optional.empty(), List.of("/proc/kcore"), List.of())));
  }

  @Test
  void read_linuxRootfsFields() throws Exception {
    OciConfig c = read("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"linux\":{\"rootfsPropagation\":"
        + "\"rslave\",\"maskedPaths\":[\"/proc/kcore\",\"/sys/firmware\"],\"readonlyPaths\":[\"/proc/sys\"],"
        + "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}");
    assertThat(c.linux()).isEqualTo(new OciConfig.Linux(Optional.of("rslave"), List.of("/proc/kcore", "/sys/firmware"),
        List.of("/proc/sys")));
    assertThatThrownBy(() -> read("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"linux\":"
        + "{\"rootfsPropagation\":\"sideways\"}}"))
        .hasMessage("config.json: linux.rootfsPropagation: \"sideways\" is not a propagation (shared, slave, private"
            + " or unbindable, or their r forms)");
    assertThatThrownBy(() -> read("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"linux\":"
        + "{\"maskedPaths\":[\"/a\",\"proc/kcore\"]}}"))
        .hasMessage("config.json: linux.maskedPaths[1]: \"proc/kcore\" is not an absolute path (runtime-spec:"
            + " absolute paths in the container)");
  }

  // ---------------------------------------------------------------------------------------------
  // Limits

  @Test
  void read_stringOverTheLimit_isRefused() throws Exception {
    String ok = "/" + "a".repeat(OciReader.MAX_STRING_LENGTH - 1);
    assertThat(read(mounts("{\"destination\":\"" + ok + "\"}")).mounts().get(0).destination())
        .isEqualTo(ok);

    String json = mounts("{\"destination\":\"" + ok + "a\"}");
    assertThat(error(json))
        .isEqualTo(
            "config.json: mounts[0].destination: string of 65537 characters is longer than the"
                + " limit of 65536 (line 1, column "
                + (json.indexOf("\"}]}") + 2)
                + ")");
  }

  @Test
  void read_longStringInSkippedKey_isRefused() {
    String json = cfg(",\"annotations\":{\"k\":\"" + "v".repeat(OciReader.MAX_STRING_LENGTH + 1) + "\"}");
    assertThat(error(json))
        .startsWith(
            "config.json: annotations.k: string of 65537 characters is longer than the limit of"
                + " 65536");
    String key = cfg(",\"" + "k".repeat(OciReader.MAX_STRING_LENGTH + 1) + "\":1");
    assertThat(error(key)).contains("string of 65537 characters is longer than the limit of 65536");
  }

  @Test
  void read_nestingDeeperThanTheLimit_isRefused() throws Exception {
    int ok = OciReader.MAX_DEPTH - 2; // the top-level object and "linux" count too
    read(cfg(",\"linux\":{\"x\":" + "[".repeat(ok) + "]".repeat(ok) + "}"));

    int bad = ok + 1;
    assertThat(error(cfg(",\"linux\":{\"x\":" + "[".repeat(bad) + "]".repeat(bad) + "}")))
        .startsWith(
            "config.json: linux.x"
                + "[0]".repeat(bad - 2) // the path of the array holding the one too deep
                + ": nesting deeper than 64 levels (line 1, column ");
  }

  @Test
  void read_tooManyMounts_isRefused() throws Exception {
    String[] m = new String[OciReader.MAX_MOUNTS];
    Arrays.fill(m, "{\"destination\":\"/d\"}");
    assertThat(read(mounts(m)).mounts()).hasSize(OciReader.MAX_MOUNTS);

    String[] more = Arrays.copyOf(m, OciReader.MAX_MOUNTS + 1);
    more[OciReader.MAX_MOUNTS] = "{\"destination\":\"/d\"}";
    assertThat(error(mounts(more)))
        .isEqualTo("config.json: mounts[10000]: too many mounts (at most 10000)");
  }

  @Test
  void read_tooManyOptionsOrMappings_isRefused() {
    String options = String.join(",", java.util.Collections.nCopies(1001, "\"ro\""));
    assertThat(error(mounts("{\"destination\":\"/d\",\"options\":[" + options + "]}")))
        .isEqualTo(
            "config.json: mounts[0].options[1000]: too many options in one mount (at most 1000)");
    String maps =
        String.join(
            ",", java.util.Collections.nCopies(1001, "{\"containerID\":0,\"hostID\":0,\"size\":1}"));
    assertThat(
            error(
                mounts("{\"destination\":\"/d\",\"uidMappings\":[" + maps + "],\"gidMappings\":[]}")))
        .isEqualTo(
            "config.json: mounts[0].uidMappings[1000]: too many id mappings in one mount (at most"
                + " 1000)");
  }

  @Test
  void read_documentOverTheSizeLimit_isRefusedBeforeParsing() {
    byte[] json = new byte[OciReader.MAX_DOCUMENT_BYTES + 1];
    Arrays.fill(json, (byte) ' ');

    assertThat(error(json))
        .isEqualTo(
            "config.json: document of 67108865 bytes is larger than the limit of 67108864 bytes");
  }

  @Test
  void read_sourceWithLineBreak_isEscapedInMessages() {
    OciException e =
        catchThrowableOfType(
            OciException.class,
            () -> OciReader.read("{}".getBytes(StandardCharsets.UTF_8), "a\nconfig.json"));
    assertThat(e)
        .hasMessage(
            "a\\nconfig.json: ociVersion: missing required field (the runtime-spec version, such"
                + " as \"1.2.0\")");
  }
}
