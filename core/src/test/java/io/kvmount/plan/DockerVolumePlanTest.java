package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.apply.DockerImage;
import io.kvmount.apply.NioGuestFs;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.path.GuestPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, behaviour 1, planned: which implicit volumes of an app with a Docker image start as a
 * copy of the image ({@link MountResolver.Resolution#imageCopies()}), and what {@link ImageCopy}
 * reads of a real image tree into the {@link PlannedCopy} (applying it: {@code
 * DockerVolumeCopyTest}).
 */
class DockerVolumePlanTest {

  @TempDir Path tmp;
  Path stage1;
  boolean root;

  @BeforeEach
  void image() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path probe = Files.createTempFile(tmp, "uid", "");
    root = ((Integer) Files.getAttribute(probe, "unix:uid")) == 0;
    DockerImage.build(stage1, root);
  }

  private Plan plan(PodManifest pod, ImageManifest image) throws Exception {
    return Planner.plan(pod, Map.of("db", image), PlanOptions.defaults(), new NioGuestFs(stage1));
  }

  private Plan plan() throws Exception {
    return plan(DockerImage.pod(), DockerImage.image());
  }

  private static ResolvedMount mount(Plan p, String volume) {
    return p.mounts().stream().filter(m -> m.volume().equals(volume)).findFirst().orElseThrow();
  }

  private static List<String> describe(PlannedCopy c) {
    List<String> out = new ArrayList<>();
    for (PlannedCopy.Entry e : c.entries()) {
      out.add(e.path() + " " + e.type() + (e.type() == PlannedCopy.Type.SYMLINK ? "" : " " + String.format("%04o",
          e.mode())) + (e.target().isEmpty() ? "" : " -> " + e.target()) + (e.type() == PlannedCopy.Type.FILE ? " "
          + e.size() : ""));
    }
    return out;
  }

  @Test
  void plan_listsEveryEntryOfTheImageDirectory_parentsFirst_linksAsText() throws Exception {
    Plan p = plan();
    assertThat(p.copies()).hasSize(2);
    PlannedCopy data = p.copies().get(0);
    assertThat(data.volume()).isEqualTo("db-data");
    assertThat(data.app()).isEqualTo("db");
    assertThat(data.origin()).isEqualTo("image manifest of app \"db\": app.mountPoints[0]");
    assertThat(data.from()).hasToString("/opt/stage2/db/rootfs/dir1");
    assertThat(data.to()).hasToString("/mnt/db-data");
    assertThat(data.modified()).isEqualTo(DockerImage.DIR1_TIME);
    assertThat(describe(data)).containsExactly(
        "file FILE 4755 5",
        "hard HARD_LINK 4755 -> file",
        "link_abs_dir2 SYMLINK -> /dir2",
        "link_missing SYMLINK -> /missing",
        "link_rel_dir2 SYMLINK -> ../dir2",
        "link_root SYMLINK -> /",
        "link_up SYMLINK -> ../../../../dir2",
        "sub DIRECTORY 0700",
        "sub/empty FILE 0644 0",
        "sub/x FILE 0640 2");
    assertThat(data.bytes()).isEqualTo(7);
    // The mount point reached through the image's symlink copies where it leads, inside the app.
    PlannedCopy vialink = p.copies().get(1);
    assertThat(vialink.from()).hasToString("/opt/stage2/db/rootfs/dir2");
    assertThat(describe(vialink)).containsExactly("foo FILE 0644 12");
    assertThat(mount(p, "db-vialink").note().orElseThrow()).startsWith("starts as a copy of the image's \"/dir2\" (1"
        + " entry, 12 bytes; mode 0755");
    // The volume directory takes the image directory's mode and owner; managed, as any empty volume.
    PlannedDirectory dir = p.directories().stream().filter(d -> d.path().toString().equals("/mnt/db-data"))
        .findFirst().orElseThrow();
    assertThat(dir.mode().bits()).isEqualTo(0750);
    assertThat(dir.managed()).isTrue();
    assertThat(dir.uid()).isEqualTo(root ? 1234 : ownerOf(stage1, "uid"));
    assertThat(dir.gid()).isEqualTo(root ? 2345 : ownerOf(stage1, "gid"));
    assertThat(mount(p, "db-data").note()).hasValue("starts as a copy of the image's \"/dir1\" (10 entries, 7 bytes;"
        + " mode 0750, owner " + dir.uid() + ":" + dir.gid() + "), made when the volume directory /mnt/db-data is"
        + " created; a later run leaves its content alone (Docker's volume rule: the image is a Docker image)");
    // Nothing in the image there: an empty volume as for any image.
    assertThat(mount(p, "db-nothing").note()).hasValue("starts empty (mode 0755, uid 0, gid 0): the Docker image has"
        + " nothing at \"/not/in/image\" to copy");
    assertThat(p.warnings()).contains("app \"db\": mount point \"data\" (/dir1) has no volume; using a new empty"
        + " volume \"db-data\" that starts as a copy of the directory the image holds there, if any, with its mode and"
        + " owner (a Docker image, appc.io/docker/repository \"library/db\": Docker's volume rule)");
  }

  private static long ownerOf(Path p, String which) throws Exception {
    return Integer.toUnsignedLong((Integer) Files.getAttribute(p, "unix:" + which));
  }

  @Test
  void anAppcImage_orADeclaredVolume_isNotCopied() throws Exception {
    ImageManifest appc = ManifestReader.readImage(DockerImage.APPC_IMAGE_JSON.getBytes(StandardCharsets.UTF_8), "i");
    Plan p = plan(DockerImage.pod(), appc);
    assertThat(p.copies()).isEmpty();
    assertThat(mount(p, "db-data").note()).isEmpty();
    assertThat(p.warnings()).contains("app \"db\": mount point \"data\" (/dir1) has no volume; using a new empty"
        + " volume \"db-data\" (mode 0755, uid 0, gid 0)");
    // A volume the pod declares for the mount point is the pod's choice: never a copy.
    PodManifest declared = ManifestReader.readPod(DockerImage.POD_JSON.replace("\"volumes\":[]",
        "\"volumes\":[{\"name\":\"data\",\"kind\":\"empty\"}]").getBytes(StandardCharsets.UTF_8), "pod.json");
    Plan q = plan(declared, DockerImage.image());
    assertThat(q.copies()).extracting(PlannedCopy::volume).containsExactly("db-vialink");
    assertThat(mount(q, "data").note()).isEmpty();
  }

  @Test
  void podAppSection_withADockerImageManifest_stillCopies() throws Exception {
    PodManifest pod = ManifestReader.readPod(DockerImage.POD_JSON.replace("\"image\":{\"id\":\"sha512-0\"}",
        "\"image\":{\"id\":\"sha512-0\"},\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":["
            + "{\"name\":\"d\",\"path\":\"dir1/../dir1/sub\"}]}").getBytes(StandardCharsets.UTF_8), "pod.json");
    Plan p = plan(pod, DockerImage.image());
    assertThat(p.copies()).hasSize(1);
    assertThat(p.copies().get(0).from()).hasToString("/opt/stage2/db/rootfs/dir1/sub");
    assertThat(describe(p.copies().get(0))).containsExactly("empty FILE 0644 0", "x FILE 0640 2");
    assertThat(p.warnings()).contains("app \"db\": the pod's \"app\" section replaces the image's; the image manifest"
        + " given with --image-manifest is used only for its Docker annotation (appc.io/docker/repository"
        + " \"library/db\")");
    assertThat(mount(p, "db-d").note().orElseThrow()).startsWith("path \"dir1/../dir1/sub\" as written, relative:"
        + " read from the app's root, \"..\" resolved inside the app rootfs; mounted at /dir1/sub in the app; starts as"
        + " a copy of the image's \"/dir1/sub\" (2 entries, 2 bytes; mode 0700");
  }

  @Test
  void aPipeInTheImage_isRefusedNamingIt() throws Exception {
    Path fifo = stage1.resolve("opt/stage2/db/rootfs/dir1/sub/pipe");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
    assertThat(mk.waitFor()).isZero();
    assertThatThrownBy(this::plan).isInstanceOf(PlanException.class).hasMessage("image manifest of app \"db\":"
        + " app.mountPoints[0]: the image's \"/dir1/sub/pipe\" is a device, socket or pipe; kvmount copies"
        + " directories, regular files and symlinks into a volume; remove it from the image, or declare a volume"
        + " \"data\" in the pod");
  }

  @Test
  void aTreeOverTheLimit_isRefused() throws Exception {
    Path many = stage1.resolve("opt/stage2/db/rootfs/dir2");
    for (int i = 0; i < 20; i++) {
      Files.writeString(many.resolve("f" + i), "");
    }
    GuestFs fs = new NioGuestFs(stage1);
    GuestPath from = GuestPath.parse("/opt/stage2/db/rootfs/dir2");
    GuestPath to = GuestPath.parse("/mnt/db-vialink");
    assertThatThrownBy(() -> ImageCopy.entries(fs, from, to, "app \"db\": x", "/dir2", "vialink", 10))
        .isInstanceOf(PlanException.class)
        .hasMessage("app \"db\": x: the image holds more than 10 files below \"/dir2\", too many to copy into a"
            + " volume; declare a volume \"vialink\" in the pod (a host volume with the data, or an empty one)");
    assertThat(ImageCopy.entries(fs, from, to, "app \"db\": x", "/dir2", "vialink", 21)).hasSize(21);
    // The limit is the most entries allowed: one more is refused.
    assertThatThrownBy(() -> ImageCopy.entries(fs, from, to, "app \"db\": x", "/dir2", "vialink", 20))
        .hasMessageContaining("more than 20 files");
  }

  @Test
  void anEntryTooDeepForItsVolume_isRefused() throws Exception {
    // A volume directory of 4020 bytes leaves 74 (of Linux's 4095, less a "/") for what lies below it.
    GuestPath to = GuestPath.parse("/mnt" + ("/" + "v".repeat(250)).repeat(16));
    Path deep = Files.createDirectories(stage1.resolve("opt/stage2/db/rootfs/dir2/" + "a".repeat(60) + "/"
        + "b".repeat(10)));
    GuestFs fs = new NioGuestFs(stage1);
    GuestPath from = GuestPath.parse("/opt/stage2/db/rootfs/dir2");
    Files.createDirectory(deep.resolve("cc")); // 74 bytes below the volume: the most there is room for
    assertThat(ImageCopy.entries(fs, from, to, "x", "/dir2", "vialink")).hasSize(4);
    Files.createDirectory(deep.resolve("ccc")); // 75
    assertThatThrownBy(() -> ImageCopy.entries(fs, from, to, "x", "/dir2", "vialink"))
        .isInstanceOf(PlanException.class)
        .hasMessage("x: the image's \"/dir2/" + "a".repeat(60) + "...\" lies too deep: its path in the image or in"
            + " the volume would be longer than Linux's 4095 bytes; declare a volume \"vialink\" in the pod (a host"
            + " volume with the data, or an empty one)");
  }

  @Test
  void aNameListedTwice_isRefused() throws Exception {
    // What a directory gives for a name that is not valid in the file name encoding beside the
    // name it decodes to: one string twice. Both would read the same file.
    GuestFs nio = new NioGuestFs(stage1);
    GuestFs twice = new GuestFs() {
      @Override
      public Kind kind(GuestPath path) throws java.io.IOException {
        return nio.kind(path);
      }

      @Override
      public String readLink(GuestPath path) throws java.io.IOException {
        return nio.readLink(path);
      }

      @Override
      public Stat stat(GuestPath path) throws java.io.IOException {
        return nio.stat(path);
      }

      @Override
      public List<String> list(GuestPath dir) throws java.io.IOException {
        List<String> names = new ArrayList<>(nio.list(dir));
        names.add(0, names.get(0));
        return names;
      }
    };
    GuestPath from = GuestPath.parse("/opt/stage2/db/rootfs/dir2");
    assertThatThrownBy(() -> ImageCopy.entries(twice, from, GuestPath.parse("/mnt/v"), "x", "/dir2", "v"))
        .isInstanceOf(PlanException.class)
        .hasMessageStartingWith("x: the image's \"/dir2/foo\" cannot be read back by its listed name");
    assertThat(ImageCopy.entries(nio, from, GuestPath.parse("/mnt/v"), "x", "/dir2", "v")).hasSize(1);
  }

  @Test
  void withoutAStage1Rootfs_nothingIsCopied() throws Exception {
    Plan p = Planner.plan(DockerImage.pod(), Map.of("db", DockerImage.image()), PlanOptions.defaults(), GuestFs.EMPTY);
    assertThat(p.copies()).isEmpty();
    assertThat(mount(p, "db-data").note()).hasValue("starts empty (mode 0755, uid 0, gid 0): the Docker image has"
        + " nothing at \"/dir1\" to copy");
    // A view that can only tell kinds says so when asked for more.
    GuestFs kindsOnly = new GuestFs() {
      @Override
      public Kind kind(io.kvmount.path.GuestPath path) {
        return Kind.DIRECTORY;
      }

      @Override
      public String readLink(io.kvmount.path.GuestPath path) throws java.io.IOException {
        throw new java.io.IOException("no link");
      }
    };
    assertThatThrownBy(() -> kindsOnly.stat(io.kvmount.path.GuestPath.parse("/a")))
        .isInstanceOf(java.io.IOException.class)
        .hasMessage("stat \"/a\": this view of the stage1 rootfs cannot read attributes");
    assertThatThrownBy(() -> kindsOnly.list(io.kvmount.path.GuestPath.parse("/a")))
        .hasMessage("list \"/a\": this view of the stage1 rootfs cannot list directories");
  }

  @Test
  void oneImplicitVolumeAtTwoPaths_isCopiedOnce_fromTheFirst() throws Exception {
    ImageManifest twice = ManifestReader.readImage(DockerImage.IMAGE_JSON.replace(
        "{\"name\":\"vialink\",\"path\":\"/link_abs_dir2\"}", "{\"name\":\"data\",\"path\":\"/dir2\"}")
        .getBytes(StandardCharsets.UTF_8), "image.json");
    Plan p = plan(DockerImage.pod(), twice);
    assertThat(p.copies()).extracting(c -> c.volume() + " " + c.from())
        .containsExactly("db-data /opt/stage2/db/rootfs/dir1");
    List<ResolvedMount> data = p.mounts().stream().filter(m -> m.volume().equals("db-data")).toList();
    assertThat(data).extracting(m -> m.target().toString())
        .containsExactly("/opt/stage2/db/rootfs/dir1", "/opt/stage2/db/rootfs/dir2");
    assertThat(data.get(1).note()).isEqualTo(data.get(0).note());
    assertThat(data.get(0).note().orElseThrow()).startsWith("starts as a copy of the image's \"/dir1\"");
  }

  @Test
  void entries_refuseWhatNoCopyCanMake() {
    java.nio.file.attribute.FileTime t = java.nio.file.attribute.FileTime.fromMillis(0);
    io.kvmount.path.RelativePath a = io.kvmount.path.RelativePath.parse("a");
    assertThatThrownBy(() -> new PlannedCopy.Entry(io.kvmount.path.RelativePath.EMPTY, PlannedCopy.Type.FILE, 0644,
        0, 0, 0, "", t)).isInstanceOf(IllegalArgumentException.class).hasMessage("empty entry path");
    assertThatThrownBy(() -> new PlannedCopy.Entry(a, PlannedCopy.Type.FILE, 010644, 0, 0, 0, "", t))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("mode 10644 has bits outside 07777");
    assertThatThrownBy(() -> new PlannedCopy.Entry(a, PlannedCopy.Type.SYMLINK, 0777, 0, 0, 0, "", t))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("SYMLINK with target \"\"");
    assertThatThrownBy(() -> new PlannedCopy.Entry(a, PlannedCopy.Type.HARD_LINK, 0644, 0, 0, 0, "", t))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("HARD_LINK with target \"\"");
    assertThatThrownBy(() -> new PlannedCopy.Entry(a, PlannedCopy.Type.FILE, 0644, 0, 0, 0, "b", t))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("FILE with target \"b\"");
    assertThat(new PlannedCopy.Entry(a, PlannedCopy.Type.FILE, 07777, 0, 0, 0, "", t).mode()).isEqualTo(07777);
  }
}
