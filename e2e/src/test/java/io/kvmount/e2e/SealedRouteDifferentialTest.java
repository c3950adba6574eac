package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.Kvmount;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.path.FileMode;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.MountSpec;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanException;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import io.kvmount.plan.PlannedUnit;
import io.kvmount.plan.Route;
import io.kvmount.plan.Transport;
import io.kvmount.sealed.Handover;
import io.kvmount.sealed.MountExtra;
import io.kvmount.systemd.UnitFile;
import io.kvmount.systemd.UnitName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test of the sealed routes (issue 21) against systemd 257's own parsing: every pod
 * is planned with {@code --emit credentials} and {@code --emit cmdline}, the rendered {@code
 * fstab.extra} text and {@code systemd.mount-extra=} words are fed to the real {@code
 * systemd-fstab-generator} of the cached Debian 13 root ({@link FstabGenerator}), and every unit
 * and symbolic link it generates is compared with the unit files the same plan holds (what {@code
 * --emit units} would write for the same mounts): the same What=, Where=, Type=, the mount's
 * options plus only kvmount's dependency words, the same Requires=/After= edges, each bind
 * required by and ordered before its app's service, each empty volume a tmpfs with its mode and
 * owner, and nothing more. Values are compared after undoing systemd's {@code %%} specifier
 * escaping on both sides.
 *
 * <p>Inputs: every appc golden case of {@code cli/src/test/resources/golden-output/} (with its
 * images and args), hand-written hostile pods (spaces, {@code \}, {@code #}, {@code :}, {@code
 * %}, quotes, commas, non-ASCII, long and nested names, odd modes, pod share, virtio-fs) and 200
 * seeded random pods, batched into a few generator runs. Also pins what kvmount refuses: control
 * characters in a path, a command line over 2047 bytes, legacy remount services. No VM is
 * booted. Skipped like {@link FstabGeneratorTest}.
 */
@ExtendWith(FstabGeneratorCondition.class)
class SealedRouteDifferentialTest {
  private static final String REMOUNT_LINK = "local-fs.target.wants/systemd-remount-fs.service";

  /** Seed of the random pods; a failure names the pod, so a run is reproducible. */
  private static final long SEED = 0x5ea1edL;

  private static final int RANDOM_PODS = 200;

  /** Largest command line handed to one generator run: an environment string holds 128 KiB. */
  private static final int CMDLINE_BATCH_BYTES = 100_000;

  /**
   * The only log lines (debug level) systemd 257's generator writes for kvmount's input, all
   * harmless: the banner of the image's fstab (here {@code /dev/null}) and one {@code Found entry}
   * per line or word. Any other line (a warning such as {@code Failed to parse ..., ignoring},
   * {@code Invalid unit name ... escaped as}, {@code Canonicalized}) fails the test. The mount
   * point in a {@code Found entry} line is raw, so it may hold any character ({@code DOTALL}).
   */
  private static final Pattern PARSING = Pattern.compile("Parsing /dev/null\\.\\.\\.");

  private static final Pattern FOUND = Pattern.compile(
      "Found entry what=.* where=.* type=.* makefs=no growfs=no pcrfs=no noauto=(yes|no) nofail=no", Pattern.DOTALL);

  private static FstabGenerator gen;

  @BeforeAll
  static void setUp() {
    gen = FstabGenerator.fromCache();
  }

  // --- inputs -----------------------------------------------------------------------------------

  /** One pod and how to plan it. */
  record Case(String name, PodManifest pod, Map<String, ImageManifest> images, PlanOptions options, Transport transport) {}

  static Case appc(String name, String json) throws Exception {
    return appc(name, json, PlanOptions.defaults(), Transport.NINE_P);
  }

  static Case appc(String name, String json, PlanOptions options, Transport transport) throws Exception {
    return new Case(name, ManifestReader.readPod(json.getBytes(StandardCharsets.UTF_8), name), Map.of(), options,
        transport);
  }

  static Kvmount.Generation plan(Case c, Route route) throws Exception {
    return Kvmount.plan(c.pod(), c.images(), Hypervisors.byName("qemu"), c.transport(), c.options().withRoute(route),
        HypervisorOptions.defaults(), null);
  }

  static final Path GOLDEN = E2eEnvironment.repoRoot().resolve("cli/src/test/resources/golden-output");

