package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NioGuestFsTest {

  @TempDir Path tmp;
  Path root;
  NioGuestFs fs;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(tmp.resolve("root"));
    Files.createDirectories(root.resolve("opt/stage2/web/rootfs/var"));
    Files.writeString(root.resolve("opt/stage2/web/rootfs/file"), "x");
    Files.createSymbolicLink(root.resolve("opt/stage2/web/rootfs/var/run"), Path.of("../run"));
    Files.createSymbolicLink(root.resolve("opt/stage2/web/rootfs/escape"), Path.of("/etc"));
    Files.createSymbolicLink(root.resolve("opt/stage2/web/rootfs/loop"), Path.of("loop"));
    fs = new NioGuestFs(root);
  }

  @org.junit.jupiter.api.AfterEach
  void removeLinkOutOfTheTempDir() throws IOException {
    // JUnit warns about links leading out of @TempDir; this one is deliberate.
    Files.deleteIfExists(root.resolve("opt/stage2/web/rootfs/escape"));
  }

  private static GuestPath p(String s) {
    return GuestPath.parse(s);
  }

  @Test
  void kind_reportsEachKindWithoutFollowing() throws IOException {
    assertThat(fs.kind(GuestPath.ROOT)).isEqualTo(Kind.DIRECTORY);
    assertThat(fs.kind(p("/opt/stage2"))).isEqualTo(Kind.DIRECTORY);
    assertThat(fs.kind(p("/opt/stage2/web/rootfs/file"))).isEqualTo(Kind.FILE);
    assertThat(fs.kind(p("/opt/stage2/web/rootfs/var/run"))).isEqualTo(Kind.SYMLINK);
    // /etc exists on the host, but the link is reported, not followed.
    assertThat(fs.kind(p("/opt/stage2/web/rootfs/escape"))).isEqualTo(Kind.SYMLINK);
    assertThat(fs.kind(p("/opt/stage2/web/rootfs/loop"))).isEqualTo(Kind.SYMLINK);
    assertThat(fs.kind(p("/opt/stage2/web/rootfs/missing"))).isEqualTo(Kind.MISSING);
    assertThat(fs.kind(p("/opt/stage2/web/rootfs/missing/deeper"))).isEqualTo(Kind.MISSING);
    assertThat(fs.kind(p("/opt/stage2/web/rootfs/file/below"))).isEqualTo(Kind.MISSING);
  }

  @Test
  void kind_deviceIsOther() throws IOException {
    Path nul = Path.of("/dev/null");
    NioGuestFs dev = new NioGuestFs(Path.of("/dev"));
    assertThat(Files.exists(nul)).isTrue();
    assertThat(dev.kind(p("/null"))).isEqualTo(Kind.OTHER);
  }

  @Test
  void kind_symlinkBeforeTheLastComponent_isAnErrorNotFollowed() {
    assertThatThrownBy(() -> fs.kind(p("/opt/stage2/web/rootfs/escape/passwd")))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "look up \"/opt/stage2/web/rootfs/escape/passwd\" in stage1 rootfs \""
                + root
                + "\": \"/opt/stage2/web/rootfs/escape\" is a symlink; it must be resolved before"
                + " looking below it");
  }

  @Test
  void readLink_returnsTheTextUnchanged() throws IOException {
    assertThat(fs.readLink(p("/opt/stage2/web/rootfs/var/run"))).isEqualTo("../run");
    assertThat(fs.readLink(p("/opt/stage2/web/rootfs/escape"))).isEqualTo("/etc");
    assertThat(fs.readLink(p("/opt/stage2/web/rootfs/loop"))).isEqualTo("loop");
  }

  @Test
  void readLink_onANonLink_throws() {
    assertThatThrownBy(() -> fs.readLink(p("/opt/stage2")))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith(": not a symlink");
    assertThatThrownBy(() -> fs.readLink(GuestPath.ROOT)).isInstanceOf(IOException.class);
  }

  @Test
  void missingRoot_isEmpty() throws IOException {
    NioGuestFs none = new NioGuestFs(tmp.resolve("none"));
    assertThat(none.kind(GuestPath.ROOT)).isEqualTo(Kind.MISSING);
    assertThat(none.kind(p("/a/b"))).isEqualTo(Kind.MISSING);
  }

  @Test
  void rootThroughASymlink_isFollowed() throws IOException {
    Path link = Files.createSymbolicLink(tmp.resolve("link"), root);
    NioGuestFs viaLink = new NioGuestFs(link);
    assertThat(viaLink.kind(GuestPath.ROOT)).isEqualTo(Kind.DIRECTORY);
    assertThat(viaLink.kind(p("/opt/stage2/web/rootfs/file"))).isEqualTo(Kind.FILE);
  }

  @Test
  void neverWrites() throws IOException {
    var before = Fixtures.snapshot(root, true);
    fs.kind(p("/opt/new/dir"));
    fs.readLink(p("/opt/stage2/web/rootfs/var/run"));
    assertThat(Fixtures.snapshot(root, true)).isEqualTo(before);
  }
}
