package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanException;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.PlannedCopy;
import io.kvmount.plan.Planner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and awkward inputs for the Docker volume copy (issue 24 behaviour 1), each on a real
 * tree in a temp dir: link texts that Java's path parsing would rewrite, links out of the stage1
 * rootfs and loops, hard links to files outside the copied directory, odd names, unusual modes, an
 * image directory reached through symlinks, a volume directory already there as something else, a
 * staging directory that is not kvmount's, two Docker apps, one volume at two mount points, and a
 * tree over the entry limit. The temp dir holds an {@code outside} directory beside the stage1
 * rootfs; it must never change.
 */
class DockerVolumeCopyAttackTest {

  private static final String POD = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[%s],"
      + "\"volumes\":[]}";

  @TempDir Path tmp;
  Path stage1;
  Path outside;

  @BeforeEach
  void dirs() throws IOException {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    outside = Files.createDirectory(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "outside the stage1 rootfs\n");
  }

  /** A Docker image manifest with the given mount points ({@code name=path}). */
  private static ImageManifest image(String... mountPoints) throws Exception {
    List<String> mp = new ArrayList<>();
    for (String m : mountPoints) {
      String[] nv = m.split("=", 2);
      mp.add("{\"name\":\"" + nv[0] + "\",\"path\":\"" + nv[1] + "\"}");
    }
    String json = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/x\","
        + "\"annotations\":[{\"name\":\"appc.io/docker/repository\",\"value\":\"library/x\"}],"
        + "\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":[" + String.join(",", mp) + "]}}";
    return ManifestReader.readImage(json.getBytes(StandardCharsets.UTF_8), "image.json");
  }

  private static PodManifest pod(String... apps) throws Exception {
    List<String> a = new ArrayList<>();
    for (String name : apps) {
      a.add("{\"name\":\"" + name + "\",\"image\":{\"id\":\"sha512-0\"}}");
    }
    return ManifestReader.readPod(String.format(POD, String.join(",", a)).getBytes(StandardCharsets.UTF_8),
        "pod.json");
  }

  private Plan plan(Map<String, ImageManifest> images, String... apps) throws Exception {
    return Planner.plan(pod(apps), images, PlanOptions.defaults(), new NioGuestFs(stage1));
  }

  private Plan plan() throws Exception {
    return plan(Map.of("db", image("data=/data")), "db");
  }

  private Path rootfs(String app) throws IOException {
    return Files.createDirectories(stage1.resolve("opt/stage2/" + app + "/rootfs"));
  }

  private Path data() throws IOException {
    return Files.createDirectories(rootfs("db").resolve("data"));
  }

  /** Runs {@code sh -c script} in {@code dir} (for names and link texts Java cannot spell). */
  private static void sh(Path dir, String script) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
  }

  /** The raw bytes of a symlink's text, as {@code readlink} prints them. */
  private static byte[] linkBytes(Path link) throws Exception {
    Process p = new ProcessBuilder("readlink", "--", link.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    return out;
  }

  @Test
  void symlinkTexts_areCopiedByteForByte_evenWhereJavaPathsWouldRewriteThem() throws Exception {
    Path data = data();
    // A trailing slash (the link then only resolves to a directory), doubled slashes, "." parts
    // and a text that is not UTF-8: each exactly as the image has it.
    sh(data, "ln -s ../dir2/ trail && ln -s //etc//passwd dbl && ln -s ./a/./b/ dots"
        + " && ln -s \"$(printf 'bad\\377text')\" badtext");
    Plan p = plan();
    PlanWriter.apply(p, stage1);
    Path volume = stage1.resolve("mnt/db-data");
    for (String name : List.of("trail", "dbl", "dots", "badtext")) {
      assertThat(linkBytes(volume.resolve(name))).as(name).isEqualTo(linkBytes(data.resolve(name)));
    }
    assertThat(new String(linkBytes(volume.resolve("trail")), StandardCharsets.UTF_8)).isEqualTo("../dir2/\n");
    // A second run finds nothing to do.
    assertThat(PlanWriter.apply(plan(), stage1).nothingChanged()).isTrue();
  }

  @Test
  void aSymlinkWhoseTextChangedSincePlanning_failsTheCopy_andLeavesNothing() throws Exception {
    Path data = data();
    Files.createSymbolicLink(data.resolve("l"), Path.of("planned"));
    Plan p = plan();
    Files.delete(data.resolve("l"));
    Files.createSymbolicLink(data.resolve("l"), outside.resolve("secret"));
    assertThatThrownBy(() -> PlanWriter.apply(p, stage1)).isInstanceOf(IOException.class).hasMessage("copy"
        + " \"opt/stage2/db/rootfs/data/l\" into volume \"db-data\" in stage1 rootfs \"" + stage1 + "\": it is a"
        + " symlink to \"" + outside.resolve("secret") + "\" now, where planning found one to \"planned\" (the image"
        + " changed since planning); run kvmount again");
    // Rolled back: /mnt, made by the same run, is gone too, and no state was left.
    assertThat(stage1.resolve("mnt")).doesNotExist();
    assertThat(stage1.resolve(".kvmount/state")).doesNotExist();
    PlanWriter.apply(plan(), stage1);
    assertThat(Files.readSymbolicLink(stage1.resolve("mnt/db-data/l"))).isEqualTo(outside.resolve("secret"));
  }

  @Test
  void symlinksOutOfTheStage1Rootfs_andLoops_areCopiedAsLinks_neverFollowed() throws Exception {
    Path data = data();
    Files.createSymbolicLink(data.resolve("abs_out"), outside.resolve("secret"));
    Files.createSymbolicLink(data.resolve("rel_out"), data.relativize(outside.resolve("secret")));
    Files.createSymbolicLink(data.resolve("dir_out"), outside);
    Files.createSymbolicLink(data.resolve("loop"), Path.of("loop"));
    Files.createSymbolicLink(data.resolve("loop_a"), Path.of("loop_b"));
    Files.createSymbolicLink(data.resolve("loop_b"), Path.of("loop_a"));
    Files.createSymbolicLink(data.resolve("up"), Path.of("../../../../../../../../.."));
    SortedMap<String, String> outsideBefore = Fixtures.snapshot(outside, true);
    Plan p = plan();
    assertThat(p.copies().get(0).entries()).extracting(e -> e.path() + " " + e.type()).containsExactly(
        "abs_out SYMLINK", "dir_out SYMLINK", "loop SYMLINK", "loop_a SYMLINK", "loop_b SYMLINK", "rel_out SYMLINK",
        "up SYMLINK");
    PlanWriter.apply(p, stage1);
    Path volume = stage1.resolve("mnt/db-data");
    assertThat(Fixtures.snapshot(volume, false)).isEqualTo(Fixtures.snapshot(data, false));
    assertThat(Files.readSymbolicLink(volume.resolve("abs_out"))).isEqualTo(outside.resolve("secret"));
    try (Stream<Path> s = Files.list(volume)) {
      assertThat(s).allMatch(Files::isSymbolicLink);
    }
    assertThat(Fixtures.snapshot(outside, true)).isEqualTo(outsideBefore);
  }

  @Test
  void aHardLinkToAFileOutsideTheCopiedDirectory_becomesAnIndependentCopy() throws Exception {
    Path data = data();
    Path other = Files.writeString(rootfs("db").resolve("elsewhere"), "image file\n");
    Files.createLink(data.resolve("in_image"), other);
    Path host = Files.createLink(data.resolve("to_outside"), outside.resolve("secret"));
    // Two names inside the copy stay one file in the volume.
    Files.createLink(data.resolve("in_image_2"), other);
    PlanWriter.apply(plan(), stage1);
    Path volume = stage1.resolve("mnt/db-data");
    assertThat(Files.getAttribute(volume.resolve("in_image"), "unix:nlink")).isEqualTo(2);
    assertThat(Files.getAttribute(volume.resolve("to_outside"), "unix:nlink")).isEqualTo(1);
    assertThat(volume.resolve("to_outside")).hasContent("outside the stage1 rootfs");
    // The app writes through the volume: the image and the host file stay as they were.
    Files.writeString(volume.resolve("in_image"), "the app's\n");
    Files.writeString(volume.resolve("to_outside"), "the app's\n");
    assertThat(other).hasContent("image file");
    assertThat(data.resolve("in_image_2")).hasContent("image file");
    assertThat(host).hasContent("outside the stage1 rootfs");
    assertThat(outside.resolve("secret")).hasContent("outside the stage1 rootfs");
    assertThat(volume.resolve("in_image_2")).hasContent("the app's");
  }

  @Test
  void oddNames_newlineSpaceBackslash_areCopied() throws Exception {
    Path data = data();
    Files.writeString(data.resolve("new\nline"), "nl");
    Files.writeString(data.resolve("a b"), "sp");
    Files.writeString(data.resolve("back\\slash"), "bs");
    Files.writeString(data.resolve("caf\u00e9"), "utf8");
    Files.createDirectory(data.resolve(" lead\ttab "));
    Files.createSymbolicLink(data.resolve(" lead\ttab ").resolve("-x"), Path.of("new\nline"));
    PlanWriter.apply(plan(), stage1);
    assertThat(Fixtures.snapshot(stage1.resolve("mnt/db-data"), true)).isEqualTo(Fixtures.snapshot(data, true));
    assertThat(PlanWriter.apply(plan(), stage1).nothingChanged()).isTrue();
  }

  @Test
  void aNameThatIsNotUtf8_isRefusedAtPlanning_andNothingIsWritten() throws Exception {
    Path data = data();
    sh(data, "touch \"$(printf 'n\\376')\"");
    SortedMap<String, String> before = Fixtures.snapshot(stage1, true);
    assertThatThrownBy(this::plan).isInstanceOf(PlanException.class)
        .hasMessageStartingWith("image manifest of app \"db\": app.mountPoints[0]: the image's \"/data/n")
        .hasMessageEndingWith("\" cannot be read back by its listed name (is it valid UTF-8?); rename it in the"
            + " image, or declare a volume \"data\" in the pod")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(Fixtures.snapshot(stage1, true)).isEqualTo(before);
  }

  @Test
  void aNameThatIsNotUtf8_besideOneItDecodesTo_isRefusedAtPlanning() throws Exception {
    Path data = data();
    // "\377" decodes to U+FFFD, the name of the other file: listed twice under one name, it must
    // not become two entries of one path (the copy then failed with "file exists", exit 1).
    sh(data, "touch \"$(printf '\\357\\277\\275')\" \"$(printf '\\377')\"");
    SortedMap<String, String> before = Fixtures.snapshot(stage1, true);
    assertThatThrownBy(this::plan).isInstanceOf(PlanException.class)
        .hasMessage("image manifest of app \"db\": app.mountPoints[0]: the image's \"/data/\ufffd\""
            + " cannot be read back by its listed name (is it valid UTF-8?); rename it in the image, or declare a"
            + " volume \"data\" in the pod");
    assertThat(Fixtures.snapshot(stage1, true)).isEqualTo(before);
  }

  @Test
  void modes_0000_0555_setgid_sticky_andOwners_areCopiedExactly() throws Exception {
    Path data = data();
    Path zero = Files.writeString(data.resolve("zero"), "z");
    DockerImage.set(zero, 0);
    Path closed = Files.createDirectory(data.resolve("closed"));
    Files.writeString(closed.resolve("in"), "in closed");
    Path ro = Files.createDirectory(data.resolve("ro"));
    Files.writeString(ro.resolve("in"), "in ro");
    Files.createDirectory(ro.resolve("sub"));
    Path sgid = Files.createDirectory(data.resolve("sgid"));
    Files.writeString(sgid.resolve("f"), "f");
    Path sticky = Files.createDirectory(data.resolve("sticky"));
    Path setuid = Files.writeString(data.resolve("setuid"), "s");
    boolean root = Fixtures.isRoot(tmp);
    if (root) {
      DockerImage.own(sgid, 0, 7);
      DockerImage.own(sgid.resolve("f"), 5, 6);
      DockerImage.own(data, 11, 12);
      // The parent of the volume directories: set-group-ID and another group, whose bits must not
      // leak into the copy.
      Path mnt = Files.createDirectory(stage1.resolve("mnt"));
      DockerImage.own(mnt, 0, 9);
      DockerImage.set(mnt, 02777);
    }
    DockerImage.set(sgid, 02775);
    DockerImage.set(sticky, 01777);
    DockerImage.set(setuid, 06755);
    DockerImage.set(ro.resolve("sub"), 0555);
    DockerImage.set(ro, 0555);
    DockerImage.set(closed, 0);
    DockerImage.set(data, 02750);
    if (!root) {
      DockerImage.set(closed, 0700); // only root reads a directory of mode 0000
    }
    PlanWriter.apply(plan(), stage1);
    Path volume = stage1.resolve("mnt/db-data");
    assertThat(Fixtures.snapshot(volume, true)).isEqualTo(Fixtures.snapshot(data, true));
    assertThat(Fixtures.statMode(volume)).isEqualTo("2750");
    assertThat(Fixtures.statMode(volume.resolve("setuid"))).isEqualTo("6755");
    assertThat(Fixtures.statMode(volume.resolve("sticky"))).isEqualTo("1777");
    assertThat(PlanWriter.apply(plan(), stage1).nothingChanged()).isTrue();
    assertThat(Fixtures.snapshot(volume, true)).isEqualTo(Fixtures.snapshot(data, true));
  }

  @Test
  void anImageDirectoryReachedThroughSymlinks_absoluteRelativeClimbing_isTheAppsNotTheStage1s() throws Exception {
    Path r = rootfs("db");
    for (String d : List.of("ra", "rb", "rc", "rd")) {
      Files.writeString(Files.createDirectory(r.resolve(d)).resolve("f"), "the app's /" + d + "\n");
      // The stage1 rootfs's own directory of that name: a resolution outside the app copies it.
      Files.writeString(Files.createDirectory(stage1.resolve(d)).resolve("WRONG"), "stage1's /" + d);
    }
    Files.createDirectories(r.resolve("deep/er"));
    Files.createSymbolicLink(r.resolve("abs"), Path.of("/ra"));
    Files.createSymbolicLink(r.resolve("rel"), Path.of("rb"));
    Files.createSymbolicLink(r.resolve("deep/er/climb"), Path.of("../../../../../../../rc"));
    Files.createSymbolicLink(r.resolve("via"), Path.of("deep/er/../er/./climb/../../../rd"));
    Plan p = plan(Map.of("db", image("a=/abs", "b=/rel", "c=/deep/er/climb", "d=/via")), "db");
    assertThat(p.copies()).extracting(c -> c.from().toString()).containsExactly("/opt/stage2/db/rootfs/ra",
        "/opt/stage2/db/rootfs/rb", "/opt/stage2/db/rootfs/rc", "/opt/stage2/db/rootfs/rd");
    PlanWriter.apply(p, stage1);
    Map<String, String> volumes = Map.of("db-a", "ra", "db-b", "rb", "db-c", "rc", "db-d", "rd");
    for (Map.Entry<String, String> v : volumes.entrySet()) {
      assertThat(Fixtures.snapshot(stage1.resolve("mnt").resolve(v.getKey()), true)).as(v.getKey())
          .isEqualTo(Fixtures.snapshot(r.resolve(v.getValue()), true));
    }
  }

  @Test
  void theVolumeDirectoryAlreadyThere_asASymlinkOrAFile_isRefused_andNothingOutsideChanges() throws Exception {
    Files.writeString(data().resolve("f"), "image");
    Path mnt = Files.createDirectory(stage1.resolve("mnt"));
    Files.createSymbolicLink(mnt.resolve("db-data"), outside);
    SortedMap<String, String> outsideBefore = Fixtures.snapshot(outside, true);
    assertThatThrownBy(() -> PlanWriter.apply(plan(), stage1)).isInstanceOf(IOException.class)
        .hasMessage("refusing to create directory \"mnt/db-data\": \"mnt/db-data\" is a symlink");
    assertThat(Fixtures.snapshot(outside, true)).isEqualTo(outsideBefore);
    try (Stream<Path> s = Files.list(mnt)) {
      assertThat(s.map(x -> x.getFileName().toString())).containsExactly("db-data");
    }
    Files.delete(mnt.resolve("db-data"));
    Files.writeString(mnt.resolve("db-data"), "a file");
    assertThatThrownBy(() -> PlanWriter.apply(plan(), stage1)).isInstanceOf(IOException.class)
        .hasMessage("refusing to create directory \"mnt/db-data\": \"mnt/db-data\" is not a directory");
    assertThat(mnt.resolve("db-data")).hasContent("a file");
    assertThat(Fixtures.snapshot(outside, true)).isEqualTo(outsideBefore);
  }

  @Test
  void aForeignNonEmptyVolumeDirectory_isNotCopiedInto_onlyItsModeAndOwnerAreApplied() throws Exception {
    Path data = data();
    Files.writeString(data.resolve("f"), "image");
    DockerImage.set(data, 0750);
    Path vol = Files.createDirectories(stage1.resolve("mnt/db-data"));
    Files.writeString(vol.resolve("mine"), "someone's");
    Changes c = PlanWriter.changes(plan(), stage1);
    assertThat(c.entries()).noneMatch(e -> e.kind() == Changes.Kind.COPY_IMAGE_CONTENT);
    ApplyResult r = PlanWriter.apply(plan(), stage1);
    assertThat(r.volumesCopied()).isEmpty();
    try (Stream<Path> s = Files.list(vol)) {
      assertThat(s.map(x -> x.getFileName().toString())).containsExactly("mine");
    }
    assertThat(Fixtures.statMode(vol)).isEqualTo("750");
  }

  @Test
  void aStagingDirectoryTheStateDoesNotList_isLeftAlone() throws Exception {
    Files.writeString(data().resolve("f"), "image");
    Path mnt = Files.createDirectory(stage1.resolve("mnt"));
    // Not kvmount's: no journal lists it (a user's, or another tool's, of the same prefix).
    Path foreign = Files.createDirectory(mnt.resolve(".kvmount-staging-0011223344556677"));
    Files.writeString(foreign.resolve("keep"), "keep");
    PlanWriter.apply(plan(), stage1);
    PlanWriter.apply(plan(), stage1);
    assertThat(foreign.resolve("keep")).hasContent("keep");
    assertThat(stage1.resolve("mnt/db-data/f")).hasContent("image");
  }

  @Test
  void twoDockerApps_eachGetTheirOwnImagesContent() throws Exception {
    Path web = Files.createDirectories(rootfs("web").resolve("srv"));
    Files.writeString(web.resolve("index"), "web's");
    Files.writeString(data().resolve("f"), "db's");
    Plan p = plan(Map.of("db", image("data=/data"), "web", image("data=/srv")), "db", "web");
    assertThat(p.copies()).extracting(PlannedCopy::volume).containsExactly("db-data", "web-data");
    PlanWriter.apply(p, stage1);
    assertThat(stage1.resolve("mnt/db-data/f")).hasContent("db's");
    assertThat(stage1.resolve("mnt/web-data/index")).hasContent("web's");
    assertThat(stage1.resolve("mnt/db-data/index")).doesNotExist();
    assertThat(PlanWriter.apply(p, stage1).nothingChanged()).isTrue();
  }

  @Test
  void oneImplicitVolumeAtTwoMountPoints_isCopiedOnce_fromTheFirst() throws Exception {
    Path r = rootfs("db");
    Files.writeString(Files.createDirectory(r.resolve("one")).resolve("f1"), "1");
    Files.writeString(Files.createDirectory(r.resolve("two")).resolve("f2"), "2");
    Plan p = plan(Map.of("db", image("data=/one", "data=/two")), "db");
    assertThat(p.copies()).hasSize(1);
    assertThat(p.copies().get(0).from()).hasToString("/opt/stage2/db/rootfs/one");
    assertThat(p.mounts()).filteredOn(m -> m.volume().equals("db-data")).hasSize(2)
        .allSatisfy(m -> assertThat(m.note().orElseThrow()).startsWith("starts as a copy of the image's \"/one\""));
    PlanWriter.apply(p, stage1);
    try (Stream<Path> s = Files.list(stage1.resolve("mnt/db-data"))) {
      assertThat(s.map(x -> x.getFileName().toString())).containsExactly("f1");
    }
  }

  /**
   * The entry limit ({@code ImageCopy.MAX_ENTRIES}, 100,000, a constant): 100,001 empty files.
   * Measured: about 3 s to make them, 1.4 s for kvmount to refuse (exit 3 through the CLI).
   */
  @Test
  void aTreeOfMoreThan100000Entries_isRefusedClearly_andNothingIsWritten() throws Exception {
    Path data = data();
    for (int i = 0; i <= 100_000; i++) {
      Files.createFile(data.resolve(Integer.toString(i)));
    }
    assertThatThrownBy(this::plan).isInstanceOf(PlanException.class).hasMessage("image manifest of app"
        + " \"db\": app.mountPoints[0]: the image holds more than 100000 files below \"/data\", too many to copy into"
        + " a volume; declare a volume \"data\" in the pod (a host volume with the data, or an empty one)");
    assertThat(stage1.resolve("mnt")).doesNotExist();
    assertThat(stage1.resolve(".kvmount")).doesNotExist();
  }

  /** A tree 200 directories deep is copied whole (deeper trees: see the report of issue 24's attack). */
  @Test
  void aDeepTree_isCopied() throws Exception {
    Path d = data();
    for (int i = 0; i < 200; i++) {
      d = Files.createDirectory(d.resolve("d" + i));
    }
    Files.writeString(d.resolve("bottom"), "b");
    PlanWriter.apply(plan(), stage1);
    assertThat(Fixtures.snapshot(stage1.resolve("mnt/db-data"), true))
        .isEqualTo(Fixtures.snapshot(stage1.resolve("opt/stage2/db/rootfs/data"), true));
    assertThat(Files.exists(stage1.resolve("mnt/db-data").resolve(stage1.resolve("opt/stage2/db/rootfs/data")
        .relativize(d)).resolve("bottom"), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }
}
