package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.refusedReadOnly;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-volume virtio-fs shares in one pod and one boot: QEMU's {@code vhost-user-fs-pci} with one
 * real virtiofsd (1.13.2, Debian 13) per share, started from the daemon lines kvmount printed. A
 * writable host volume, a read-only one (also after the guest's root remounts it {@code rw}), a
 * host source with a tmpfs mounted below it on the host (submounts announced), and a host change
 * seen through another share of the same directory (the cache policy keeps the guest coherent).
 */
@ExtendWith(E2eCondition.class)
class VirtiofsInGuestTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static GuestPod pod;
  private static GuestPod.Generated generated;
  private static GuestPod.Boot boot;
  private static Path data;
  private static Path roData;
  private static Path tree;
  private static Path inner;
  private static boolean tmpfsMounted;
  private static FileTime roKeepMtime;

  @BeforeAll
  static void bootPod() throws IOException {
    ENV.requireVirtiofs();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("virtiofs"));

    data = pod.hostDir("data");
    Files.writeString(data.resolve("in.txt"), "from-host");
    Files.writeString(data.resolve("note.txt"), "v1");
    roData = pod.hostDir("ro-data");
    Files.writeString(roData.resolve("keep.txt"), "keep me");
    roKeepMtime = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(roData.resolve("keep.txt"), roKeepMtime);
    tree = pod.hostDir("tree");
    Files.writeString(tree.resolve("top.txt"), "top");
    inner = pod.hostDir("tree/inner");
    Files.writeString(inner.resolve("beneath.txt"), "hidden by the tmpfs");
    Shell.check(pod.work(), Duration.ofSeconds(30),
        List.of("mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "kvmount-e2e-tmpfs", inner.toString()));
    tmpfsMounted = true;
    Files.writeString(inner.resolve("on-tmpfs.txt"), "on the tmpfs");

    pod.hostVolume("data", data, null)
        .hostVolume("data-again", data, null)
        .hostVolume("ro-data", roData, true)
        .hostVolume("tree", tree, null);

    pod.app("writer")
        .mount("data", "/data")
        .mounted("start.mounted /data", "/data")
        .read("read", "/data/in.txt")
        .write("write", "/data/from-guest.txt", "written-in-guest")
        .list("list", "/data");
    pod.app("reader")
        .mount("ro-data", "/ro")
        .mounted("start.mounted /ro", "/ro")
        .read("read", "/ro/keep.txt")
        .write("overwrite", "/ro/keep.txt", "overwritten")
        .write("create", "/ro/new.txt", "new")
        .line("say share.options \"$(findmnt -n -o OPTIONS --mountpoint /mnt/ro-data)\"")
        // As root in the guest, lift the read-only flags and try again: virtiofsd must refuse.
        .line("mount -o remount,rw /mnt/ro-data 2>/dev/null; mount -o remount,bind,rw \"$R/ro\" 2>/dev/null")
        .line("say remounted \"$(findmnt -n -o OPTIONS --mountpoint \"$R/ro\")\"")
        .line("say remounted.share \"$(findmnt -n -o OPTIONS --mountpoint /mnt/ro-data)\"")
        .write("overwrite.after-remount", "/ro/keep.txt", "overwritten")
        .write("create.after-remount", "/ro/new.txt", "new");
    pod.app("submounts")
        .mount("tree", "/tree")
        .mounted("start.mounted /tree", "/tree")
        .read("top", "/tree/top.txt")
        .list("inner.list", "/tree/inner")
        .read("inner.read", "/tree/inner/on-tmpfs.txt")
        .write("inner.write", "/tree/inner/from-guest.txt", "guest-on-tmpfs")
        .line("say dev.tree \"$(stat -c %d \"$R/tree\")\"")
        .line("say dev.inner \"$(stat -c %d \"$R/tree/inner\")\"")
        .line("say inner.fstype \"$(stat -f -c %T \"$R/tree/inner\")\"");
    // Two shares of one host directory: a write through one is, for the other, a change made on
    // the host behind the guest's back. The cache policy decides when the other sees it.
    pod.app("coherent")
        .mount("data", "/a")
        .mount("data-again", "/b")
        .read("before", "/b/note.txt")
        .write("change", "/a/note.txt", "version-2-longer")
        .read("immediately", "/b/note.txt")
        .line("sleep 2")
        .read("after-2s", "/b/note.txt");

    generated = pod.generateVirtiofs();
    boot = pod.boot(generated);
  }

  @AfterAll
  static void cleanUp() throws IOException {
    try {
      if (pod != null) {
        pod.cleanUp();
      }
    } finally {
      if (tmpfsMounted) {
        Shell.check(Path.of("/"), Duration.ofSeconds(30), List.of("umount", inner.toString()));
      }
    }
  }

  @Test
  void kvmountPrintsOneVirtiofsdPerShareWithItsDefaults() {
    JsonNode shares = generated.json().path("shares");
    List<List<String>> daemons = generated.daemons();
    assertThat(daemons).hasSize(shares.size()).hasSize(4);
    for (int i = 0; i < shares.size(); i++) {
      JsonNode s = shares.get(i);
      List<String> argv = daemons.get(i);
      assertThat(argv).as("daemon of %s", s.path("volume").asText())
          .contains("--shared-dir=" + s.path("source").asText(), "--announce-submounts", "--cache=auto");
      if (s.path("readOnly").asBoolean()) {
        assertThat(argv).contains("--readonly");
      } else {
        assertThat(argv).doesNotContain("--readonly");
      }
    }
    assertThat(generated.hypervisorArgs()).anySatisfy(a -> assertThat(a).startsWith("vhost-user-fs-pci,"));
    assertThat(generated.hypervisorArgs()).noneSatisfy(a -> assertThat(a).startsWith("virtio-9p-pci"));
  }

  @Test
  void hostVolumeIsVisibleAndWritesReachTheHost() throws IOException {
    Map<String, String> r = boot.results("writer");
    mountedAs(boot, r, "start.mounted /data", "virtiofs", false);
    assertThat(value(boot, r, "read")).isEqualTo("from-host");
    assertThat(value(boot, r, "write")).isEqualTo("OK");
    assertThat(value(boot, r, "list")).isEqualTo("from-guest.txt|in.txt|note.txt");
    assertThat(data.resolve("from-guest.txt")).hasContent("written-in-guest");
  }

  @Test
  void readOnlyVolumeRefusesWritesEvenAfterARemountInTheGuest() throws IOException {
    Map<String, String> r = boot.results("reader");
    mountedAs(boot, r, "start.mounted /ro", "virtiofs", true);
    assertThat(value(boot, r, "read")).isEqualTo("keep me");
    refusedReadOnly(boot, r, "overwrite");
    refusedReadOnly(boot, r, "create");
    assertThat(value(boot, r, "share.options")).as("share mount of the read-only volume").startsWith("ro,");
    assertThat(value(boot, r, "remounted")).as("the guest's root lifted the bind mount's flag").startsWith("rw");
    assertThat(value(boot, r, "remounted.share")).as("the guest's root lifted the share mount's flag").startsWith("rw");
    refusedReadOnly(boot, r, "overwrite.after-remount");
    refusedReadOnly(boot, r, "create.after-remount");
    assertThat(roData.resolve("keep.txt")).hasContent("keep me");
    assertThat(Files.getLastModifiedTime(roData.resolve("keep.txt"))).isEqualTo(roKeepMtime);
    assertThat(roData.resolve("new.txt")).doesNotExist();
  }

  @Test
  void aTmpfsMountedBelowTheHostSourceIsSeenAsItsOwnSubmount() throws IOException {
    Map<String, String> r = boot.results("submounts");
    mountedAs(boot, r, "start.mounted /tree", "virtiofs", false);
    assertThat(value(boot, r, "top")).isEqualTo("top");
    assertThat(value(boot, r, "inner.list")).as("the tmpfs, not the directory beneath it").isEqualTo("on-tmpfs.txt");
    assertThat(value(boot, r, "inner.read")).isEqualTo("on the tmpfs");
    assertThat(value(boot, r, "inner.write")).isEqualTo("OK");
    assertThat(value(boot, r, "dev.inner"))
        .as("announced submount: its own superblock in the guest, so its own st_dev")
        .isNotEqualTo(value(boot, r, "dev.tree"));
    assertThat(inner.resolve("from-guest.txt")).as("the guest's write is on the host's tmpfs").hasContent("guest-on-tmpfs");
    Shell.check(Path.of("/"), Duration.ofSeconds(30), List.of("umount", inner.toString()));
    tmpfsMounted = false;
    assertThat(inner.resolve("from-guest.txt")).as("and not in the directory beneath it").doesNotExist();
    assertThat(inner.resolve("beneath.txt")).hasContent("hidden by the tmpfs");
  }

  @Test
  void aHostChangeIsSeenThroughAnotherShareWithinTheCacheTimeout() throws IOException {
    Map<String, String> r = boot.results("coherent");
    assertThat(value(boot, r, "before")).isEqualTo("v1");
    assertThat(value(boot, r, "change")).isEqualTo("OK");
    System.err.println("kvmount e2e: virtio-fs --cache=auto, read right after a host change: " + value(boot, r, "immediately"));
    assertThat(value(boot, r, "after-2s")).isEqualTo("version-2-longer");
    assertThat(data.resolve("note.txt")).hasContent("version-2-longer");
  }

  @Test
  void noVirtiofsdIsLeftAfterTheBoot() {
    String run = pod.work().resolve("run").toString();
    assertThat(boot.exitCode()).as("qemu exit\n%s", boot.diagnostics()).isZero();
    assertThat(ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().orElse("").contains(run))
            .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
            .toList())
        .as("processes still using %s", run)
        .isEmpty();
  }
}
