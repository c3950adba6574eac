package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every message names its place (issue 23): the file and field of a host source, the nearest
 * declared name, what a non-JSON file looks like, an unknown {@code acVersion}, options that do
 * nothing, unknown words, and help for each command. Bad input is one line, exit 3, nothing
 * written; usage errors exit 2.
 */
class MessagePlaceTest {
  @TempDir Path tmp;
  Path stage1;
  Path uploads;

  @BeforeEach
  void setUp() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    uploads = Files.createDirectories(tmp.resolve("host/uploads"));
  }

  /** A pod whose app mounts {@code mountVolume} at /srv, with volumes "site" (missing) and "uploads". */
  private Path pod(String acVersion, String mountVolume, String siteSource) throws Exception {
    Path pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"" + acVersion + "\","
        + "\"volumes\":[{\"name\":\"uploads\",\"kind\":\"host\",\"source\":\"" + uploads + "\"},"
        + "{\"name\":\"site\",\"kind\":\"host\",\"source\":\"" + siteSource + "\"}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"" + mountVolume + "\",\"path\":\"/srv\"}]}]}");
    return pod;
  }

  private List<Path> stage1Tree() throws Exception {
    try (Stream<Path> s = Files.walk(stage1)) {
      return s.filter(p -> !p.equals(stage1)).toList();
    }
  }

  private CliRunner.Result generate(Path pod, String... more) {
    List<String> argv = new ArrayList<>(List.of("generate", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString()));
    argv.addAll(List.of(more));
    return CliRunner.run(argv.toArray(new String[0]));
  }

  private static void assertOneLineError(CliRunner.Result r, int exit, String line) {
    assertThat(r.exit()).as(r.err()).isEqualTo(exit);
    assertThat(r.err().lines().toList()).first().isEqualTo(line);
    if (exit == 3) {
      assertThat(r.err().lines()).hasSize(1);
    }
  }

  @Test
  void missingHostSource_namesFileAndField_exit3_nothingWritten() throws Exception {
    Path pod = pod("0.8.11", "uploads", tmp + "/host/nope");
    CliRunner.Result r = generate(pod);
    assertOneLineError(r, 3, "kvmount: " + pod + ": volumes[1].source: \"" + tmp
        + "/host/nope\" does not exist; create it, or fix the path");
    assertThat(stage1Tree()).isEmpty();
  }

  @Test
  void missingHostSource_allowed_isAWarningNamingTheField() throws Exception {
    Path pod = pod("0.8.11", "uploads", tmp + "/host/nope");
    CliRunner.Result r = generate(pod, "--allow-missing-sources", "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("kvmount: warning: " + pod + ": volumes[1].source: \"" + tmp + "/host/nope\" does"
        + " not exist");
  }

  @Test
  void hostSourceNotADirectory_namesFileAndField() throws Exception {
    Path file = Files.writeString(tmp.resolve("host/file"), "x");
    Path pod = pod("0.8.11", "uploads", file.toString());
    CliRunner.Result r = generate(pod);
    assertOneLineError(r, 3, "kvmount: " + pod + ": volumes[1].source: \"" + file + "\" is a single file, but one"
        + " share per volume (--share per-volume) exports directories only (9p and virtio-fs share a directory); use"
        + " --share pod --share-dir DIR, which bind-mounts single files");
  }

  @Test
  void missingAppVolumeSource_namesTheAppVolumeField() throws Exception {
    Path pod = tmp.resolve("inline.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[{\"volume\":\"v\",\"path\":\"/v\","
        + "\"appVolume\":{\"name\":\"v\",\"kind\":\"host\",\"source\":\"" + tmp + "/gone\"}}]}]}");
    CliRunner.Result r = generate(pod);
    assertOneLineError(r, 3, "kvmount: " + pod + ": apps[0].mounts[0].appVolume.source: \"" + tmp
        + "/gone\" does not exist; create it, or fix the path");
  }

  @Test
  void undeclaredVolume_suggestsTheNearestDeclaredOne() throws Exception {
    Path pod = pod("0.8.11", "upload", uploads.toString());
    CliRunner.Result r = generate(pod);
    assertOneLineError(r, 3, "kvmount: " + pod + ": apps[0].mounts[0].volume: volume \"upload\" is not declared in"
        + " \"volumes\" (and the mount has no \"appVolume\"); did you mean \"uploads\"?");
    assertThat(stage1Tree()).isEmpty();
  }

  @Test
  void undeclaredVolume_farFromEveryName_hasNoSuggestion() throws Exception {
    Path pod = pod("0.8.11", "database", uploads.toString());
    CliRunner.Result r = generate(pod);
    assertOneLineError(r, 3, "kvmount: " + pod + ": apps[0].mounts[0].volume: volume \"database\" is not declared"
        + " in \"volumes\" (and the mount has no \"appVolume\")");
  }

  @Test
  void imageManifestForAnAppNotInThePod_suggestsTheApp() throws Exception {
    Path pod = pod("0.8.11", "uploads", uploads.toString());
    Path image = tmp.resolve("image.json");
    Files.writeString(image, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/web\"}");
    CliRunner.Result r = generate(pod, "--image-manifest", "wbe=" + image);
    assertThat(Files.exists(tmp.resolve("host/nope"))).isFalse();
    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).contains("image manifest given for app \"wbe\", which is not in the pod; did you mean \"web\"?");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "yaml key        | acKind: PodManifest\\nacVersion: 0.8.11\\n | looks like YAML (it starts with \"acKind: PodManifest\")",
    "yaml document   | ---\\nacKind: PodManifest\\n               | looks like YAML (it starts with \"---\")",
    "yaml list       | - name: web\\n                             | looks like YAML (it starts with \"- name: web\")",
    "yaml comment    | # pod\\nacKind: PodManifest\\n             | looks like YAML (it starts with \"# pod\")",
    "xml             | <?xml version=\"1.0\"?>\\n<pod/>\\n        | looks like XML (it starts with \"<?xml version=\\\"1.0\\\"?>\")",
    "json comments   | // pod\\n{}\\n                            | looks like JSON with comments (JSON has none) (it starts with \"// pod\")",
    "toml-ish        | acKind = \"PodManifest\"\\n                | does not start like JSON (it starts with \"acKind = \\\"PodManifest\\\"\")",
  })
  void nonJsonFile_saysWhatItLooksLikeAndThatKvmountReadsJson_exit3(String name, String text, String looks)
      throws Exception {
    Path pod = tmp.resolve("pod.yaml");
    Files.writeString(pod, text.replace("\\n", "\n"));
    CliRunner.Result r = generate(pod);
    assertOneLineError(r, 3, "kvmount: " + pod + ": not JSON: the document " + looks + "; kvmount reads JSON only:"
        + " an appc document is a JSON object ({\"key\": value, ...}); convert the file to JSON");
    assertThat(stage1Tree()).isEmpty();
  }

  @Test
  void nonJsonConfigJson_namesTheBundleFile() throws Exception {
    Path bundle = Files.createDirectories(tmp.resolve("b/web"));
    Files.createDirectories(bundle.resolve("rootfs"));
    Files.writeString(bundle.resolve("config.json"), "ociVersion: 1.2.0\nroot:\n  path: rootfs\n");
    CliRunner.Result r = CliRunner.run("generate", "--oci-bundle", "web=" + bundle, "--stage1-rootfs",
        stage1.toString());
    assertOneLineError(r, 3, "kvmount: " + bundle.resolve("config.json") + ": not JSON: the document looks like YAML"
        + " (it starts with \"ociVersion: 1.2.0\"); kvmount reads JSON only: an OCI runtime-spec document is a JSON"
        + " object ({\"key\": value, ...}); convert the file to JSON");
  }

  @Test
  void unknownAcVersion_warnsOnceAndProceeds() throws Exception {
    Path pod = pod("0.9.0", "uploads", uploads.toString());
    CliRunner.Result r = generate(pod);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.contains("acVersion")).toList()).containsExactly(
        "kvmount: warning: " + pod + ": acVersion: \"0.9.0\" is not an appc version kvmount knows (0.1.0 to 0.8.11,"
            + " the last appc release); read by the rules of 0.8.11");
    assertThat(stage1.resolve("usr/lib/systemd/system/mnt-uploads.mount")).exists();
  }

  @ParameterizedTest
  @CsvSource({"0.8.11", "0.7.1", "0.3.0", "0.8.11+git", "0.8.0-rc1"})
  void knownAcVersion_noWarning(String version) throws Exception {
    Path pod = pod(version, "uploads", uploads.toString());
    CliRunner.Result r = generate(pod, "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).doesNotContain("acVersion");
  }

  @Test
  void aHostVolumeNoAppMounts_isNamedInAWarning() throws Exception {
    // The pod's volume "site" is mounted by no app (its mount names "uploads" only).
    Path pod = pod("0.8.11", "uploads", uploads.toString());
    CliRunner.Result r = generate(pod, "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err().lines().toList()).containsExactly("kvmount: warning: " + pod + ": volumes[1]: host volume"
        + " \"site\" is shared but no app mounts it: no mount names it and no known mount point has its name (give"
        + " the image manifest of the app that needs it with --image-manifest, or check the names)");
  }

  @Test
  void optionsThatDoNothing_warnOnceEach() throws Exception {
    Path pod = pod("0.8.11", "uploads", uploads.toString());
    CliRunner.Result r = generate(pod, "--dry-run", "--guest-memory", "2G", "--runtime-dir", "/run/x",
        "--virtiofsd-cache", "never", "--reserve-tag", "a", "--reserve-tag", "b");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> !l.contains("no app mounts it")).toList()).containsExactly(
        "kvmount: warning: --runtime-dir is for virtio-fs (--transport virtiofs); over --transport 9p it does nothing",
        "kvmount: warning: --guest-memory is for virtio-fs (--transport virtiofs); over --transport 9p it does nothing",
        "kvmount: warning: --virtiofsd-cache is for virtio-fs (--transport virtiofs); over --transport 9p it does"
            + " nothing");

    r = generate(pod, "--dry-run", "--transport", "virtiofs", "--9p-msize", "8192", "--9p-cache", "none",
        "--security-model", "mapped-xattr", "--oci-rootfs", "stage1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.contains(" it does nothing")).toList()).containsExactly(
        "kvmount: warning: --9p-msize is for 9p (--transport 9p); over --transport virtiofs it does nothing",
        "kvmount: warning: --9p-cache is for 9p (--transport 9p); over --transport virtiofs it does nothing",
        "kvmount: warning: --security-model is for QEMU's 9p (--hypervisor qemu --transport 9p); over --transport"
            + " virtiofs it does nothing",
        "kvmount: warning: --oci-rootfs is for --oci-bundle; with --pod-manifest it does nothing");

    r = generate(pod, "--dry-run", "--hypervisor", "lkvm", "--qemu-machine", "q35", "--security-model", "none");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.contains(" it does nothing")).toList()).containsExactly(
        "kvmount: warning: --security-model is for QEMU's 9p (--hypervisor qemu --transport 9p); with --hypervisor"
            + " lkvm it does nothing",
        "kvmount: warning: --qemu-machine is for --hypervisor qemu; with --hypervisor lkvm it does nothing");

    // The same options where they do something: no warning; -q silences the others.
    r = generate(pod, "--dry-run", "--transport", "virtiofs", "--guest-memory", "2G", "--runtime-dir", "/run/x");
    assertThat(r.err()).doesNotContain("does nothing");
    r = generate(pod, "--dry-run", "-q", "--guest-memory", "2G");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void verify_warnsForOptionsThatDoNothingToo() throws Exception {
    Path pod = pod("0.8.11", "uploads", uploads.toString());
    assertThat(generate(pod).exit()).isZero();
    CliRunner.Result r = CliRunner.run("verify", "--pod-manifest", pod.toString(), "--stage1-rootfs",
        stage1.toString(), "--no-systemd-analyze", "--guest-memory", "2G");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.err()).contains("kvmount: warning: --guest-memory is for virtio-fs (--transport virtiofs); over"
        + " --transport 9p it does nothing");
  }

  @Test
  void helpGenerate_printsGeneratesHelp_exit0() {
    CliRunner.Result help = CliRunner.run("help", "generate");
    CliRunner.Result own = CliRunner.run("generate", "--help");
    assertThat(help.exit()).as(help.err()).isZero();
    assertThat(help.out()).startsWith("Usage: kvmount generate ").isEqualTo(own.out());
    assertThat(CliRunner.run("help").out()).startsWith("Usage: kvmount ").contains("help");
  }

  @Test
  void helpOfAnUnknownCommand_isAUsageError() {
    CliRunner.Result r = CliRunner.run("help", "generat");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("generat");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
    "frobnicate generate --pod-manifest p.json | kvmount: unknown word \"frobnicate\": not a subcommand of kvmount"
        + " (generate, verify, release, escape, completion, help)| Try 'kvmount --help' for more information.",
    "generat                                   | kvmount: unknown word \"generat\": not a subcommand of kvmount"
        + " (generate, verify, release, escape, completion, help); did you mean \"generate\"?"
        + "| Try 'kvmount --help' for more information.",
    "release foo                               | kvmount: unknown word \"foo\": kvmount release takes no words besides"
        + " its options| Try 'kvmount release --help' for more information.",
    "generate foo bar --stage1-rootfs s        | kvmount: unknown word \"foo\": kvmount generate takes no words besides"
        + " its options (and 1 more unknown word)| Try 'kvmount generate --help' for more information.",
    "generate --pod-manfest p.json             | kvmount: unknown option \"--pod-manfest\" for kvmount generate; did you"
        + " mean \"--pod-manifest\"?| Try 'kvmount generate --help' for more information.",
    "generate --pod-manfest p.json x           | kvmount: unknown option \"--pod-manfest\" for kvmount generate; did you"
        + " mean \"--pod-manifest\"? (and 1 more unknown word)| Try 'kvmount generate --help' for more information.",
    "generate pod.json stage1                  | kvmount: unknown word \"pod.json\": kvmount generate takes no words"
        + " besides its options; a pod manifest is given as --pod-manifest pod.json (and 1 more unknown word)"
        + "| Try 'kvmount generate --help' for more information.",
    "generate --image-manifest db.json         | kvmount: --image-manifest takes APP=FILE, not \"db.json\": name the"
        + " app it is for, as in --image-manifest APP=db.json| Try 'kvmount generate --help' for more information.",
    "verify --stage1-rotfs=s                   | kvmount: unknown option \"--stage1-rotfs=s\" for kvmount verify; did"
        + " you mean \"--stage1-rootfs\"?| Try 'kvmount verify --help' for more information.",
  })
  void unknownWord_isAUsageErrorNamingIt(String args, String line1, String line2) {
    CliRunner.Result r = CliRunner.run(args.split(" "));
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err().lines().toList()).containsExactly(line1.strip(), line2.strip());
    assertThat(r.out()).isEmpty();
  }

  @Test
  void verifyHelp_describesVerifysOptionsTruly() {
    CliRunner.Result r = CliRunner.run("verify", "--help");
    assertThat(r.exit()).isZero();
    String help = r.out().replaceAll("\\s+", " ");
    // Texts true only of generate (it prints arguments and daemon lines, creates the share directory).
    assertThat(help).doesNotContain("whose arguments are printed").doesNotContain("printed daemon lines")
        .doesNotContain("created if missing").doesNotContain("Where unit files go");
    assertThat(help).contains("--stage1-rootfs=DIR The stage1 rootfs kvmount generate wrote into.")
        .contains("verify checks its host binds")
        .contains("Where the unit files are, relative to the stage1 rootfs");
  }
}
