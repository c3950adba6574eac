package io.kvmount.apply;

import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * A stage1 rootfs holding one app ({@code db}) whose image was converted from a Docker image, with
 * the kinds of entries rkt's volume test image has: directories with their own modes and owners, a
 * set-user-ID file, a hard link, a file owned by another user, and relative, absolute, root,
 * climbing and dangling symlinks (none of them followed by a copy).
 */
public final class DockerImage {

  /** The image manifest: Docker annotation, mount points "data" at /dir1 and "vialink" at /link_abs_dir2. */
  public static final String IMAGE_JSON = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/db\","
      + "\"annotations\":[{\"name\":\"appc.io/docker/repository\",\"value\":\"library/db\"}],"
      + "\"app\":{\"exec\":[\"/x\"],\"user\":\"0\",\"group\":\"0\",\"mountPoints\":["
      + "{\"name\":\"data\",\"path\":\"/dir1\"},{\"name\":\"vialink\",\"path\":\"/link_abs_dir2\"},"
      + "{\"name\":\"nothing\",\"path\":\"/not/in/image\"}]}}";

  /** The same image without the Docker annotation. */
  public static final String APPC_IMAGE_JSON = IMAGE_JSON.replace(
      "\"annotations\":[{\"name\":\"appc.io/docker/repository\",\"value\":\"library/db\"}],", "");

  /** A pod of the one app, with no volumes: every mount point gets an implicit volume. */
  public static final String POD_JSON = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"db\","
      + "\"image\":{\"id\":\"sha512-0\"}}],\"volumes\":[]}";

  /** The image directory's time. */
  public static final FileTime DIR1_TIME = FileTime.fromMillis(1_577_934_245_000L);

  private DockerImage() {}

  /** The pod of {@link #POD_JSON}, read as a user's would be. */
  public static PodManifest pod() throws Exception {
    return ManifestReader.readPod(POD_JSON.getBytes(StandardCharsets.UTF_8), "pod.json");
  }

  /** The image manifest of {@link #IMAGE_JSON}, read as a user's would be. */
  public static ImageManifest image() throws Exception {
    return ManifestReader.readImage(IMAGE_JSON.getBytes(StandardCharsets.UTF_8), "image.json");
  }

  /**
   * Builds the app rootfs in {@code stage1/opt/stage2/db/rootfs}; owners other than root's only
   * when {@code root}.
   *
   * @return the app rootfs
   */
  public static Path build(Path stage1, boolean root) throws IOException {
    Path r = Files.createDirectories(stage1.resolve("opt/stage2/db/rootfs"));
    Path dir1 = Files.createDirectory(r.resolve("dir1"));
    Path dir2 = Files.createDirectory(r.resolve("dir2"));
    Files.writeString(dir2.resolve("foo"), "foo in dir2\n");
    Files.writeString(dir1.resolve("file"), "dir1\n");
    Files.createLink(dir1.resolve("hard"), dir1.resolve("file"));
    Path sub = Files.createDirectory(dir1.resolve("sub"));
    Files.writeString(sub.resolve("x"), "x\n");
    Files.write(sub.resolve("empty"), new byte[0]);
    Files.createSymbolicLink(dir1.resolve("link_rel_dir2"), Path.of("../dir2"));
    Files.createSymbolicLink(dir1.resolve("link_abs_dir2"), Path.of("/dir2"));
    Files.createSymbolicLink(dir1.resolve("link_root"), Path.of("/"));
    Files.createSymbolicLink(dir1.resolve("link_up"), Path.of("../../../../dir2"));
    Files.createSymbolicLink(dir1.resolve("link_missing"), Path.of("/missing"));
    Files.createSymbolicLink(r.resolve("link_abs_dir2"), Path.of("/dir2"));
    set(dir1.resolve("file"), 04755);
    set(sub, 0700);
    set(sub.resolve("x"), 0640);
    if (root) {
      own(sub.resolve("x"), 7, 8);
      own(dir1.resolve("link_abs_dir2"), 9, 10);
      own(dir1, 1234, 2345);
      own(dir2, 55, 66);
    }
    Files.setLastModifiedTime(sub.resolve("x"), FileTime.fromMillis(1_500_000_000_000L));
    Files.setLastModifiedTime(sub, FileTime.fromMillis(1_500_000_001_000L));
    set(dir1, 0750);
    Files.setLastModifiedTime(dir1, DIR1_TIME);
    return r;
  }

  /** Sets the mode bits of {@code p}, not following a symlink. */
  public static void set(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
  }

  /** Sets the owner of {@code p}, not following a symlink. */
  public static void own(Path p, int uid, int gid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
  }
}
