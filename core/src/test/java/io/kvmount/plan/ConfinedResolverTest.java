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
}