  /** A golden case as {@code GoldenOutputTest} passes it: pod.json, images/, args. */
  static Case golden(Path dir) throws Exception {
    Map<String, ImageManifest> images = new TreeMap<>();
    Path imagesDir = dir.resolve("images");
    if (Files.isDirectory(imagesDir)) {
      try (Stream<Path> s = Files.list(imagesDir)) {
        for (Path p : s.sorted().toList()) {
          images.put(p.getFileName().toString().replaceFirst("\\.json$", ""), Kvmount.readImage(p));
        }
      }
    }
    PlanOptions options = PlanOptions.defaults();
    Path argsFile = dir.resolve("args");
    if (Files.exists(argsFile)) {
      List<String> args = Files.readAllLines(argsFile).stream().filter(l -> !l.isBlank()).toList();
      for (int i = 0; i < args.size(); i++) {
        switch (args.get(i)) {
          case "--legacy-remount" -> options = options.withLegacyRemount(true);
          case "--share-dir" -> options = options.withPodShare(args.get(++i));
          default -> throw new AssertionError(dir + "/args: option " + args.get(i) + " not known to this test");
        }
      }
    }
    return new Case(dir.getFileName().toString(), Kvmount.readPod(dir.resolve("pod.json")), images, options,
        Transport.NINE_P);
  }

