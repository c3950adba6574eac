package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden tests of {@code generate --oci-bundle} over the {@code config.json} files real engines
 * write ({@code runc spec}, {@code crun spec}, podman; made afresh by {@link EngineConfigs}) and
 * the runtime-spec style example config (issue 20). For each case in {@link #CASES} the expected
 * outputs live in {@code src/test/resources/golden-oci/<case>/} (see the README there): the
 * dry run's text report, {@code --format json}, {@code --format dot} and warnings, and the unit
 * files and stage1 tree a real run writes; {@code -Dgolden.update=true} rewrites them.
 *
 * <p>Every temp path, container id, layer id and time is replaced by a placeholder before
 * comparing ({@code @TMP@} for the case's temp directory, {@link EngineConfigs#placeholders} for
 * the engines' own), and the text report's tables are re-aligned after the replacement, so the
 * expectations do not depend on the length of a temp path. Podman orders mounts of one depth
 * randomly (see {@code engine-configs/README.md}): the test sorts each podman config's mounts
 * stably by (depth, destination) before use, so {@code mounts[N]} in the expectations is an
 * index into that sorted list.
 *
 * <p>The real run uses the case's share strategy; with the pod share it bind-mounts on the host
 * (root, which {@link EngineConfigs} needs anyway) and {@code kvmount release} always runs after
 * it. The written units are then checked by {@code kvmount verify} and by the real {@code
 * systemd-analyze verify}.
 */
class OciGoldenOutputTest {
  static final Path DIR = Path.of("src/test/resources/golden-oci");
  static final boolean UPDATE = Boolean.getBoolean("golden.update");
  static final ObjectMapper JSON = new ObjectMapper();
  /** The pod share option of a case: replaced by the case's share directory. */
  static final String SHARE = "--share-dir=@SHARE@";

  /**
   * One app of a case.
   *
   * @param name the app name ({@code --oci-bundle NAME=...})
   * @param source {@code runc}, {@code crun}, {@code podman:<case>} or {@code example}
   * @param edited for runc and crun: add the binds, file bind and tmpfs of {@link #edit}
   */
  record App(String name, String source, boolean edited) {}

  /**
   * One golden case.
   *
   * @param name the directory under {@link #DIR}
   * @param apps the bundles, in pod order
   * @param args further {@code generate} options ({@link #SHARE} for the pod share)
   * @param exit the expected exit status; not 0: only the warnings are compared, no real run
   */
  record Case(String name, List<App> apps, List<String> args, int exit) {}

  static final List<Case> CASES = List.of(
      new Case("runc-spec", List.of(new App("app", "runc", false)), List.of(), 0),
      new Case("runc-edited", List.of(new App("app", "runc", true)), List.of(SHARE), 0),
      new Case("crun", List.of(new App("plain", "crun", false), new App("edited", "crun", true)),
          List.of(SHARE), 0),
      new Case("podman-apps", List.of(new App("vol", "podman:volume", false),
          new App("tmp", "podman:tmpfs", false), new App("ro", "podman:read-only", false)), List.of(SHARE), 0),
      new Case("podman-mounts", List.of(new App("volro", "podman:volume-ro", false),
          new App("file", "podman:mount-file", false)), List.of(SHARE), 0),
      new Case("podman-all", List.of(new App("web", "podman:all", false)), List.of(SHARE), 0),
      new Case("podman-host-net-stage1", List.of(new App("net", "podman:host-net", false)),
          List.of(SHARE, "--oci-rootfs=stage1"), 0),
      new Case("podman-per-volume-refused", List.of(new App("vol", "podman:volume", false)), List.of(), 3),
      new Case("runtime-spec-example", List.of(new App("example", "example", false)), List.of(), 0));

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> goldenOutputs() {
    return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  /** Every case has a directory and every directory a case (no stale expectations). */
  @TestFactory
  Stream<DynamicTest> everyDirectoryIsACase() throws IOException {
    List<String> dirs;
    try (Stream<Path> s = Files.list(DIR)) {
      dirs = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
    return Stream.of(DynamicTest.dynamicTest("cases", () ->
        assertThat(dirs).containsExactlyInAnyOrderElementsOf(CASES.stream().map(Case::name).toList())));
  }

  /**
   * With nothing to replace, {@link #realign} gives back the report as {@code Output.Table} printed
   * it: checked on every appc text golden, so the re-alignment cannot hide a layout change.
   */
  @TestFactory
  Stream<DynamicTest> realignWithoutPlaceholdersChangesNothing() throws IOException {
    assertThat(GoldenOutputTest.cases().stream().filter(c -> read(c.resolve("text.txt")).contains("  TARGET  ")))
        .hasSizeGreaterThanOrEqualTo(5);
    return GoldenOutputTest.cases().stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      String text = Files.readString(c.resolve("text.txt"), StandardCharsets.UTF_8);
      assertThat(realign(text, Map.of())).isEqualTo(text);
    }));
  }

  private void check(Case c) throws Exception {
    Path expected = DIR.resolve(c.name());
    Path work = tmp.resolve(c.name());
    Files.createDirectories(work);
    Map<String, String> placeholders = new LinkedHashMap<>();
    List<String> bundles = new ArrayList<>();
    for (App a : c.apps()) {
      bundles.add("--oci-bundle=" + a.name() + "=" + bundle(work, a, c.apps().size() > 1, placeholders));
    }
    placeholders.put(work.toString(), "@TMP@");
    Path stage1 = work.resolve("stage1");
    Files.createDirectories(stage1);
    Path share = work.resolve("share");
    List<String> common = new ArrayList<>(bundles);
    common.add("--stage1-rootfs=" + stage1);
    for (String a : c.args()) {
      common.add(a.replace("@SHARE@", share.toString()));
    }
    Map<String, String> ordered = longestFirst(placeholders);

    List<String> dry = new ArrayList<>(List.of("generate", "--dry-run"));
    dry.addAll(common);
    CliRunner.Result text = CliRunner.run(concat(dry, "--format=text"));
    assertThat(text.exit()).as(text.err()).isEqualTo(c.exit());
    compare(expected.resolve("stderr.txt"), replace(text.err(), ordered));
    if (c.exit() != 0) {
      assertThat(text.out()).isEmpty();
      assertThat(TreeSnapshot.of(stage1, false)).containsOnlyKeys(".");
      assertThat(share).doesNotExist();
      return;
    }
    CliRunner.Result json = CliRunner.run(concat(dry, "--format=json"));
    CliRunner.Result dot = CliRunner.run(concat(dry, "--format=dot"));
    assertThat(json.exit()).as(json.err()).isZero();
    assertThat(dot.exit()).as(dot.err()).isZero();
    assertThat(json.err()).isEqualTo(text.err()); // warnings do not depend on the format
    assertThat(dot.err()).isEqualTo(text.err());
    compare(expected.resolve("text.txt"), realign(text.out(), ordered));
    compare(expected.resolve("json.json"), replace(json.out(), ordered));
    compare(expected.resolve("dot.dot"), replace(dot.out(), ordered));
    dotAccepts(work, dot.out());
    assertThat(TreeSnapshot.of(stage1, false)).as("a dry run writes nothing").containsOnlyKeys(".");

    // The real run: what it writes is the rest of the expectation.
    List<String> real = new ArrayList<>(List.of("generate", "--format=text"));
    real.addAll(common);
    boolean podShare = c.args().contains(SHARE);
    try {
      CliRunner.Result run = CliRunner.run(real.toArray(String[]::new));
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.err()).isEqualTo(text.err());
      compareTree(expected.resolve("stage1"), expected.resolve("stage1-tree.txt"), stage1, ordered);
      List<String> verify = new ArrayList<>(List.of("verify"));
      verify.addAll(common);
      CliRunner.Result v = CliRunner.run(verify.toArray(String[]::new));
      assertThat(v.out()).as(v.err()).startsWith("ok:");
      assertThat(v.exit()).as(v.out()).isZero();
      systemdAnalyze(stage1, work.resolve("analyze"));
    } finally {
      if (podShare) {
        CliRunner.Result r = CliRunner.run("release", "--share-dir=" + share);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(share).doesNotExist();
      }
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String[] concat(List<String> args, String last) {
    List<String> all = new ArrayList<>(args);
    all.add(last);
    return all.toArray(String[]::new);
  }

  /**
   * Makes the app's bundle directory under {@code work/b/<app>} and adds the placeholders for its
   * paths; returns the bundle directory.
   */
  private static Path bundle(Path work, App a, boolean severalApps, Map<String, String> placeholders)
      throws IOException {
    Path dir = work.resolve("b").resolve(a.name());
    Files.createDirectories(dir);
    ObjectNode config;
    if (a.source().equals("example")) {
      config = (ObjectNode) JSON.readTree(example().toFile());
      // root.path "rootfs", read-only: left empty, so the missing mount points show.
      Files.createDirectories(dir.resolve("rootfs"));
    } else if (a.source().equals("runc") || a.source().equals("crun")) {
      EngineConfigs engines = EngineConfigs.get();
      Path cfg = a.source().equals("runc") ? engines.runc() : engines.crun();
      config = (ObjectNode) JSON.readTree(cfg.toFile());
      // The mount point directories the spec's own mounts need (/dev and /sys hold the rest).
      for (String d : List.of("proc", "dev", "sys")) {
        Files.createDirectories(dir.resolve("rootfs").resolve(d));
      }
      if (a.edited()) {
        edit(config, work.resolve("host"));
      }
    } else if (a.source().startsWith("podman:")) {
      EngineConfigs engines = EngineConfigs.get();
      Path cfg = engines.podman(a.source().substring("podman:".length()));
      config = (ObjectNode) JSON.readTree(cfg.toFile());
      sortMounts(config);
      for (Map.Entry<String, String> e : engines.placeholders(cfg).entrySet()) {
        String ph = e.getValue();
        // Ids and times differ per container: name them after the app when a pod has several.
        if (severalApps && Set.of("@CID@", "@CID12@", "@LAYER@", "@CREATED@").contains(ph)) {
          ph = ph.substring(0, ph.length() - 1) + "-" + a.name() + "@";
        }
        placeholders.put(e.getKey(), ph);
      }
    } else {
      throw new IllegalArgumentException(a.source());
    }
    Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config),
        StandardCharsets.UTF_8);
    return dir;
  }

  /** The runtime-spec style example config (core's reader fixture). */
  private static Path example() {
    Path local = Path.of("../core/src/test/resources/oci-configs/runtime-spec-example.json");
    if (Files.isRegularFile(local)) {
      return local;
    }
    return Path.of(System.getProperty("kvmount.repo", "."), "core/src/test/resources/oci-configs/runtime-spec-example.json");
  }

  /**
   * The edit of {@code runc spec} and {@code crun spec}: a read-write rbind of a host directory,
   * a read-only rbind with {@code rro} and {@code nosuid}, a non-recursive read-only bind of a
   * host file onto {@code /etc/app.conf}, and a tmpfs {@code /scratch} with size, mode and {@code
   * noexec}; all {@code rprivate}. The host sources are made under {@code host}.
   */
  static void edit(ObjectNode config, Path host) throws IOException {
    Files.createDirectories(host.resolve("data"));
    Files.createDirectories(host.resolve("ro"));
    Files.writeString(host.resolve("app.conf"), "app=1\n");
    ArrayNode mounts = (ArrayNode) config.get("mounts");
    mounts.add(mount("/data", "none", host.resolve("data").toString(), "rbind", "rw", "rprivate"));
    mounts.add(mount("/ro", "none", host.resolve("ro").toString(), "rbind", "rro", "nosuid", "rprivate"));
    mounts.add(mount("/etc/app.conf", "none", host.resolve("app.conf").toString(), "bind", "ro", "rprivate"));
    mounts.add(mount("/scratch", "tmpfs", "tmpfs", "size=8m", "mode=1777", "noexec", "rprivate"));
  }

  private static ObjectNode mount(String destination, String type, String source, String... options) {
    ObjectNode m = JSON.createObjectNode();
    m.put("destination", destination);
    m.put("type", type);
    m.put("source", source);
    ArrayNode o = m.putArray("options");
    for (String s : options) {
      o.add(s);
    }
    return m;
  }

  /**
   * Sorts {@code mounts} stably by (number of path components of the destination, destination):
   * podman's order among mounts of one depth is random and has no meaning (two destinations of
   * one depth cannot nest), and a mount under another keeps coming after it.
   */
  static void sortMounts(ObjectNode config) {
    ArrayNode mounts = (ArrayNode) config.get("mounts");
    List<JsonNode> list = new ArrayList<>();
    mounts.forEach(list::add);
    list.sort(Comparator.<JsonNode>comparingInt(m -> depth(m.get("destination").asText()))
        .thenComparing(m -> m.get("destination").asText()));
    mounts.removeAll();
    mounts.addAll(list);
  }

  private static int depth(String destination) {
    int n = 0;
    for (int i = 0; i < destination.length(); i++) {
      // A component starts at a non-slash character after a slash or at the start.
      if (destination.charAt(i) != '/' && (i == 0 || destination.charAt(i - 1) == '/')) {
        n++;
      }
    }
    return n;
  }

  private static Map<String, String> longestFirst(Map<String, String> placeholders) {
    List<Map.Entry<String, String>> list = new ArrayList<>(placeholders.entrySet());
    list.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
    Map<String, String> r = new LinkedHashMap<>();
    list.forEach(e -> r.put(e.getKey(), e.getValue()));
    return r;
  }

  static String replace(String s, Map<String, String> placeholders) {
    for (Map.Entry<String, String> e : placeholders.entrySet()) {
      s = s.replace(e.getKey(), e.getValue());
    }
    return s;
  }

  /**
   * Replaces the placeholders in a text report and re-aligns its tables as {@code Output.Table}
   * aligns them (columns padded to the widest cell plus two spaces, the last not padded, trailing
   * blanks cut). A table is a header line of upper-case column names and the lines after it with
   * the same indent; cells are cut at the header's column starts, so empty cells survive.
   */
  static String realign(String text, Map<String, String> placeholders) {
    List<String> lines = text.lines().toList();
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      List<Integer> starts = header(line);
      if (starts == null) {
        out.append(replace(line, placeholders)).append('\n');
        i++;
        continue;
      }
      int indent = starts.get(0);
      List<List<String>> rows = new ArrayList<>();
      int j = i;
      while (j < lines.size() && !lines.get(j).isBlank() && indentOf(lines.get(j)) == indent) {
        String row = lines.get(j);
        List<String> cells = new ArrayList<>();
        for (int k = 0; k < starts.size(); k++) {
          int from = Math.min(starts.get(k), row.length());
          int to = k + 1 < starts.size() ? Math.min(starts.get(k + 1), row.length()) : row.length();
          cells.add(replace(row.substring(from, to).strip(), placeholders));
        }
        rows.add(cells);
        j++;
      }
      int[] width = new int[starts.size()];
      for (List<String> r : rows) {
        for (int k = 0; k < width.length; k++) {
          width[k] = Math.max(width[k], r.get(k).length());
        }
      }
      for (List<String> r : rows) {
        StringBuilder sb = new StringBuilder(" ".repeat(indent));
        for (int k = 0; k < width.length; k++) {
          sb.append(r.get(k));
          if (k < width.length - 1) {
            sb.append(" ".repeat(width[k] - r.get(k).length() + 2));
          }
        }
        out.append(sb.toString().stripTrailing()).append('\n');
      }
      i = j;
    }
    return out.toString();
  }

  /** The column starts of a table header line (indent, then upper-case names two spaces apart), or null. */
  private static List<Integer> header(String line) {
    if (!line.matches(" +[A-Z][A-Z ()]*[A-Z)]") || !line.strip().contains("  ")) {
      return null;
    }
    List<Integer> starts = new ArrayList<>();
    for (int k = 0; k < line.length(); k++) {
      if (line.charAt(k) != ' ' && (k == 0 || (line.charAt(k - 1) == ' ' && (k < 2 || line.charAt(k - 2) == ' ')))) {
        starts.add(k);
      }
    }
    return starts;
  }

  private static int indentOf(String line) {
    int k = 0;
    while (k < line.length() && line.charAt(k) == ' ') {
      k++;
    }
    return k;
  }

  private static void compare(Path expected, String actual) throws IOException {
    if (UPDATE) {
      Files.createDirectories(expected.getParent());
      Files.writeString(expected, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(expected).as("golden file missing; run with -Dgolden.update=true").exists();
    assertThat(actual).as(expected.toString()).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
  }

  /**
   * Compares the stage1 rootfs a real run wrote: its listing (directories end in {@code /};
   * {@code .kvmount/} only by name, as its state holds hashes) and every unit file and drop-in.
   */
  private static void compareTree(Path expectedDir, Path expectedListing, Path stage1, Map<String, String> placeholders)
      throws IOException {
    TreeMap<String, Path> files = new TreeMap<>();
    StringBuilder listing = new StringBuilder();
    List<Path> all;
    try (Stream<Path> s = Files.walk(stage1)) {
      all = s.filter(p -> !p.equals(stage1)).sorted().toList();
    }
    for (Path p : all) {
      String rel = stage1.relativize(p).toString();
      if (rel.startsWith(".kvmount/")) {
        continue;
      }
      boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
      listing.append(rel).append(dir ? "/" : "").append('\n');
      if (!dir) {
        files.put(rel, p);
      }
    }
    compare(expectedListing, listing.toString());
    if (UPDATE && Files.isDirectory(expectedDir)) {
      try (Stream<Path> s = Files.walk(expectedDir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    for (Map.Entry<String, Path> e : files.entrySet()) {
      compare(expectedDir.resolve(e.getKey()), replace(Files.readString(e.getValue(), StandardCharsets.UTF_8), placeholders));
    }
  }

  /**
   * The real {@code systemd-analyze verify} accepts every unit the run wrote (exit 0, nothing on
   * stderr); a drop-in is checked through a stand-in {@code <app>.service}, as {@code
   * SystemdAcceptsGoldenUnitsTest} does in core.
   */
  private static void systemdAnalyze(Path stage1, Path dir) throws Exception {
    Optional<Path> analyze = GoldenOutputTest.onPath("systemd-analyze");
    assumeTrue(analyze.isPresent(), "systemd-analyze is not installed; skipping its check");
    Path units = stage1.resolve("usr/lib/systemd/system");
    List<String> cmd = new ArrayList<>(List.of(analyze.get().toString(), "verify", "--man=no", "--generators=no"));
    List<Path> all;
    try (Stream<Path> s = Files.walk(units)) {
      all = s.sorted().toList();
    }
    Files.createDirectories(dir);
    for (Path p : all) {
      String rel = units.relativize(p).toString();
      if (rel.isEmpty()) {
        continue;
      }
      Path copy = dir.resolve(rel);
      if (Files.isDirectory(p)) {
        Files.createDirectories(copy);
        if (rel.endsWith(".service.d")) {
          Path service = dir.resolve(rel.substring(0, rel.length() - 2));
          Files.writeString(service, "[Service]\nExecStart=/bin/true\n");
          cmd.add(service.toString());
        }
      } else {
        Files.copy(p, copy);
        if (!rel.contains("/")) {
          cmd.add(copy.toString());
        }
      }
    }
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    assertThat(err).as("systemd-analyze verify stderr (stdout: " + out + ")").isEmpty();
    assertThat(exit).as("systemd-analyze verify exit").isZero();
  }

  /** The real {@code dot -Tsvg} accepts the graph (when Graphviz is installed). */
  private static void dotAccepts(Path work, String graph) throws Exception {
    Optional<Path> dot = GoldenOutputTest.onPath("dot");
    if (dot.isEmpty()) {
      return;
    }
    Path in = work.resolve("graph.dot");
    Files.writeString(in, graph, StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(dot.get().toString(), "-Tsvg", in.toString()).start();
    p.getOutputStream().close();
    String svg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(err).isZero();
    assertThat(err).as("dot stderr").isEmpty();
    assertThat(svg).contains("</svg>");
  }
}
