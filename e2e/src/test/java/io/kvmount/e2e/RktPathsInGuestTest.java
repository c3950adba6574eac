package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 24, behaviours 2 to 4, in a booted guest: mount paths with {@code ..}, relative mount
 * paths, and the same mount written twice, for appc apps whose app rootfs trees hold what rkt's
 * functional test image holds ({@code dir1}, {@code dir2}, a relative link {@code
 * dir1/link_rel_dir2 -> ../dir2}, an absolute link {@code link_abs_dir2 -> /dir2}, a link to
 * {@code /}, a link climbing above {@code /} and a link to a missing directory; see {@link
 * #rktTestImage}). One pod, booted once ({@link #buildPod}):
 *
 * <ul>
 *   <li>{@code dotdot} ({@code apps[0]}): {@code ..} resolved inside the app rootfs, also after each
 *       kind of symlink;
 *   <li>{@code relative} ({@code apps[1]}): a relative pod-level mount and a relative mount point of
 *       the pod's {@code app} section, read from the app's root;
 *   <li>{@code repeat} ({@code apps[2]}): one volume at {@code /mnt}, {@code /mnt/} and {@code
 *       /x/../mnt}, which is one mount; the same with mount points of the pod's {@code app} section
 *       ({@code /srv}, {@code /srv/}, {@code srv/.}, {@code /x/../srv}).
 * </ul>
 *
 * <p>Every mount gets its own host volume holding {@code seed.txt}; the app reads it at the
 * target rkt would use and writes {@code from-guest.txt} through the path (as written where the
 * guest kernel resolves it the same way inside the app rootfs), and the test finds the file in
 * that host volume, the empty mount point directory where kvmount made it in the app rootfs, and
 * nothing outside the app rootfs. kvmount's own report of the run (JSON {@code mounts} with
 * {@code origin} and {@code note}, and the warnings) is checked too.
 */
@ExtendWith(E2eCondition.class)
class RktPathsInGuestTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();

  /** The apps of this class, in manifest order (their indices appear in kvmount's origins). */
  private static final List<String> APPS = List.of("dotdot", "relative", "repeat");

  /**
   * One mount of the pod, each on a host volume of its own.
   *
   * @param app the app that mounts it
   * @param volume the host volume (also the mount point name for a mount point)
   * @param written the path as the manifest writes it
   * @param mountPoint true for a mount point of the pod's {@code app} section, false for a
   *     pod-level mount
   * @param resolved where rkt mounts it, as the app sees it
   * @param writeVia the app path the guest writes through ({@code written} where the kernel, as
   *     inside the app rootfs, resolves it to {@code resolved}; else {@code resolved})
   * @param origin kvmount's {@code origin} of the mount
   * @param note kvmount's {@code note} of the mount
   */
  private record Case(
      String app, String volume, String written, boolean mountPoint, String resolved, String writeVia, String origin,
      String note) {
    /** The mount point directory in the stage1 rootfs, as a guest path. */
    String where() {
      return "/opt/stage2/" + app + "/rootfs" + resolved;
    }
  }

  private static final List<Case> CASES = List.of(
      // Behaviour 2: ".." is resolved inside the app rootfs, clamped at its root.
      new Case("dotdot", "dd-foo", "/dir1/../../../foo", false, "/foo", "/foo", "apps[0].mounts[0]",
          "path \"/dir1/../../../foo\" as written, \"..\" resolved inside the app rootfs; mounted at /foo in the app"),
      new Case("dotdot", "dd-dir2-foo", "/dir1/../dir1/.//link_rel_dir2/foo", false, "/dir2/foo",
          "/dir1/../dir1/.//link_rel_dir2/foo", "apps[0].mounts[1]",
          "path \"/dir1/../dir1/.//link_rel_dir2/foo\" as written, \"..\" resolved inside the app rootfs;"
              + " mounted at /dir2/foo in the app"),
      // A ".." after a symlink applies to the link's target.
      new Case("dotdot", "dd-x", "/dir1/link_rel_dir2/../x", false, "/x", "/dir1/link_rel_dir2/../x",
          "apps[0].mounts[2]",
          "path \"/dir1/link_rel_dir2/../x\" as written, \"..\" resolved inside the app rootfs; mounted at /x in"
              + " the app"),
      new Case("dotdot", "dd-abs", "/link_abs_dir2/../v", false, "/v", "/v", "apps[0].mounts[3]",
          "path \"/link_abs_dir2/../v\" as written, \"..\" resolved inside the app rootfs; mounted at /v in the app"),
      new Case("dotdot", "dd-root", "/link_abs_root/../../dir2/bar", false, "/dir2/bar", "/dir2/bar",
          "apps[0].mounts[4]",
          "path \"/link_abs_root/../../dir2/bar\" as written, \"..\" resolved inside the app rootfs; mounted at"
              + " /dir2/bar in the app"),
      new Case("dotdot", "dd-up", "/link_rel_up_dir2/../y", false, "/y", "/y", "apps[0].mounts[5]",
          "path \"/link_rel_up_dir2/../y\" as written, \"..\" resolved inside the app rootfs; mounted at /y in the"
              + " app"),
      new Case("dotdot", "dd-missing", "/link_missing/../z", false, "/nonexistent/z", "/nonexistent/z",
          "apps[0].mounts[6]",
          "path \"/link_missing/../z\" as written, \"..\" resolved inside the app rootfs; mounted at /nonexistent/z"
              + " in the app"),
      // Behaviour 3: relative paths are read from the app's root.
      new Case("relative", "rel-dir1", "dir1", false, "/dir1", "dir1", "apps[1].mounts[0]",
          "path \"dir1\" as written, relative: read from the app's root; mounted at /dir1 in the app"),
      // Not through dir1: the mount above covers the image's dir1 (and its link) in the guest.
      new Case("relative", "rel-mp", "link_abs_dir2/../w", true, "/w", "/w", "apps[1].app.mountPoints[0]",
          "path \"link_abs_dir2/../w\" as written, relative: read from the app's root, \"..\" resolved inside"
              + " the app rootfs; mounted at /w in the app"));

  /**
   * One mount written several times in app {@code repeat} (behaviour 4): the same host volume and
   * access under spellings of one target, which must be one mount.
   *
   * @param volume the host volume (also the mount point name for mount points)
   * @param mountPoint true for mount points of the pod's {@code app} section, false for pod-level
   *     mounts
   * @param target the one target, as the app sees it
   * @param spellings the paths as written, the first one kept
   * @param origin kvmount's {@code origin} of the one mount
   */
  private record Repeat(String volume, boolean mountPoint, String target, List<String> spellings, String origin) {}

  private static final List<Repeat> REPEATS = List.of(
      new Repeat("same", false, "/mnt", List.of("/mnt", "/mnt/", "/x/../mnt"), "apps[2].mounts[0]"),
      new Repeat("same-mp", true, "/srv", List.of("/srv", "/srv/", "srv/.", "/x/../srv"),
          "apps[2].app.mountPoints[0]"));

  private static GuestPod pod;
  private static GuestPod.Generated generated;
  private static GuestPod.Boot boot;

  @BeforeAll
  static void bootPod() throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("rkt-paths"));
    buildPod(pod);
    Path image = dockerApp(pod);
    generated = pod.generate(List.of("--image-manifest", DOCKER + "=" + image));
    boot = pod.boot(generated.hypervisorArgs());
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
  }

  /**
   * Declares the apps (in {@link #APPS} order), their images, volumes, mounts and probes. Another
   * app can join the boot by being declared after these (so the origins {@code apps[0..2]} stay);
   * generate options it needs (an image manifest, say) go to {@code pod.generate} in {@link
   * #bootPod}.
   *
   * @throws IOException if a file of the pod cannot be written
   */
  static void buildPod(GuestPod pod) throws IOException {
    for (String app : APPS) {
      rktTestImage(pod, app);
    }
    for (Case c : CASES) {
      Path source = pod.hostDir(c.volume());
      Files.writeString(source.resolve("seed.txt"), c.volume() + " from the host");
      pod.hostVolume(c.volume(), source, null);
      GuestPod.App app = pod.app(c.app());
      if (c.mountPoint()) {
        app.mountPoint(c.volume(), c.written(), false);
      } else {
        app.mount(c.volume(), c.written());
      }
      app.mounted("start.mounted " + c.volume(), c.resolved())
          .read("read " + c.volume(), c.resolved() + "/seed.txt")
          .write("write " + c.volume(), appPath(c.writeVia()) + "/from-guest.txt", c.volume() + " from the guest")
          .list("list " + c.volume(), c.resolved());
    }
    for (String app : List.of("dotdot", "relative")) {
      pod.app(app).list("root", "/");
    }

    GuestPod.App repeat = pod.app("repeat");
    for (Repeat m : REPEATS) {
      Path source = pod.hostDir(m.volume());
      Files.writeString(source.resolve("seed.txt"), m.volume() + " from the host");
      pod.hostVolume(m.volume(), source, null);
      for (String path : m.spellings()) {
        if (m.mountPoint()) {
          repeat.mountPoint(m.volume(), path, false);
        } else {
          repeat.mount(m.volume(), path);
        }
      }
      // How many mounts /proc/self/mountinfo lists at the app's target, and of the volume's share.
      String count = " \"$(cut -d' ' -f5 /proc/self/mountinfo | grep -cx -- ";
      repeat.mounted("start.mounted " + m.volume(), m.target())
          .line("say " + Shell.quote("mountinfo " + m.volume()) + count + "\"$R\"" + Shell.quote(m.target()) + ")\"")
          .line("say " + Shell.quote("mountinfo.share " + m.volume()) + count + Shell.quote("/mnt/" + m.volume()) + ")\"")
          .read("read " + m.volume(), m.target() + "/seed.txt")
          .write("write " + m.volume(), m.target() + "//from-guest.txt", m.volume() + " from the guest")
          .list("list " + m.volume(), m.target());
    }
    repeat.list("root", "/");
  }

  /**
   * Lays out rkt's functional test image in the app rootfs of {@code app} (in the stage1 rootfs at
   * {@code opt/stage2/<app>/rootfs}): directories {@code dir1} and {@code dir2}, each with a file,
   * and the links {@code dir1/link_rel_dir2 -> ../dir2}, {@code link_abs_dir2 -> /dir2}, {@code
   * link_abs_root -> /}, {@code link_rel_up_dir2 -> ../../../dir2} (above {@code /}) and {@code
   * link_missing -> /nonexistent/dir}.
   *
   * @throws IOException if an entry cannot be created (one already there, too)
   */
  static void rktTestImage(GuestPod pod, String app) throws IOException {
    pod.app(app);
    Path rootfs = pod.stage1().resolve("opt/stage2").resolve(app).resolve("rootfs");
    Files.createDirectories(rootfs.resolve("dir1"));
    Files.createDirectories(rootfs.resolve("dir2"));
    Files.writeString(rootfs.resolve("dir1/file"), "dir1");
    Files.writeString(rootfs.resolve("dir2/file"), "dir2");
    Files.createSymbolicLink(rootfs.resolve("dir1/link_rel_dir2"), Path.of("../dir2"));
    Files.createSymbolicLink(rootfs.resolve("link_abs_dir2"), Path.of("/dir2"));
    Files.createSymbolicLink(rootfs.resolve("link_abs_root"), Path.of("/"));
    Files.createSymbolicLink(rootfs.resolve("link_rel_up_dir2"), Path.of("../../../dir2"));
    Files.createSymbolicLink(rootfs.resolve("link_missing"), Path.of("/nonexistent/dir"));
  }

  /** The app of behaviour 1 ({@code apps[3]}): its image was converted from a Docker image. */
  private static final String DOCKER = "docker";

  /**
   * Declares the app of behaviour 1 after the others: its rootfs is rkt's test image, its {@code
   * dir1} with mode 0750, owner 1234:2345, a set-user-ID file, a hard link and a file of another
   * owner in a 0700 directory; its image manifest (written here, given with {@code
   * --image-manifest}) carries the Docker annotation. Its mount points {@code data} at {@code
   * /dir1} and {@code vialink} at {@code /link_abs_dir2} (which leads to {@code /dir2}) get no
   * volume from the pod: each starts as a copy of what the image holds there. The app reads the
   * image's files through the volume, writes a file into it, and records modes and owners.
   *
   * @return the image manifest
   * @throws IOException if a file of the pod cannot be written
   */
  static Path dockerApp(GuestPod pod) throws IOException {
    rktTestImage(pod, DOCKER);
    Path dir1 = appRootfs(DOCKER).resolve("dir1");
    Files.writeString(dir1.resolve("setuid"), "setuid");
    Files.setAttribute(dir1.resolve("setuid"), "unix:mode", 04755);
    Files.createLink(dir1.resolve("hard"), dir1.resolve("file"));
    Path sub = Files.createDirectory(dir1.resolve("sub"));
    Files.writeString(sub.resolve("x"), "x of 7:8");
    Files.setAttribute(sub.resolve("x"), "unix:uid", 7);
    Files.setAttribute(sub.resolve("x"), "unix:gid", 8);
    Files.setAttribute(sub.resolve("x"), "unix:mode", 0640);
    Files.setAttribute(sub, "unix:mode", 0700);
    Files.setAttribute(dir1, "unix:uid", 1234);
    Files.setAttribute(dir1, "unix:gid", 2345);
    Files.setAttribute(dir1, "unix:mode", 0750);
    pod.app(DOCKER)
        .mounted("start.mounted data", "/dir1")
        .read("read file", "/dir1/file")
        .read("read hard", "/dir1/hard")
        .read("read x", "/dir1/sub/x")
        .read("read via link", "/dir1/link_rel_dir2/file")
        .stat("stat dir1", "/dir1")
        .stat("stat setuid", "/dir1/setuid")
        .stat("stat sub", "/dir1/sub")
        .stat("stat x", "/dir1/sub/x")
        .line("say link \"$(readlink \"$R/dir1/link_rel_dir2\")\"")
        .list("list dir1", "/dir1")
        .write("write data", "/dir1/from-guest.txt", "written by the docker app")
        .write("write hard", "/dir1/hard", "changed through hard")
        .read("read file after", "/dir1/file")
        .read("read vialink", "/dir2/file")
        .stat("stat vialink", "/dir2");
    Path image = pod.work().resolve("docker-image.json");
    Files.writeString(image, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/db\","
        + "\"annotations\":[{\"name\":\"appc.io/docker/repository\",\"value\":\"library/db\"}],"
        + "\"app\":{\"exec\":[\"/bin/true\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":["
        + "{\"name\":\"data\",\"path\":\"/dir1\"},{\"name\":\"vialink\",\"path\":\"/link_abs_dir2\"}]}}");
    pod.app(DOCKER).mountPoint("data", "/dir1", false).mountPoint("vialink", "/link_abs_dir2", false);
    return image;
  }

  private static Path appRootfs(String app) {
    return pod.stage1().resolve("opt/stage2").resolve(app).resolve("rootfs");
  }

  /** A relative path as the probe's {@code $R}-prefixed app path: {@code dir1} is {@code /dir1}. */
  private static String appPath(String path) {
    return path.startsWith("/") ? path : "/" + path;
  }

  /** Names in a directory on the host, sorted, joined by {@code |} (what {@code App.list} records). */
  private static String names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return String.join("|", s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  /** kvmount's JSON {@code mounts} entries of {@code app} with {@code volume}. */
  private static List<JsonNode> jsonMounts(String app, String volume) {
    List<JsonNode> out = new ArrayList<>();
    generated.json().path("mounts").forEach(m -> {
      if (m.path("app").asText().equals(app) && m.path("volume").asText().equals(volume)) {
        out.add(m);
      }
    });
    return out;
  }

  @Test
  void everyPathIsMountedWhereRktMountsIt_andTheVolumeWorksBothWays() throws IOException {
    for (Case c : CASES) {
      Map<String, String> r = boot.results(c.app());
      mountedAs(boot, r, "start.mounted " + c.volume(), "9p", false);
      assertThat(value(boot, r, "read " + c.volume())).as("%s read at %s", c.written(), c.resolved())
          .isEqualTo(c.volume() + " from the host");
      assertThat(value(boot, r, "write " + c.volume())).as("%s written through %s", c.written(), c.writeVia())
          .isEqualTo("OK");
      Path source = pod.work().resolve("host").resolve(c.volume());
      assertThat(value(boot, r, "list " + c.volume())).as("the app's %s", c.resolved())
          .isEqualTo("from-guest.txt|seed.txt");
      assertThat(names(source)).as("host volume of %s", c.written()).isEqualTo("from-guest.txt|seed.txt");
      assertThat(source.resolve("from-guest.txt")).hasContent(c.volume() + " from the guest");
      // The mount point in the app rootfs: a directory (kvmount's, empty; or the image's dir1),
      // which the guest's write did not reach.
      Path mountPoint = pod.stage1().resolve(c.where().substring(1));
      assertThat(Files.isSymbolicLink(mountPoint)).as("mount point of %s is a link", c.written()).isFalse();
      assertThat(mountPoint).as("mount point of %s", c.written()).isDirectory();
      assertThat(names(mountPoint)).as("beneath the mount of %s", c.written())
          .isEqualTo(c.resolved().equals("/dir1") ? "file|link_rel_dir2" : "");
    }
  }

  @Test
  void theMountPointsLandInTheAppRootfs_andNothingOutsideIt() throws IOException {
    String image = "dir1|dir2|link_abs_dir2|link_abs_root|link_missing|link_rel_up_dir2";
    Map<String, String> dotdot = boot.results("dotdot");
    assertThat(value(boot, dotdot, "root")).as("the dotdot app's root in the guest")
        .isEqualTo("dir1|dir2|foo|link_abs_dir2|link_abs_root|link_missing|link_rel_up_dir2|nonexistent|v|x|y");
    assertThat(names(appRootfs("dotdot").resolve("dir2"))).isEqualTo("bar|file|foo");
    assertThat(names(appRootfs("dotdot").resolve("nonexistent"))).isEqualTo("z");
    assertThat(value(boot, boot.results("relative"), "root")).as("the relative app's root in the guest")
        .isEqualTo(image + "|w");
    // The relative app's /dir1 is the image's dir1 (its file and link beneath the mount).
    assertThat(names(appRootfs("relative").resolve("dir1"))).isEqualTo("file|link_rel_dir2");
    assertThat(value(boot, boot.results("repeat"), "root")).as("the repeat app's root in the guest")
        .isEqualTo(image + "|mnt|srv");
    for (String app : APPS) {
      assertThat(names(appRootfs(app).getParent())).as("opt/stage2/%s", app).isEqualTo("rootfs");
      // The links are the image's, untouched.
      assertThat(Files.readSymbolicLink(appRootfs(app).resolve("link_missing"))).hasToString("/nonexistent/dir");
      assertThat(Files.readSymbolicLink(appRootfs(app).resolve("link_abs_root"))).hasToString("/");
    }
    // Where an unclamped ".." or a link followed on the host would have led.
    for (String outside : List.of("opt/stage2/foo", "opt/stage2/x", "foo", "v", "w", "x", "y", "nonexistent",
        "dir2", "opt/stage2/dotdot/foo")) {
      assertThat(Files.exists(pod.stage1().resolve(outside), LinkOption.NOFOLLOW_LINKS))
          .as("stage1 rootfs /%s", outside).isFalse();
    }
  }

  @Test
  void theSameMountWrittenTwice_isOneMount_andWorks() throws IOException {
    Map<String, String> r = boot.results("repeat");
    List<String> units = new ArrayList<>();
    generated.json().path("units").forEach(u -> units.add(u.path("name").asText()));
    for (Repeat m : REPEATS) {
      mountedAs(boot, r, "start.mounted " + m.volume(), "9p", false);
      assertThat(value(boot, r, "mountinfo " + m.volume())).as("mounts at the app's %s in /proc/self/mountinfo",
          m.target()).isEqualTo("1");
      assertThat(value(boot, r, "mountinfo.share " + m.volume())).as("mounts of the share of %s", m.volume())
          .isEqualTo("1");
      assertThat(value(boot, r, "read " + m.volume())).isEqualTo(m.volume() + " from the host");
      assertThat(value(boot, r, "write " + m.volume())).isEqualTo("OK");
      assertThat(value(boot, r, "list " + m.volume())).isEqualTo("from-guest.txt|seed.txt");
      Path source = pod.work().resolve("host").resolve(m.volume());
      assertThat(names(source)).isEqualTo("from-guest.txt|seed.txt");
      assertThat(source.resolve("from-guest.txt")).hasContent(m.volume() + " from the guest");
      assertThat(names(appRootfs("repeat").resolve(m.target().substring(1)))).isEmpty();
      // kvmount planned one mount, one bind unit and one share for it.
      List<JsonNode> mounts = jsonMounts("repeat", m.volume());
      assertThat(mounts).as("JSON mounts of %s", m.volume()).hasSize(1);
      assertThat(mounts.get(0).path("path").asText()).isEqualTo(m.target());
      assertThat(mounts.get(0).path("where").asText()).isEqualTo("/opt/stage2/repeat/rootfs" + m.target());
      assertThat(mounts.get(0).path("origin").asText()).isEqualTo(m.origin());
      // The note names every other spelling that was merged into it.
      for (String other : m.spellings().subList(1, m.spellings().size())) {
        assertThat(mounts.get(0).path("note").asText()).as("note of %s", m.volume())
            .contains("also written as \"" + other + "\" (");
      }
      assertThat(generated.hypervisorArgs())
          .filteredOn(a -> a.contains("path=" + GuestPod.qemuValue(source.toString()) + ","))
          .as("-fsdev of %s", m.volume())
          .hasSize(1);
    }
    assertThat(units).filteredOn(u -> u.startsWith("opt-stage2-repeat-rootfs-")).containsExactlyInAnyOrder(
        "opt-stage2-repeat-rootfs-mnt.mount", "opt-stage2-repeat-rootfs-srv.mount");
    assertThat(appRootfs("repeat").resolve("x")).doesNotExist();
  }

  @Test
  void kvmountReportsWhereEachPathWasResolved_inItsJsonAndWarnings() {
    for (Case c : CASES) {
      List<JsonNode> mounts = jsonMounts(c.app(), c.volume());
      assertThat(mounts).as("JSON mounts of volume %s", c.volume()).hasSize(1);
      JsonNode m = mounts.get(0);
      assertThat(m.path("path").asText()).as("path of %s", c.written()).isEqualTo(c.resolved());
      assertThat(m.path("where").asText()).as("where of %s", c.written()).isEqualTo(c.where());
      assertThat(m.path("origin").asText()).as("origin of %s", c.written()).isEqualTo(c.origin());
      assertThat(m.path("note").asText()).as("note of %s", c.written()).isEqualTo(c.note());
    }
    Set<String> ours = Set.copyOf(APPS);
    assertThat(generated.warnings())
        .filteredOn(w -> ours.stream().anyMatch(a -> w.startsWith("app \"" + a + "\"")))
        .containsExactlyInAnyOrder(
            "app \"relative\": mount of volume \"rel-dir1\" (apps[1].mounts[0].path) has the relative path"
                + " \"dir1\", read from the app's root as \"/dir1\" (as rkt and OCI runtime-spec 1.2 read it)",
            "app \"relative\": mount point \"rel-mp\" (apps[1].app.mountPoints[0].path) has the relative path"
                + " \"link_abs_dir2/../w\", read from the app's root as \"/link_abs_dir2/../w\" (as rkt and OCI"
                + " runtime-spec 1.2 read it)",
            "app \"repeat\": apps[2].mounts[1] mounts volume \"same\" at \"/mnt/\", the same volume and access on"
                + " the same target as apps[2].mounts[0] (\"/mnt\", /mnt): one mount",
            "app \"repeat\": apps[2].mounts[2] mounts volume \"same\" at \"/x/../mnt\", the same volume and access"
                + " on the same target as apps[2].mounts[0] (\"/mnt\", /mnt): one mount",
            "app \"repeat\": mount point \"same-mp\" at \"/srv/\" (apps[2].app.mountPoints[1]) repeats"
                + " apps[2].app.mountPoints[0] (/srv), the same volume and access: one mount",
            "app \"repeat\": mount point \"same-mp\" (apps[2].app.mountPoints[2].path) has the relative path"
                + " \"srv/.\", read from the app's root as \"/srv/.\" (as rkt and OCI runtime-spec 1.2 read it)",
            "app \"repeat\": mount point \"same-mp\" at \"srv/.\" (apps[2].app.mountPoints[2]) repeats"
                + " apps[2].app.mountPoints[0] (/srv), the same volume and access: one mount",
            "app \"repeat\": mount point \"same-mp\" at \"/x/../srv\" (apps[2].app.mountPoints[3]) repeats"
                + " apps[2].app.mountPoints[0] (/srv), the same volume and access: one mount");
  }

  @Test
  void aDockerImagesVolume_startsAsACopyOfTheImage_withItsModesAndOwners() throws IOException {
    Map<String, String> r = boot.results(DOCKER);
    assertThat(value(boot, r, "start.mounted data")).as("the volume at the app's /dir1").isNotEqualTo("ABSENT");
    assertThat(value(boot, r, "read file")).isEqualTo("dir1");
    assertThat(value(boot, r, "read hard")).isEqualTo("dir1");
    assertThat(value(boot, r, "read x")).isEqualTo("x of 7:8");
    assertThat(value(boot, r, "read via link")).isEqualTo("dir2");
    assertThat(value(boot, r, "link")).isEqualTo("../dir2");
    assertThat(value(boot, r, "stat dir1")).as("the volume directory takes the image directory's").isEqualTo(
        "750 1234 2345");
    assertThat(value(boot, r, "stat setuid")).isEqualTo("4755 0 0");
    assertThat(value(boot, r, "stat sub")).isEqualTo("700 0 0");
    assertThat(value(boot, r, "stat x")).isEqualTo("640 7 8");
    assertThat(value(boot, r, "list dir1")).isEqualTo("file|hard|link_rel_dir2|setuid|sub");
    assertThat(value(boot, r, "write data")).isEqualTo("OK");
    assertThat(value(boot, r, "write hard")).isEqualTo("OK");
    assertThat(value(boot, r, "read file after")).as("a hard link stays one file in the volume")
        .isEqualTo("changed through hard");
    assertThat(value(boot, r, "read vialink")).as("the mount point reached through a link copies where it leads")
        .isEqualTo("dir2");
    // The app wrote into the volume, never into the image (a copy, not the image's directory).
    Path volume = pod.stage1().resolve("mnt/docker-data");
    assertThat(volume.resolve("from-guest.txt")).hasContent("written by the docker app");
    assertThat(volume.resolve("file")).hasContent("changed through hard");
    Path image = appRootfs(DOCKER).resolve("dir1");
    assertThat(names(image)).isEqualTo("file|hard|link_rel_dir2|setuid|sub");
    assertThat(image.resolve("file")).hasContent("dir1");
    // kvmount said what it copied.
    List<JsonNode> data = jsonMounts(DOCKER, "docker-data");
    assertThat(data).hasSize(1);
    assertThat(data.get(0).path("origin").asText()).isEqualTo("apps[3].app.mountPoints[0]");
    assertThat(data.get(0).path("note").asText()).isEqualTo("starts as a copy of the image's \"/dir1\" (6 entries, 18"
        + " bytes; mode 0750, owner 1234:2345), made when the volume directory /mnt/docker-data is created; a later"
        + " run leaves its content alone (Docker's volume rule: the image is a Docker image)");
    assertThat(jsonMounts(DOCKER, "docker-vialink").get(0).path("note").asText())
        .startsWith("starts as a copy of the image's \"/dir2\" (1 entry, 4 bytes;");
    assertThat(generated.warnings()).contains("app \"docker\": the pod's \"app\" section replaces the image's; the"
        + " image manifest given with --image-manifest is used only for its Docker annotation"
        + " (appc.io/docker/repository \"library/db\")");
  }
}
