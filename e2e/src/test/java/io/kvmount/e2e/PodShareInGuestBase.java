package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.refusedReadOnly;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pod share ({@code --share-dir}) in one boot per transport: single-file volumes read-write
 * and read-only, a host source with a tmpfs below it taken recursively, non-recursively and
 * read-only, a read-only directory, and many host volumes through the one device. Then {@code
 * kvmount release} takes every host bind down.
 */
@ExtendWith(E2eCondition.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PodShareInGuestBase {
  static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private GuestPod pod;
  private GuestPod.Boot boot;
  private Path share;
  private Path conf;
  private Path submount;
  private List<String> mountsAfterGenerate;

  /** The work directory's name under e2e-work. */
  abstract String workName();

  /** Fails or skips when what this transport needs is missing. */
  abstract void requireReady();

  /** Host volumes beside the named ones, all seen through the one device. */
  abstract int many();

  /** The guest's file system type of the share ({@code 9p} or {@code virtiofs}). */
  abstract String fstype();

  /** Options for {@code generate} besides {@code --share-dir}: the transport's. */
  abstract List<String> transportOptions(GuestPod pod);

  @BeforeAll
  void bootPod() throws IOException {
    requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir(workName()));
    share = pod.work().resolve("share");
    // An earlier, interrupted run of this test may have left binds: take them down first.
    release();

    Path files = pod.hostDir("files");
    conf = files.resolve("app.conf");
    Files.writeString(conf, "conf-from-host");
    Path hosts = files.resolve("hosts");
    Files.writeString(hosts, "127.0.0.1 pod");
    Path withSub = pod.hostDir("withsub");
    submount = Files.createDirectories(withSub.resolve("m"));
    Files.writeString(submount.resolve("beneath.txt"), "beneath");
    Shell.check(pod.work(), Duration.ofMinutes(1), List.of("mount", "-t", "tmpfs", "-o", "size=1m", "kvmount-e2e", submount.toString()));
    Files.writeString(submount.resolve("on-tmpfs.txt"), "on-tmpfs");
    Path roDir = pod.hostDir("rodir");
    Files.writeString(roDir.resolve("keep.txt"), "keep me");

    pod.hostVolume("conf", conf, null)
        .hostVolume("hosts", hosts, true)
        .hostVolume("rec", withSub, null, true)
        .hostVolume("nonrec", withSub, null, false)
        .hostVolume("rorec", withSub, true, null)
        .hostVolume("ro", roDir, true);
    pod.app("files")
        .mount("conf", "/etc/app.conf")
        .mount("hosts", "/etc/hosts")
        .mounted("mounted.conf", "/etc/app.conf")
        .mounted("mounted.hosts", "/etc/hosts")
        .read("read.conf", "/etc/app.conf")
        .write("write.conf", "/etc/app.conf", "written-in-guest")
        .read("read.hosts", "/etc/hosts")
        .write("write.hosts", "/etc/hosts", "overwritten")
        // As root in the guest, lift the read-only flags: the host bind must still refuse.
        .line("mount -o remount,rw /mnt/kvmount_pod 2>/dev/null; mount -o remount,bind,rw \"$R/etc/hosts\" 2>/dev/null")
        .line("say remounted.hosts \"$(findmnt -n -o OPTIONS --mountpoint \"$R/etc/hosts\" | tail -n 1)\"")
        .write("write.hosts.after-remount", "/etc/hosts", "overwritten");
    pod.app("sub")
        .mount("rec", "/rec")
        .mount("nonrec", "/nonrec")
        .mount("rorec", "/rorec")
        .read("rec.on-tmpfs", "/rec/m/on-tmpfs.txt")
        .list("nonrec.m", "/nonrec/m")
        .read("nonrec.beneath", "/nonrec/m/beneath.txt")
        .read("rorec.on-tmpfs", "/rorec/m/on-tmpfs.txt")
        .write("rorec.write-submount", "/rorec/m/new.txt", "x")
        .line("mount -o remount,bind,rw \"$R/rorec\" 2>/dev/null")
        .write("rorec.write-submount.after-remount", "/rorec/m/new.txt", "x");
    pod.app("ro")
        .mount("ro", "/ro")
        .mounted("mounted.ro", "/ro")
        .read("read", "/ro/keep.txt")
        .write("write", "/ro/keep.txt", "changed");
    GuestPod.App many = pod.app("many");
    for (int i = 0; i < many(); i++) {
      String name = String.format("v%03d", i);
      Path dir = pod.hostDir("many/" + name);
      Files.writeString(dir.resolve("id.txt"), name);
      pod.hostVolume(name, dir, null);
      many.mount(name, "/v/" + name);
    }
    many.line("n=0; for d in \"$R\"/v/v*; do [ \"$(cat \"$d/id.txt\" 2>/dev/null)\" = \"$(basename \"$d\")\" ] && n=$((n + 1)); done")
        .line("say many.seen \"$n\"");

    List<String> options = new ArrayList<>(List.of("--share-dir", share.toString()));
    options.addAll(transportOptions(pod));
    GuestPod.Generated generated = pod.generate(options);
    mountsAfterGenerate = mountPointsUnder(share);
    boot = pod.boot(generated);
  }

  @AfterAll
  void cleanUp() throws IOException {
    try {
      release();
    } finally {
      if (submount != null) {
        Shell.run(pod.work(), Duration.ofMinutes(1), List.of("umount", submount.toString()));
      }
      if (pod != null) {
        pod.cleanUp();
      }
    }
  }

  private Shell.Result release() throws IOException {
    return release(share);
  }

  /** Runs {@code ./kvmount release --share-dir share}: takes the pod share's host binds down. */
  static Shell.Result release(Path share) throws IOException {
    return Shell.run(ENV.repo(), Duration.ofMinutes(5),
        List.of(ENV.repo().resolve("kvmount").toString(), "release", "--share-dir", share.toString()));
  }

  /** Mount points at or below {@code dir} in this mount namespace, with their options, in mount order. */
  static List<String> mountPointsUnder(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    String prefix = dir.toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      String point = f[4].replace("\\040", " ");
      if (point.equals(prefix) || point.startsWith(prefix + "/")) {
        out.add(point.substring(prefix.length()) + " " + f[5].split(",")[0]);
      }
    }
    return out;
  }

  @Test
  @Order(1)
  void hostBinds_oneEach_readOnlyOnTheHost() {
    assertThat(mountsAfterGenerate).contains("/conf rw", "/hosts ro", "/rec rw", "/rec/m rw", "/nonrec rw",
        "/rorec ro", "/rorec/m ro", "/ro ro", "/v000 rw", String.format("/v%03d rw", many() - 1));
    assertThat(mountsAfterGenerate).doesNotContain("/nonrec/m rw", "/nonrec/m ro");
    // One bind per volume (and one per submount of a recursive one), none doubled.
    assertThat(mountsAfterGenerate).doesNotHaveDuplicates().hasSize(6 + 2 + many());
  }

  @Test
  @Order(2)
  void singleFiles_readWriteReachesTheHost_readOnlyHolds() throws IOException {
    Map<String, String> r = boot.results("files");
    mountedAs(boot, r, "mounted.conf", fstype(), false);
    mountedAs(boot, r, "mounted.hosts", fstype(), true);
    assertThat(value(boot, r, "read.conf")).isEqualTo("conf-from-host");
    assertThat(value(boot, r, "write.conf")).isEqualTo("OK");
    assertThat(Files.readString(conf)).isEqualTo("written-in-guest");
    assertThat(value(boot, r, "read.hosts")).isEqualTo("127.0.0.1 pod");
    refusedReadOnly(boot, r, "write.hosts");
    assertThat(value(boot, r, "remounted.hosts")).startsWith("rw");
    refusedReadOnly(boot, r, "write.hosts.after-remount");
  }

  @Test
  @Order(3)
  void recursive_showsTheSubmount_nonRecursive_theFileBeneath_readOnlyCoversSubmounts() {
    Map<String, String> r = boot.results("sub");
    assertThat(value(boot, r, "rec.on-tmpfs")).isEqualTo("on-tmpfs");
    assertThat(value(boot, r, "nonrec.m")).isEqualTo("beneath.txt");
    assertThat(value(boot, r, "nonrec.beneath")).isEqualTo("beneath");
    assertThat(value(boot, r, "rorec.on-tmpfs")).isEqualTo("on-tmpfs");
    refusedReadOnly(boot, r, "rorec.write-submount");
    refusedReadOnly(boot, r, "rorec.write-submount.after-remount");
    assertThat(submount.resolve("new.txt")).doesNotExist();
  }

  @Test
  @Order(4)
  void readOnlyDirectory_refusesWrites() throws IOException {
    Map<String, String> r = boot.results("ro");
    mountedAs(boot, r, "mounted.ro", fstype(), true);
    assertThat(value(boot, r, "read")).isEqualTo("keep me");
    refusedReadOnly(boot, r, "write");
  }

  @Test
  @Order(5)
  void manyVolumes_allSeenThroughOneDevice() {
    assertThat(value(boot, boot.results("many"), "many.seen")).isEqualTo(Integer.toString(many()));
  }

  @Test
  @Order(6)
  void release_unmountsEveryBind_andRemovesTheShareDirectory_twice() throws IOException {
    Shell.Result first = release();
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(mountPointsUnder(share)).isEmpty();
    assertThat(share).doesNotExist();
    Shell.Result second = release();
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    // The user's tmpfs below a volume source is the user's: still mounted.
    assertThat(mountPointsUnder(submount)).containsExactly(" rw");
  }
}