  static List<Path> goldenDirs() throws IOException {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      return s.filter(d -> Files.isRegularFile(d.resolve("pod.json"))).sorted().toList();
    }
  }

  // --- tests ------------------------------------------------------------------------------------

  @Test
  void goldenCases_bothRoutes_generateExactlyThePlannedUnits() throws Exception {
    List<Path> dirs = goldenDirs();
    assertThat(dirs).hasSizeGreaterThanOrEqualTo(9);
    int compared = 0;
    int cmdlines = 0;
    for (Path d : dirs) {
      Case c = golden(d);
      switch (c.name()) {
        case "legacy-remount" -> {
          for (Route r : List.of(Route.CREDENTIALS, Route.CMDLINE)) {
            assertThatThrownBy(() -> plan(c, r)).as(c.name())
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("--legacy-remount").hasMessageContaining("--emit " + r.id());
          }
          continue;
        }
        case "nested-readonly" -> {
          // a mount inside a read-only empty volume needs its mount point made in the volume
          for (Route r : List.of(Route.CREDENTIALS, Route.CMDLINE)) {
            assertThatThrownBy(() -> plan(c, r)).as(c.name())
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("volume \"config\"").hasMessageContaining("--emit " + r.id());
          }
          continue;
        }
        default -> { }
      }
      cmdlines += differential(List.of(c), true);
      compared++;
    }
    assertThat(compared).isGreaterThanOrEqualTo(7);
    System.err.println("golden cases compared: " + compared + " (credentials), " + cmdlines + " (cmdline)");
    assertThat(cmdlines).isGreaterThanOrEqualTo(5);
  }

  /** Mount paths that are hard to escape: every character the two parsers treat specially. */
  static final List<String> HOSTILE_PATHS = List.of(
      "/srv/sp ace/x y", "/srv/sp ace/x y/in ner", "/srv/back\\slash", "/srv/dbl\\\\x", "/srv/bs\\x2dlit",
      "/srv/oct\\040", "/srv/oct\\134", "/srv/ha#sh", "/#lead", "/srv/co:lon", "/srv/:", "/srv/pct%d%%",
      "/srv/q\"uote", "/srv/ap'os", "/srv/com,ma", "/srv/café/été", "/srv/日本語", "/srv/🚀rocket",
      "/-dash", "/srv/.hidden", "/srv/eq=x", "/srv/semi;colon", "/srv/dollar$x", "/srv/star*?[]",
      "/srv/brace{}", "/srv/pipe|amp&", "/srv/tilde~", "/srv/at@", "/srv/nb\u00a0sp", "/srv/ls\u2028x",
      "/srv/e\u0301", "//srv//norm/./x/", "/srv/x-y/a--b", "/srv/UPPER+plus");

  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  static String pod(String apps, String volumes) {
    return "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[" + apps + "],\"volumes\":[" + volumes + "]}";
  }

  static String app(String name, List<String> mounts) {
    return "{\"name\":" + q(name) + ",\"image\":{\"id\":\"sha512-00\"},\"mounts\":[" + String.join(",", mounts) + "]}";
  }

  static String mount(String volume, String path) {
    return "{\"volume\":" + q(volume) + ",\"path\":" + q(path) + "}";
  }

  static String hostVolume(String name, String source, boolean readOnly) {
    return "{\"name\":" + q(name) + ",\"kind\":\"host\",\"source\":" + q(source) + ",\"readOnly\":" + readOnly + "}";
  }

  static String emptyVolume(String name, String mode, long uid, long gid, boolean readOnly) {
    return "{\"name\":" + q(name) + ",\"kind\":\"empty\",\"mode\":" + q(mode) + ",\"uid\":" + uid + ",\"gid\":" + gid
        + ",\"readOnly\":" + readOnly + "}";
  }

  /** The hostile pod: every hostile path, from rw, ro and empty volumes; two apps. */
  static String hostilePod() {
    List<String> mounts = new ArrayList<>();
    String[] vols = {"rw", "ro", "tmp", "odd"};
    for (int i = 0; i < HOSTILE_PATHS.size(); i++) {
      mounts.add(mount(vols[i % vols.length], HOSTILE_PATHS.get(i)));
    }
    String volumes = String.join(",",
        hostVolume("rw", "/host/sp ace\\#:%\"',é日本🚀/rw", false),
        hostVolume("ro", "/host/in,source\u00a0x", true),
        emptyVolume("tmp", "01777", 0, 0, false),
        emptyVolume("odd", "0", 4294967294L, 65534, false),
        emptyVolume("suid", "07777", 1, 2, false),
        hostVolume("unused", "/host/unused", false));
    return pod(app("hostile", mounts) + "," + app("second-app",
        List.of(mount("rw", "/data dir"), mount("suid", "/data dir/sub dir"), mount("ro", "/data dir/sub dir/ro")))
        , volumes);
  }

  @Test
  void hostilePods_9pVirtiofsAndPodShare_bothRoutes() throws Exception {
    String json = hostilePod();
    List<Case> cases = List.of(
        appc("hostile-9p", json),
        appc("hostile-virtiofs", json, PlanOptions.defaults(), Transport.VIRTIOFS),
        appc("hostile-pod-share", json, PlanOptions.defaults().withPodShare("/nonexistent/pod share"), Transport.NINE_P),
        appc("hostile-pod-share-virtiofs", json, PlanOptions.defaults().withPodShare("/nonexistent/pod-share"),
            Transport.VIRTIOFS));
    // one run per case: they plan the same unit names; the whole pod is too long for a command line
    for (Case c : cases) {
      assertThat(differential(List.of(c), true)).as(c.name()).isZero();
    }
    // so each hostile path also gets a pod of its own (distinct names: one batch), which fits
    List<Case> small = new ArrayList<>();
    for (int i = 0; i < HOSTILE_PATHS.size(); i++) {
      String v = "h" + i + "-v";
      String volume = i % 3 == 0 ? emptyVolume(v, "0" + (i % 8) + "10", i, i + 1, false)
          : hostVolume(v, "/host/" + HOSTILE_PATHS.get(i), i % 3 == 1);
      small.add(appc("hostile path " + q(HOSTILE_PATHS.get(i)), pod(app("h" + i, List.of(mount(v, HOSTILE_PATHS.get(i)),
          mount(v, HOSTILE_PATHS.get(i) + "/nested " + i))), volume), PlanOptions.defaults(),
          i % 2 == 0 ? Transport.NINE_P : Transport.VIRTIOFS));
    }
    assertThat(differential(small, true)).isEqualTo(small.size());
  }

  @Test
  void emptyVolumes_tmpfsCarriesTheManifestsModeAndOwner() throws Exception {
    Case c = appc("hostile-9p", hostilePod());
    Kvmount.Generation g = plan(c, Route.CREDENTIALS);
    FstabGenerator.Output out = gen.runCredential(g.handover().orElseThrow().fstab().orElseThrow());
    // straight from the manifest, not from the plan
    Map<String, String> want = Map.of(
        "run-kvmount-tmp.mount", "mode=01777,uid=0,gid=0,noauto",
        "run-kvmount-odd.mount", "mode=00,uid=4294967294,gid=65534,noauto",
        "run-kvmount-suid.mount", "mode=07777,uid=1,gid=2,noauto");
    for (Map.Entry<String, String> e : want.entrySet()) {
      UnitFile.Section m = UnitFile.parse(out.file(e.getKey())).section("Mount").orElseThrow();
      assertThat(m.values("What")).containsExactly("tmpfs");
      assertThat(m.values("Type")).containsExactly("tmpfs");
      List<String> opts = Arrays.asList(m.values("Options").get(0).split(","));
      assertThat(FileMode.parseOctal(opts.get(0).substring("mode=".length())))
          .isEqualTo(FileMode.parseOctal(e.getValue().split(",")[0].substring("mode=".length())));
      assertThat(opts.subList(1, opts.size())).as(e.getKey())
          .containsExactlyElementsOf(Arrays.asList(e.getValue().split(",")).subList(1, 4));
    }
  }

  @Test
  void longNames_upToTheUnitNameLimit_andLongVolumeAndAppNames() throws Exception {
    String appName = "a".repeat(40) + "-app";
    // a mount point whose unit name is exactly 255 bytes
    int base = UnitName.mount(GuestPath.parse("/opt/stage2/" + appName + "/rootfs/l")).value().length() - 1;
    String longComponent = "l".repeat(255 - base);
    String volName = "v" + "long".repeat(50); // no "-": escaped as \x2d in a unit name
    String json = pod(app(appName, List.of(mount(volName, "/" + longComponent), mount("e" + "x".repeat(200), "/e"))),
        hostVolume(volName, "/host/" + "s".repeat(200), false) + "," + emptyVolume("e" + "x".repeat(200), "0700", 7, 8,
            false));
    Case c = appc("long", json);
    assertThat(UnitName.mount(GuestPath.parse("/opt/stage2/" + appName + "/rootfs/" + longComponent)).value())
        .hasSize(255);
    assertThat(differential(List.of(c), true)).isZero(); // too long for a command line
    Case one = appc("long-one", pod(app(appName, List.of(mount("v", "/" + longComponent))),
        hostVolume("v", "/host/v", false)));
    assertThat(differential(List.of(one), true)).isEqualTo(1);
    // one byte more: kvmount refuses (systemd 257 would hash the name, older ones cannot load it)
    Case over = appc("over", pod(app(appName, List.of(mount(volName, "/" + longComponent + "l"))),
        hostVolume(volName, "/host/x", false)));
    for (Route r : List.of(Route.CREDENTIALS, Route.CMDLINE)) {
      assertThatThrownBy(() -> plan(over, r)).isInstanceOf(PlanException.class).hasMessageContaining("255");
    }
  }

  @Test
  void refusesWhatSystemdWouldBreak_controlCharactersAndTrailingBackslashOrSpace() throws Exception {
    // control characters never get past the manifest reader (exit 3, the field named)
    for (String path : List.of("/srv/nl\nx", "/srv/cr\rx", "/srv/soh\u0001x", "/srv/del\u007fx", "/srv/tab\tx",
        "/srv/esc\u001bx")) {
      String json = pod(app("app", List.of(mount("v", path))), hostVolume("v", "/host/v", false));
      assertThatThrownBy(() -> appc("refused", json)).as(q(path))
          .isInstanceOf(io.kvmount.error.InvalidInputException.class)
          .hasMessageContaining("apps[0].mounts[0].path")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
      // and the renderers refuse them on their own, should a plan ever carry one
      GuestPath where = GuestPath.parse(path);
      io.kvmount.sealed.FstabEntry entry = new io.kvmount.sealed.FstabEntry(UnitName.mount(where),
          new MountSpec("/run/kvmount/v", where, "none", List.of("bind")), List.of("bind"));
      if (path.contains("\t")) {
        // a tab can be written in both (\011, \x09); the planner refuses it before (unit files cannot hold it)
        continue;
      }
      assertThatThrownBy(() -> io.kvmount.sealed.Fstab.render(List.of(entry))).as(q(path))
          .isInstanceOf(PlanException.class).hasMessageContaining("control character");
      assertThatThrownBy(() -> MountExtra.words(List.of(entry))).as(q(path))
          .isInstanceOf(PlanException.class).hasMessageContaining("control character");
    }
    // a trailing space is stripped from Where=, a trailing backslash continues the line: refused
    for (String path : List.of("/srv/trailing\\", "/srv/trailing ", "/srv/tab\tx")) {
      String json = pod(app("app", List.of(mount("v", path))), hostVolume("v", "/host/v", false));
      for (Route r : List.of(Route.CREDENTIALS, Route.CMDLINE)) {
        assertThatThrownBy(() -> plan(appc("refused", json), r)).as("%s via %s", q(path), r.id())
            .isInstanceOf(io.kvmount.error.InvalidInputException.class)
            .hasMessageContaining("apps[0].mounts[0]");
      }
    }
  }

  @Test
  void commandLineOver2047Bytes_isRefused_theCredentialCarriesIt() throws Exception {
    List<String> mounts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      mounts.add(mount("v", "/srv/mount point " + i + "/日本語 é " + "x".repeat(40)));
    }
    Case c = appc("too-long", pod(app("app", mounts), hostVolume("v", "/host/v", false)));
    PlanException e = org.junit.jupiter.api.Assertions.assertThrows(PlanException.class, () -> plan(c, Route.CMDLINE));
    assertCommandLineTooLong(c.name(), e);
    assertThat(differential(List.of(c), true)).isZero(); // compares the credential only
    // just under the limit: accepted, and systemd reads every word
    List<String> fit = new ArrayList<>();
    Case last = null;
    for (int i = 0; i < 40; i++) {
      fit.add(mount("v", "/m" + i));
      Case k = appc("fit", pod(app("app", fit), hostVolume("v", "/host/v", false)));
      try {
        plan(k, Route.CMDLINE);
        last = k;
      } catch (PlanException tooLong) {
        assertCommandLineTooLong("fit", tooLong);
        break;
      }
    }
    assertThat(last).isNotNull();
    int size = MountExtra.size(plan(last, Route.CMDLINE).handover().orElseThrow().cmdline());
    assertThat(size).isBetween(MountExtra.MAX_CMDLINE_BYTES - 250, MountExtra.MAX_CMDLINE_BYTES);
    assertThat(differential(List.of(last), true)).isEqualTo(1);
  }

  // --- random pods --------------------------------------------------------------------------------

  /** Characters of random path components: specials of both parsers, non-ASCII, plain. */
  static final String[] ALPHABET = {
    "a", "b", "Z", "0", "9", " ", " ", "-", "_", ".", ":", "#", "%", "\\", "\"", "'", ",", "=", "+", "@", ";", "$",
    "&", "*", "?", "[", "]", "{", "}", "|", "~", "!", "(", ")", "<", ">", "^", "`", "é", "ß", "日", "本", "🚀", "😀",
    "\u00a0", "\u2028", "x2d", "\\x20", "\\040", "\\134", "%%"
  };

  static String component(Random rnd) {
    StringBuilder b = new StringBuilder();
    int n = 1 + rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      b.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
    }
    String c = b.toString();
    return c.equals(".") || c.equals("..") ? c + "z" : c;
  }

  /** A random pod; app and volume names carry its index, so pods of one batch plan distinct units. */
  static Case randomPod(int index, Random rnd) throws Exception {
    String p = "r" + index;
    int nVolumes = 1 + rnd.nextInt(4);
    List<String> volumes = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int v = 0; v < nVolumes; v++) {
      String name = p + "-v" + v;
      names.add(name);
      if (rnd.nextInt(3) == 0) {
        String mode = Integer.toOctalString(rnd.nextInt(07777 + 1));
        volumes.add(emptyVolume(name, rnd.nextBoolean() ? "0" + mode : mode, rnd.nextInt(70000), rnd.nextInt(70000),
            false));
      } else {
        volumes.add(hostVolume(name, "/host/" + component(rnd), rnd.nextBoolean()));
      }
    }
    List<String> apps = new ArrayList<>();
    int nApps = 1 + rnd.nextInt(2);
    for (int a = 0; a < nApps; a++) {
      String app = p + "-a" + a;
      List<String> paths = new ArrayList<>();
      Set<GuestPath> seen = new java.util.HashSet<>();
      List<String> mounts = new ArrayList<>();
      int nMounts = 1 + rnd.nextInt(4);
      for (int tries = 0; mounts.size() < nMounts && tries < 50; tries++) {
        String base = !paths.isEmpty() && rnd.nextInt(3) == 0 ? paths.get(rnd.nextInt(paths.size())) : "";
        StringBuilder path = new StringBuilder(base);
        int depth = 1 + rnd.nextInt(2);
        for (int d = 0; d < depth; d++) {
          path.append(rnd.nextInt(8) == 0 ? "//" : "/").append(component(rnd));
        }
        String text = path.toString();
        // what the units route already refuses at the end of a value (tested above)
        int last = text.codePointBefore(text.length());
        if (last == '\\' || Character.isWhitespace(last) || Character.isSpaceChar(last)) {
          text = text + "z";
        }
        if (GuestPath.problem(text) != null) {
          continue;
        }
        GuestPath gp = GuestPath.parse(text);
        if (!seen.add(gp)
            || UnitName.mount(GuestPath.parse("/opt/stage2/" + app + "/rootfs" + gp))
                .value().length() > 200) {
          continue;
        }
        paths.add(text);
        mounts.add(mount(names.get(rnd.nextInt(names.size())), text));
      }
      apps.add(app(app, mounts));
    }
    PlanOptions options = PlanOptions.defaults();
    if (rnd.nextInt(8) == 0) {
      options = options.withPodShare("/nonexistent/share-" + index);
    }
    return appc("random pod " + index + " (seed " + SEED + ")", pod(String.join(",", apps), String.join(",", volumes)),
        options, rnd.nextInt(3) == 0 ? Transport.VIRTIOFS : Transport.NINE_P);
  }

  @Test
  void randomPods_seeded_bothRoutes() throws Exception {
    Random rnd = new Random(SEED);
    List<Case> all = new ArrayList<>();
    for (int i = 0; i < RANDOM_PODS; i++) {
      all.add(randomPod(i, rnd));
    }
    // pods of one batch must plan distinct units: at most one pod share (its unit is the same in every pod)
    List<Case> batch = new ArrayList<>();
    boolean podShare = false;
    int batches = 0;
    int cmdlines = 0;
    for (Case c : all) {
      boolean share = c.options().shareDir().isPresent();
      if (batch.size() == 50 || (share && podShare)) {
        cmdlines += differential(batch, true);
        batches++;
        batch = new ArrayList<>();
        podShare = false;
      }
      batch.add(c);
      podShare |= share;
    }
    cmdlines += differential(batch, true);
    assertThat(batches + 1).isLessThan(40);
    System.err.println("random pods: " + all.size() + " (credentials) in " + (batches + 1) + " batches, " + cmdlines
        + " (cmdline, the others too long)");
    assertThat(cmdlines).isGreaterThanOrEqualTo(RANDOM_PODS / 2);
  }

  // --- the comparison ---------------------------------------------------------------------------

  /**
   * Plans every case with both routes, runs the generator once per route on all of them together
   * (their unit names must not collide) and compares.
   *
   * @param cases the pods
   * @param cmdline whether to run the command-line route too (cases whose words do not fit are
   *     checked to be refused and left out)
   * @return how many cases the command-line route compared
   */
  static int differential(List<Case> cases, boolean cmdline) throws Exception {
    StringBuilder credential = new StringBuilder();
    Expected expected = new Expected();
    List<Kvmount.Generation> credentialPlans = new ArrayList<>();
    for (Case c : cases) {
      Kvmount.Generation g = plan(c, Route.CREDENTIALS);
      Handover h = g.handover().orElseThrow();
      credential.append(h.fstab().orElseThrow());
      expected.add(c.name(), g.plan());
      credentialPlans.add(g);
    }
    String what = cases.size() == 1 ? cases.get(0).name() : cases.size() + " pods";
    compare(what + " (credentials)", expected, gen.runCredential(credential.toString()));
    if (!cmdline) {
      return 0;
    }
    int compared = 0;
    // The command line: batches that fit into one environment string.
    Expected batchExpected = new Expected();
    List<String> words = new ArrayList<>();
    int bytes = 0;
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      Kvmount.Generation g;
      try {
        g = plan(c, Route.CMDLINE);
      } catch (PlanException e) {
        assertCommandLineTooLong(c.name(), e);
        continue; // where the words do not fit, only the credential route is compared
      }
      List<String> w = g.handover().orElseThrow().cmdline();
      assertThat(MountExtra.size(w)).as(c.name()).isLessThanOrEqualTo(MountExtra.MAX_CMDLINE_BYTES);
      // the same plan as the credential route: the route changes only the rendering
      assertThat(g.plan().units()).as(c.name()).isEqualTo(credentialPlans.get(i).plan().units());
      int size = MountExtra.size(w) + 1;
      if (bytes + size > CMDLINE_BATCH_BYTES && !words.isEmpty()) {
        compare(what + " (cmdline)", batchExpected, gen.runCommandLine(String.join(" ", words)));
        batchExpected = new Expected();
        words.clear();
        bytes = 0;
      }
      batchExpected.add(c.name(), g.plan());
      compared++;
      words.addAll(w);
      bytes += size;
    }
    if (!words.isEmpty()) {
      compare(what + " (cmdline)", batchExpected, gen.runCommandLine(String.join(" ", words)));
    }
    return compared;
  }

  private static final Pattern TOO_LONG = Pattern.compile(
      "the \\d+ systemd\\.mount-extra= words take (\\d+) bytes, but the kernel command line holds at most 2047 bytes"
          + " .*; use --emit credentials");

  /** The command-line route's refusal: the size named is over the limit. */
  static void assertCommandLineTooLong(String caseName, PlanException e) {
    java.util.regex.Matcher m = TOO_LONG.matcher(e.getMessage());
    assertThat(m.matches()).as("%s: --emit cmdline refused with: %s", caseName, e.getMessage()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).as(caseName).isGreaterThan(MountExtra.MAX_CMDLINE_BYTES);
  }

  /** What the generator must write for some plans, derived from their units (not from the fstab lines). */
  static final class Expected {
    /** Mount units by name: the planned mount, the units it must require, the services it must precede. */
    final Map<String, ExpectedMount> mounts = new LinkedHashMap<>();
    /** Symbolic links: {@code <app>.service.requires/<unit>} to {@code -> ../<unit>}. */
    final SortedMap<String, String> links = new TreeMap<>();
    final Map<String, String> origin = new LinkedHashMap<>();

    void add(String caseName, Plan plan) throws Exception {
      Map<String, PlannedDirectory> empties = new LinkedHashMap<>();
      for (PlannedDirectory d : plan.directories()) {
        if (d.managed()) {
          empties.put(d.path().toString(), d);
        }
      }
      // each unit's text as --emit units would write it: its [Mount] must say what MountSpec says
      Map<String, String> texts = new LinkedHashMap<>();
      for (int i = 0; i < plan.files().size(); i++) {
        texts.put(plan.units().get(i).file().toString(), plan.files().get(i).content());
      }
      Map<String, List<String>> requiredBy = new LinkedHashMap<>();
      for (PlannedUnit u : plan.units()) {
        if (u.role() == PlannedUnit.Role.APP_SERVICE) {
          for (UnitName r : u.requires()) {
            requiredBy.computeIfAbsent(r.value(), k -> new ArrayList<>()).add(u.name().value());
            links.put(u.name().value() + ".requires/" + r.value(), "-> ../" + r.value());
          }
        }
      }
      for (PlannedUnit u : plan.units()) {
        if (u.mount().isEmpty()) {
          continue;
        }
        MountSpec spec = u.mount().get();
        checkUnitText(caseName, u, texts.get(u.file().toString()));
        Set<String> requires = new TreeSet<>();
        u.requires().forEach(r -> requires.add(r.value()));
        PlannedDirectory empty = empties.get(spec.what());
        if (empty != null && u.role() == PlannedUnit.Role.BIND) {
          requires.add(UnitName.mount(empty.path()).value());
        }
        List<String> apps = requiredBy.getOrDefault(u.name().value(), List.of());
        put(caseName, u.name().value(), new ExpectedMount(spec, u.role() == PlannedUnit.Role.SHARE, requires, apps));
      }
      for (PlannedDirectory d : empties.values()) {
        MountSpec spec = new MountSpec("tmpfs", d.path(), "tmpfs",
            List.of("mode=" + d.mode(), "uid=" + d.uid(), "gid=" + d.gid()));
        put(caseName, UnitName.mount(d.path()).value(), new ExpectedMount(spec, true, Set.of(), List.of()));
      }
    }

    private void put(String caseName, String unit, ExpectedMount m) {
      String before = origin.put(unit, caseName);
      assertThat(before).as("unit %s planned by two pods of one batch (%s, %s)", unit, before, caseName).isNull();
      mounts.put(unit, m);
    }
  }

  /**
   * One expected mount unit.
   *
   * @param spec the planned mount
   * @param noauto whether it is pulled in only by others (a share or an empty volume's tmpfs)
   * @param requires the units its Requires= and After= must name
   * @param apps the app services it is required by and ordered before
   */
  record ExpectedMount(MountSpec spec, boolean noauto, Set<String> requires, List<String> apps) {}

  /** The unit file --emit units would write says what its MountSpec says (after undoing %%). */
  static void checkUnitText(String caseName, PlannedUnit u, String text) throws Exception {
    assertThat(text).as("%s: planned text of %s", caseName, u.file()).isNotNull();
    UnitFile.Section m = UnitFile.parse(text).section("Mount").orElseThrow();
    MountSpec spec = u.mount().orElseThrow();
    String at = caseName + ": planned " + u.name();
    assertThat(unpercent(single(m, "What", at))).as(at).isEqualTo(spec.what());
    assertThat(unpercent(single(m, "Where", at))).as(at).isEqualTo(spec.where().toString());
    assertThat(unpercent(single(m, "Type", at))).as(at).isEqualTo(spec.type());
    List<String> opts = m.values("Options");
    assertThat(opts.isEmpty() ? "" : unpercent(opts.get(opts.size() - 1))).as(at).isEqualTo(spec.optionText());
  }

  static String single(UnitFile.Section s, String key, String at) {
    List<String> v = s.values(key);
    assertThat(v).as("%s: %s=", at, key).hasSize(1);
    return v.get(0);
  }

  /** Undoes systemd's specifier escaping: {@code %%} is one {@code %}; any other {@code %} is a defect. */
  static String unpercent(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '%') {
        assertThat(i + 1 < v.length() && v.charAt(i + 1) == '%').as("specifier in %s", v).isTrue();
        i++;
      }
      b.append(c);
    }
    return b.toString();
  }

  /** Space-separated unit lists of every line with this key. */
  static Set<String> unitList(UnitFile.Section s, String key) {
    Set<String> out = new TreeSet<>();
    for (String v : s.values(key)) {
      out.addAll(Arrays.asList(v.split(" +")));
    }
    out.remove("");
    return out;
  }

  static void compare(String what, Expected exp, FstabGenerator.Output out) throws Exception {
    assertThat(out.exitCode()).as("%s: generator exit\n%s", what, out.stderr()).isZero();
    int found = 0;
    for (String line : out.stderr().split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (FOUND.matcher(line).matches()) {
        found++;
      } else {
        assertThat(PARSING.matcher(line).matches()).as("%s: unexpected generator log line: %s", what, line).isTrue();
      }
    }
    assertThat(found).as("%s: Found entry lines", what).isEqualTo(exp.mounts.size());
    SortedMap<String, String> wanted = new TreeMap<>(exp.links);
    wanted.put(REMOUNT_LINK, "-> /usr/lib/systemd/system/systemd-remount-fs.service");
    Set<String> names = new TreeSet<>(wanted.keySet());
    names.addAll(exp.mounts.keySet());
    assertThat(out.files().keySet()).as("%s: what the generator wrote", what).containsExactlyInAnyOrderElementsOf(names);
    wanted.forEach((k, v) -> assertThat(out.files().get(k)).as("%s: link %s", what, k).isEqualTo(v));
    for (Map.Entry<String, ExpectedMount> e : exp.mounts.entrySet()) {
      String unit = e.getKey();
      ExpectedMount m = e.getValue();
      String at = what + ": " + exp.origin.get(unit) + ": " + unit;
      UnitFile.Parsed parsed = UnitFile.parseWithWarnings(out.file(unit));
      assertThat(parsed.warnings()).as(at).isEmpty();
      UnitFile.Section mount = parsed.unit().section("Mount").orElseThrow();
      UnitFile.Section head = parsed.unit().section("Unit").orElseThrow();
      assertThat(unpercent(single(mount, "What", at))).as(at + " What=").isEqualTo(m.spec().what());
      assertThat(unpercent(single(mount, "Where", at))).as(at + " Where=").isEqualTo(m.spec().where().toString());
      assertThat(unpercent(single(mount, "Type", at))).as(at + " Type=").isEqualTo(m.spec().type());
      List<String> opts = Arrays.asList(unpercent(single(mount, "Options", at)).split(",", -1));
      List<String> own = m.spec().options();
      assertThat(opts.subList(0, Math.min(own.size(), opts.size()))).as(at + " Options= (the mount's own)")
          .isEqualTo(own);
      List<String> deps = new ArrayList<>(opts.subList(Math.min(own.size(), opts.size()), opts.size()));
      List<String> wantDeps = new ArrayList<>();
      if (m.noauto()) {
        wantDeps.add("noauto");
      }
      m.requires().forEach(r -> wantDeps.add("x-systemd.requires=" + r));
      for (String app : m.apps()) {
        wantDeps.add("x-systemd.required-by=" + app);
        wantDeps.add("x-systemd.before=" + app);
      }
      assertThat(deps).as(at + " Options= (kvmount's dependency words)").containsExactlyInAnyOrderElementsOf(wantDeps);
      assertThat(unitList(head, "Requires")).as(at + " Requires=").isEqualTo(m.requires());
      assertThat(unitList(head, "After")).as(at + " After=").isEqualTo(m.requires());
      Set<String> before = new TreeSet<>(m.apps());
      if (m.apps().isEmpty()) {
        before.add("local-fs.target"); // noauto: unhooked, still ordered before local-fs.target
        assertThat(head.values("DefaultDependencies")).as(at).isEmpty();
      } else {
        before.add("umount.target");
        assertThat(head.values("DefaultDependencies")).as(at).containsExactly("no");
      }
      assertThat(unitList(head, "Before")).as(at + " Before=").isEqualTo(before);
    }
  }
}
