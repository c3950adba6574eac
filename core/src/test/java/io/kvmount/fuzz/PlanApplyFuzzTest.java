package io.kvmount.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvmount.Kvmount;
import io.kvmount.apply.ApplyResult;
import io.kvmount.digest.Sha256;
import io.kvmount.error.InvalidInputException;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestException;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.PlannedCopy;
import io.kvmount.plan.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Fuzzes plan + apply on generated pods and generated stage1 trees in a temp dir. The app rootfs
 * get directories, files and symlinks pointing anywhere inside the temp dir ({@code ..} chains,
 * absolute paths, into a sibling {@code outside} directory, loops) and odd names; the stage1
 * rootfs may hold files where kvmount writes. Whatever happens (a plan, a documented refusal), no
 * file outside the stage1 rootfs is created, changed or removed (the temp dir's other entries are
 * snapshotted), and applying the same plan a second time changes nothing: it reports nothing
 * written or created, and the stage1 tree is the same.
 *
 * <p>Some apps are Docker apps (issue 24 behaviour 1): an image manifest with the {@code
 * appc.io/docker/repository} annotation and mount points the pod gives no volume, over image
 * directories grown with every kind of entry (symlinks anywhere, {@code ..}, trailing and doubled
 * slashes, loops; hard links inside the tree and to a file in {@code outside}; names with newlines,
 * spaces and backslashes; set-id, sticky and read-only modes). Every volume the first apply makes
 * as a copy must then equal its image directory as planning saw it: types, modes, content and link
 * texts. These draws come after all others, so an input written before them replays as before.
 *
 * <p>No symlink target climbs above the temp dir, and absolute targets name paths inside it, so a
 * defect that followed a symlink on the host would land in {@code outside} and be seen, never in
 * the host's own directories.
 */
class PlanApplyFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] NAMES = {"var", "data", "etc", "hosts", "x", "l", "a b", "caf\u00e9", "-dash", ".dot"};
  private static final String[] APPS = {"web", "db", "a-b", "x0"};

  @FuzzTest(maxDuration = "25s")
  void planAndApply(FuzzedDataProvider data) throws IOException {
    Path root = Files.createTempDirectory("kvmount-fuzz");
    try {
      run(data, root);
    } finally {
      deleteTree(root);
    }
  }

  private static void run(FuzzedDataProvider data, Path root) throws IOException {
    Path stage1 = Files.createDirectory(root.resolve("stage1"));
    Path outside = Files.createDirectories(root.resolve("outside/d"));
    Files.writeString(outside.resolve("f"), "outside file");
    Files.writeString(root.resolve("outside/a"), "a");
    Path hosts = Files.createDirectory(root.resolve("hosts"));

    List<Map<String, Object>> volumes = new ArrayList<>();
    int nv = data.consumeInt(1, 3);
    for (int i = 0; i < nv; i++) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("name", "v" + i);
      if (data.consumeBoolean()) {
        Path src = hosts.resolve("v" + i);
        if (data.consumeBoolean()) {
          Files.writeString(src, "host file " + i);
        } else {
          Files.createDirectory(src);
        }
        v.put("kind", "host");
        v.put("source", src.toString());
      } else {
        v.put("kind", "empty");
      }
      v.put("readOnly", data.consumeBoolean());
      volumes.add(v);
    }
    List<Map<String, Object>> apps = new ArrayList<>();
    int na = data.consumeInt(1, 2);
    for (int a = 0; a < na; a++) {
      String name = APPS[(a + data.consumeInt(0, APPS.length - 1)) % APPS.length];
      if (apps.stream().anyMatch(m -> m.get("name").equals(name))) {
        continue;
      }
      Path rootfs = Files.createDirectories(stage1.resolve("opt/stage2").resolve(name).resolve("rootfs"));
      growTree(data, root, rootfs, outside);
      List<Map<String, Object>> mounts = new ArrayList<>();
      int nm = data.consumeInt(1, 3);
      for (int m = 0; m < nm; m++) {
        mounts.add(Map.of("volume", "v" + data.consumeInt(0, nv - 1), "path", mountPath(data)));
      }
      Map<String, Object> app = new LinkedHashMap<>();
      app.put("name", name);
      app.put("image", Map.of("id", "sha512-aa"));
      app.put("mounts", mounts);
      apps.add(app);
    }
    preExisting(data, stage1);
    Map<String, ImageManifest> images = dockerApps(data, root, stage1, apps, outside);
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("acKind", "PodManifest");
    pod.put("acVersion", "0.8.11");
    pod.put("volumes", volumes);
    pod.put("apps", apps);

    Map<String, String> before = snapshot(root, stage1);
    Map<String, String> stage1Before = snapshot(stage1, null);
    try {
      PodManifest manifest = ManifestReader.readPod(JSON.writeValueAsBytes(pod), "pod.json");
      Plan plan = images.isEmpty() ? Kvmount.plan(manifest, stage1).plan()
          : Kvmount.plan(manifest, images, Hypervisors.byName("qemu"), Transport.NINE_P, PlanOptions.defaults(),
              HypervisorOptions.defaults(), stage1).plan();
      assertThat(snapshot(stage1, null)).as("planning writes nothing").isEqualTo(stage1Before);
      // Each copy's image directory as planning saw it (apply may add mount points to it).
      Map<PlannedCopy, Map<String, String>> imageDirs = new LinkedHashMap<>();
      for (PlannedCopy c : plan.copies()) {
        imageDirs.put(c, snapshot(stage1.resolve(c.from().relativeString()), null));
      }
      ApplyResult first = Kvmount.apply(plan, stage1);
      assertThat(snapshot(root, stage1)).as("outside the stage1 rootfs after %s", first).isEqualTo(before);
      for (Map.Entry<PlannedCopy, Map<String, String>> c : imageDirs.entrySet()) {
        if (first.volumesCopied().contains(c.getKey().to().relativeString())) {
          assertThat(snapshot(stage1.resolve(c.getKey().to().relativeString()), null))
              .as("volume %s, a copy of %s", c.getKey().to(), c.getKey().from()).isEqualTo(c.getValue());
        }
      }
      Map<String, String> afterFirst = snapshot(stage1, null);
      ApplyResult second = Kvmount.apply(plan, stage1);
      assertThat(second.nothingChanged()).as("second apply: %s", second).isTrue();
      assertThat(snapshot(stage1, null)).as("stage1 rootfs after the second apply").isEqualTo(afterFirst);
    } catch (ManifestException e) {
      Contract.oneLineMessage(e); // a generated mount path the reader refuses
    } catch (InvalidInputException e) {
      Contract.oneLineMessage(e); // PlanException, or a plan apply refuses
    } catch (IOException e) {
      assertThat(e.getMessage()).as("apply's refusal").isNotBlank(); // documented: a tree apply must not touch
    }
    assertThat(snapshot(root, stage1)).as("outside the stage1 rootfs").isEqualTo(before);
  }

  /** Adds up to eight directories, files and symlinks under an app rootfs. */
  private static void growTree(FuzzedDataProvider data, Path root, Path rootfs, Path outside) throws IOException {
    int n = data.consumeInt(0, 8);
    for (int i = 0; i < n; i++) {
      Path p = rootfs;
      int depth = data.consumeInt(1, 3);
      for (int d = 0; d < depth; d++) {
        p = p.resolve(data.consumeBoolean() ? data.pickValue(NAMES) : safeName(data.consumeString(8)));
      }
      int kind = data.consumeInt(0, 2);
      String link = kind == 2 ? target(data, root, p.getParent(), outside, p) : null;
      try {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(p.getParent(), LinkOption.NOFOLLOW_LINKS)) {
          if (Files.exists(p.getParent(), LinkOption.NOFOLLOW_LINKS)) {
            continue;
          }
          Files.createDirectories(p.getParent());
        }
        switch (kind) {
          case 0 -> Files.createDirectory(p);
          case 1 -> Files.writeString(p, "app file", StandardOpenOption.CREATE_NEW);
          default -> Files.createSymbolicLink(p, Path.of(link));
        }
      } catch (java.nio.file.FileSystemException e) {
        // The generated path runs into an entry already made (a file or a link where a directory
        // would go): the tree stays as it is; this is the test's own tree, not kvmount at work.
      }
    }
  }

  /** A symlink target that, followed on the host, stays inside the temp dir. */
  private static String target(FuzzedDataProvider data, Path root, Path dir, Path outside, Path link) {
    return switch (data.consumeInt(0, 7)) {
      case 0 -> dir.relativize(outside).toString(); // relative, into outside
      case 1 -> outside.toString(); // absolute host path (inside the rootfs: a missing path)
      case 2 -> "../".repeat(data.consumeInt(1, root.relativize(dir).getNameCount())) + data.pickValue(NAMES);
      case 3 -> "/" + data.pickValue(NAMES) + (data.consumeBoolean() ? "/" + data.pickValue(NAMES) : "");
      case 4 -> link.getFileName().toString(); // a loop of one
      case 5 -> data.consumeBoolean() ? "/" : ".";
      case 6 -> dir.relativize(outside.resolve("a")).toString(); // a file outside
      default -> data.pickValue(NAMES) + "/../" + data.pickValue(NAMES);
    };
  }

  private static String safeName(String s) {
    String t = s.replace('/', '_').replace('\0', '_');
    return t.isEmpty() || t.equals(".") || t.equals("..") || t.length() > 100 ? "n" : t;
  }

  private static String mountPath(FuzzedDataProvider data) {
    StringBuilder b = new StringBuilder();
    int n = data.consumeInt(1, 3);
    for (int i = 0; i < n; i++) {
      b.append('/').append(switch (data.consumeInt(0, 5)) {
        case 0 -> "..";
        case 1 -> data.consumeString(6);
        default -> data.pickValue(NAMES);
      });
    }
    return b.toString();
  }

  /**
   * Makes some of the apps Docker apps: an image manifest with the Docker annotation and one or two
   * mount points ({@code m0}, {@code m1}: no pod volume has those names), each over an image
   * directory grown by {@link #imageTree} or at a generated path. Draws nothing when the input is
   * used up, so older inputs replay as before.
   */
  private static Map<String, ImageManifest> dockerApps(FuzzedDataProvider data, Path root, Path stage1,
      List<Map<String, Object>> apps, Path outside) throws IOException {
    Map<String, ImageManifest> images = new LinkedHashMap<>();
    for (Map<String, Object> app : apps) {
      if (!data.consumeBoolean()) {
        continue;
      }
      String name = (String) app.get("name");
      Path rootfs = stage1.resolve("opt/stage2").resolve(name).resolve("rootfs");
      List<Map<String, Object>> mountPoints = new ArrayList<>();
      int n = data.consumeInt(1, 2);
      for (int i = 0; i < n; i++) {
        String path;
        if (data.consumeBoolean()) {
          String dir = data.pickValue(NAMES);
          imageTree(data, root, Files.createDirectories(rootfs.resolve("img").resolve(dir)), outside);
          path = data.pickValue(new String[] {"/img/" + dir, "img/" + dir + "/", "/x/../img/./" + dir,
              "/img/../../../img/" + dir});
        } else {
          path = mountPath(data);
        }
        mountPoints.add(Map.of("name", "m" + i, "path", path));
      }
      Map<String, Object> image = new LinkedHashMap<>();
      image.put("acKind", "ImageManifest");
      image.put("acVersion", "0.8.11");
      image.put("name", "example.com/" + name);
      image.put("annotations", List.of(Map.of("name", "appc.io/docker/repository", "value", "library/" + name)));
      image.put("app", Map.of("exec", List.of("/x"), "user", "0", "group", "0", "mountPoints", mountPoints));
      try {
        images.put(name, ManifestReader.readImage(JSON.writeValueAsBytes(image), "image.json"));
      } catch (ManifestException e) {
        Contract.oneLineMessage(e); // a generated mount path the reader refuses: an appc app then
      }
    }
    return images;
  }

  private static final String[] ODD_NAMES = {"new\nline", "a b", "back\\slash", "...", "-", " ", "caf\u00e9", "x"};
  private static final int[] FILE_MODES = {0644, 0600, 0400, 0444, 0755, 04755, 02755, 06711};
  private static final int[] DIR_MODES = {0755, 0700, 0555, 02775, 01777, 03755, 0750};

  /**
   * Grows an image directory: up to twelve directories, files, symlinks and hard links, with odd
   * names and modes (an owner can always read them: the snapshots read every file).
   */
  private static void imageTree(FuzzedDataProvider data, Path root, Path top, Path outside) throws IOException {
    List<Path> dirs = new ArrayList<>(List.of(top));
    List<Path> files = new ArrayList<>();
    int n = data.consumeInt(0, 12);
    for (int i = 0; i < n; i++) {
      Path dir = dirs.get(data.consumeInt(0, dirs.size() - 1));
      Path p = dir.resolve(data.consumeBoolean() ? data.pickValue(ODD_NAMES) : safeName(data.consumeString(6)));
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      switch (data.consumeInt(0, 4)) {
        case 0 -> dirs.add(Files.createDirectory(p));
        case 1 -> {
          Files.write(p, data.consumeBytes(16), StandardOpenOption.CREATE_NEW);
          files.add(p);
        }
        case 2 -> {
          String t = target(data, root, dir, outside, p);
          Files.createSymbolicLink(p, Path.of(t));
          if (data.consumeBoolean()) { // texts Path.of would rewrite: made through readlink's bytes
            Files.delete(p);
            Files.createSymbolicLink(p, rawLink(t + (data.consumeBoolean() ? "/" : "//.//")));
          }
        }
        case 3 -> {
          if (!files.isEmpty()) {
            Files.createLink(p, files.get(data.consumeInt(0, files.size() - 1)));
          }
        }
        default -> Files.createLink(p, outside.resolve("f")); // a second name of a file outside
      }
    }
    for (Path f : files) {
      Files.setAttribute(f, "unix:mode", data.pickValue(FILE_MODES), LinkOption.NOFOLLOW_LINKS);
    }
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Files.setAttribute(dirs.get(i), "unix:mode", data.pickValue(DIR_MODES), LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * A path holding exactly {@code text}'s bytes, slashes and all: read back from a scratch symlink
   * ({@code readlink} gives the bytes as they are; {@code Path.of} drops a trailing or doubled
   * slash).
   */
  private static Path rawLink(String text) throws IOException {
    Path scratch = Files.createTempDirectory("kvmount-fuzz-link");
    try {
      Path l = scratch.resolve("l");
      Process p = new ProcessBuilder("ln", "-s", "--", text, l.toString()).redirectErrorStream(true).start();
      try {
        if (p.waitFor() != 0) {
          throw new IOException("ln -s failed: " + new String(p.getInputStream().readAllBytes()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      return Files.readSymbolicLink(l);
    } finally {
      deleteTree(scratch);
    }
  }

  /** Maybe puts a file or a symlink where kvmount writes its units or keeps its state. */
  private static void preExisting(FuzzedDataProvider data, Path stage1) throws IOException {
    switch (data.consumeInt(0, 4)) {
      case 0 -> {
        Path units = Files.createDirectories(stage1.resolve("usr/lib/systemd/system"));
        Files.writeString(units.resolve("var-data.mount"), "[Mount]\nWhat=other\n");
      }
      case 1 -> Files.writeString(stage1.resolve(".kvmount"), "not a directory");
      case 2 -> Files.createSymbolicLink(Files.createDirectories(stage1.resolve("usr/lib/systemd")).resolve("system"),
          Path.of("../../../../outside"));
      default -> { }
    }
  }

  /**
   * Type, mode (set-id and sticky bits too) and content (or link target, as {@code readlink} gives
   * it) of every entry under {@code dir}, except {@code skip}.
   */
  private static Map<String, String> snapshot(Path dir, Path skip) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(p -> skip == null || !p.startsWith(skip)).forEach(p -> {
        try {
          String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
              + String.format(" %04o", ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777);
          String what;
          if (Files.isSymbolicLink(p)) {
            what = "link " + Files.readSymbolicLink(p);
          } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            what = "dir " + mode;
          } else {
            what = "file " + mode + " " + Sha256.hex(Files.readAllBytes(p));
          }
          out.put(dir.relativize(p).toString(), what);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    return out;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
        Files.setAttribute(p, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS); // image trees hold 0555 ones
      }
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
