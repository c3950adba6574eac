package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.GuestPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Symlinks in an app image resolve inside the app rootfs (securejoin's model, fault class 18). */
class ConfinedResolverTest {
  private static final GuestPath ROOT = GuestPath.parse("/opt/stage2/app/rootfs");

  private static FakeGuestFs image() {
    return new FakeGuestFs()
        .dir("/opt/stage2/app/rootfs/var/lib")
        .dir("/opt/stage2/app/rootfs/run")
        .dir("/opt/stage2/app/rootfs/data/real")
        .link("/opt/stage2/app/rootfs/var/run", "/run")
        .link("/opt/stage2/app/rootfs/escape", "/etc")
        .link("/opt/stage2/app/rootfs/up", "../../../../../../..")
        .link("/opt/stage2/app/rootfs/rel", "data/real")
        .link("/opt/stage2/app/rootfs/chain1", "chain2")
        .link("/opt/stage2/app/rootfs/chain2", "/data/real")
        .link("/opt/stage2/app/rootfs/loop1", "loop2")
        .link("/opt/stage2/app/rootfs/loop2", "loop1")
        .link("/opt/stage2/app/rootfs/data/real/dotdot", "../..")
        .file("/opt/stage2/app/rootfs/etc/hosts");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "/var/run/x          | /opt/stage2/app/rootfs/run/x",
    "/escape             | /opt/stage2/app/rootfs/etc",
    "/escape/passwd.d    | /opt/stage2/app/rootfs/etc/passwd.d",
    "/up/etc             | /opt/stage2/app/rootfs/etc",
    "/up                 | /opt/stage2/app/rootfs",
    "/rel/sub            | /opt/stage2/app/rootfs/data/real/sub",
    "/chain1/sub         | /opt/stage2/app/rootfs/data/real/sub",
    "/data/real/dotdot/x | /opt/stage2/app/rootfs/x",
    "/new/deep/dir       | /opt/stage2/app/rootfs/new/deep/dir",
  })
  void resolve_symlinksStayInsideTheAppRootfs(String path, String expected) throws Exception {
    ConfinedResolver.Result r = ConfinedResolver.resolve(image(), ROOT, GuestPath.parse(path));
    assertThat(r.path()).hasToString(expected);
    assertThat(ROOT.contains(r.path())).isTrue();
  }

  @Test
  void resolve_symlinkTargetWithANameOver255Bytes_isRefusedNotLookedUp() {
    // Before: lstat failed with "File name too long", an I/O error (exit 1) without the field.
    FakeGuestFs fs = image().link("/opt/stage2/app/rootfs/long", "/" + "n".repeat(256) + "/x");
    assertThatThrownBy(() -> ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/long/y")))
        .isInstanceOf(PlanException.class)
        .hasMessage("resolving /long/y in /opt/stage2/app/rootfs through symlinks meets a name of 256 bytes;"
            + " file names are at most 255 bytes");
    FakeGuestFs ok = image().link("/opt/stage2/app/rootfs/long", "/" + "n".repeat(255));
    assertThat(catchPlan(() -> ConfinedResolver.resolve(ok, ROOT, GuestPath.parse("/long/y")))).isNull();
  }

  @Test
  void resolve_symlinksExpandingPast4095Bytes_areRefused() {
    FakeGuestFs fs = image();
    for (int i = 0; i < 30; i++) {
      fs.link("/opt/stage2/app/rootfs/e" + i, "e" + (i + 1) + "/" + "q".repeat(200));
    }
    assertThatThrownBy(() -> ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/e0/x")))
        .isInstanceOf(PlanException.class)
        .hasMessage("resolving /e0/x in /opt/stage2/app/rootfs through symlinks gives a path of more than 4095 bytes");
  }

  private static Exception catchPlan(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    try {
      c.call();
      return null;
    } catch (Throwable t) {
      return t instanceof Exception e ? e : new RuntimeException(t);
    }
  }

  @Test
  void resolve_loop_isRefused() {
    assertThatThrownBy(() -> ConfinedResolver.resolve(image(), ROOT, GuestPath.parse("/loop1/x")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("too many levels of symbolic links");
  }

  @Test
  void resolve_throughAFile_isRefused() {
    assertThatThrownBy(() -> ConfinedResolver.resolve(image(), ROOT, GuestPath.parse("/etc/hosts/x")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("/opt/stage2/app/rootfs/etc/hosts is a file");
  }

  @Test
  void resolve_fileAtTheEnd_reportsFile() throws Exception {
    assertThat(ConfinedResolver.resolve(image(), ROOT, GuestPath.parse("/etc/hosts")).kind())
        .isEqualTo(GuestFs.Kind.FILE);
  }

  @Test
  void resolve_symlinkInStage1PathToAppRootfs_isRefused() {
    FakeGuestFs fs = new FakeGuestFs().link("/opt", "/elsewhere");
    assertThatThrownBy(() -> ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/data")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("/opt in the stage1 rootfs is a symlink");
  }

  @Test
  void resolve_missingAppRootfs_appendsThePath() throws Exception {
    assertThat(ConfinedResolver.resolve(GuestFs.EMPTY, ROOT, GuestPath.parse("/a/b")).path())
        .hasToString("/opt/stage2/app/rootfs/a/b");
  }

  @Test
  void resolve_emptyAndDotComponentsOfATarget_areSkipped() throws Exception {
    FakeGuestFs fs = image().link("/opt/stage2/app/rootfs/dot", "./data/./real/.").link("/opt/stage2/app/rootfs/dbl",
        "data//real/");
    assertThat(ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/dot/sub")).path())
        .hasToString("/opt/stage2/app/rootfs/data/real/sub");
    assertThat(ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/dbl/sub")).path())
        .hasToString("/opt/stage2/app/rootfs/data/real/sub");
  }

  /** Linux follows at most 40 symlinks for one path (MAXSYMLINKS): the 40th is followed, the 41st is an ELOOP. */
  @Test
  void resolve_fortyLinks_areFollowed_fortyOneAreALoop() throws Exception {
    FakeGuestFs fs = image();
    for (int i = 0; i < 40; i++) {
      fs.link("/opt/stage2/app/rootfs/l" + i, i == 39 ? "/data/real" : "l" + (i + 1));
    }
    ConfinedResolver.Result r = ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/l0/x"));
    assertThat(r.path()).hasToString("/opt/stage2/app/rootfs/data/real/x");
    assertThat(r.kind()).isEqualTo(GuestFs.Kind.MISSING);
    fs.link("/opt/stage2/app/rootfs/m", "l0");
    assertThatThrownBy(() -> ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/m/x")))
        .isInstanceOf(PlanException.class)
        .hasMessage("too many levels of symbolic links resolving /m/x in /opt/stage2/app/rootfs");
  }

  @Test
  void resolve_nulInATarget_isRefused_evenAsItsFirstByte() {
    for (String target : java.util.List.of("\0etc", "etc\0")) {
      FakeGuestFs fs = image().link("/opt/stage2/app/rootfs/nul", target);
      assertThatThrownBy(() -> ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/nul/x")))
          .isInstanceOf(PlanException.class)
          .hasMessage("symlink /opt/stage2/app/rootfs/nul has a NUL byte in its target");
    }
  }

  @Test
  void resolve_throughADeviceSocketOrPipe_isRefused_atTheEndItIsReported() throws Exception {
    FakeGuestFs fs = image().other("/opt/stage2/app/rootfs/run/sock");
    assertThatThrownBy(() -> ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/run/sock/x")))
        .isInstanceOf(PlanException.class)
        .hasMessage("/opt/stage2/app/rootfs/run/sock is a device, socket or pipe in the app rootfs, but /run/sock/x goes"
            + " through it");
    assertThat(ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/run/sock")).kind()).isEqualTo(GuestFs.Kind.OTHER);
  }

  /** PATH_MAX: a resolved path of 4095 bytes (4096 with its NUL) is one Linux can name; one byte more is not. */
  @Test
  void resolve_pathOf4095Bytes_isAccepted() throws Exception {
    // 22 bytes of /opt/stage2/app/rootfs, 20 components of 1 + 200 bytes, and 1 + 52 bytes: 4095.
    String target = ("q".repeat(200) + "/").repeat(20) + "r".repeat(52);
    FakeGuestFs fs = image().link("/opt/stage2/app/rootfs/long", target);
    ConfinedResolver.Result r = ConfinedResolver.resolve(fs, ROOT, GuestPath.parse("/long"));
    assertThat(r.path().toString()).hasSize(4095);
    FakeGuestFs longer = image().link("/opt/stage2/app/rootfs/long", target + "r");
    assertThatThrownBy(() -> ConfinedResolver.resolve(longer, ROOT, GuestPath.parse("/long")))
        .isInstanceOf(PlanException.class)
        .hasMessage("resolving /long in /opt/stage2/app/rootfs through symlinks gives a path of more than 4095 bytes");
  }
}
