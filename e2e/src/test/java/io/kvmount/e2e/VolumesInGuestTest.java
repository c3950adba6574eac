package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.activatedBeforeService;
import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.refusedReadOnly;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The basic volume scenarios, all in one pod and one boot: a writable host volume, a read-only
 * host volume, an empty volume with mode/uid/gid, two apps sharing a host volume (one of them
 * read-only through its mount point), and the ordering of every app after its mounts.
 */
@ExtendWith(E2eCondition.class)
class VolumesInGuestTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static GuestPod pod;
  private static GuestPod.Generated generated;
  private static GuestPod.Boot boot;
  private static Path data;
  private static Path roData;
  private static Path shared;
  private static FileTime roKeepMtime;

  /** App name -> app path of each mount, for the ordering checks. */
  private static final Map<String, List<String>> MOUNTS =
      Map.of(
          "writer", List.of("/data"),
          "reader", List.of("/ro"),
          "emptyapp", List.of("/scratch"),
          "share-a", List.of("/shared"),
          "share-b", List.of("/shared"));

  @BeforeAll
  static void bootPod() throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("volumes"));

    data = pod.hostDir("data");
    Files.writeString(data.resolve("in.txt"), "from-host");
    roData = pod.hostDir("ro-data");
    Files.writeString(roData.resolve("keep.txt"), "keep me");
    roKeepMtime = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(roData.resolve("keep.txt"), roKeepMtime);
    shared = pod.hostDir("shared");
    Files.writeString(shared.resolve("seed.txt"), "seeded");

    pod.hostVolume("data", data, null)
        .hostVolume("ro-data", roData, true)
        .emptyVolume("scratch", "0750", 1234, 5678)
        .hostVolume("shared", shared, null);

    for (var e : MOUNTS.entrySet()) {
      GuestPod.App app = pod.app(e.getKey());
      for (String path : e.getValue()) {
        // First thing the service does: is the mount there, and when did its unit activate?
        app.mounted("start.mounted " + path, path).activation("start.activation " + path, path);
      }
      app.serviceProperty("service.requires", "Requires").serviceProperty("service.after", "After");
    }
    pod.app("writer")
        .mount("data", "/data")
        .read("read", "/data/in.txt")
        .write("write", "/data/from-guest.txt", "written-in-guest")
        .list("list", "/data");
    pod.app("reader")
        .mount("ro-data", "/ro")
        .read("read", "/ro/keep.txt")
        .write("overwrite", "/ro/keep.txt", "overwritten")
        .write("create", "/ro/new.txt", "new")
        .line("say 9p.options \"$(findmnt -n -o OPTIONS --mountpoint /mnt/ro-data)\"")
        // As root in the guest, lift the read-only flags and try again: the device must refuse.
        .line("mount -o remount,rw /mnt/ro-data 2>/dev/null; mount -o remount,bind,rw \"$R/ro\" 2>/dev/null")
        .line("say remounted \"$(findmnt -n -o OPTIONS --mountpoint \"$R/ro\")\"")
        .line("say remounted.9p \"$(findmnt -n -o OPTIONS --mountpoint /mnt/ro-data)\"")
        .write("overwrite.after-remount", "/ro/keep.txt", "overwritten")
        .write("create.after-remount", "/ro/new.txt", "new");
    pod.app("emptyapp")
        .mount("scratch", "/scratch")
        .stat("stat", "/scratch")
        .write("write", "/scratch/x.txt", "scratch-data");
    pod.app("share-a")
        .mount("shared", "/shared")
        .read("read", "/shared/seed.txt")
        .write("write", "/shared/a.txt", "from-a");
    pod.app("share-b")
        .mount("shared", "/shared")
        .mountPoint("shared", "/shared", true)
        .read("read", "/shared/seed.txt")
        .write("write", "/shared/b.txt", "from-b");

    generated = pod.generate();
    boot = pod.boot(generated.hypervisorArgs());
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
  }

  @Test
  void hostVolumeIsVisibleAndWritesReachTheHost() throws IOException {
    Map<String, String> r = boot.results("writer");
    mountedAs(boot, r, "start.mounted /data", "9p", false);
    assertThat(value(boot, r, "read")).isEqualTo("from-host");
    assertThat(value(boot, r, "write")).isEqualTo("OK");
    assertThat(value(boot, r, "list")).isEqualTo("from-guest.txt|in.txt");
    assertThat(data.resolve("from-guest.txt")).hasContent("written-in-guest");
  }

  @Test
  void readOnlyVolumeRefusesWritesAndTheHostFileIsUntouched() throws IOException {
    Map<String, String> r = boot.results("reader");
    mountedAs(boot, r, "start.mounted /ro", "9p", true);
    assertThat(value(boot, r, "read")).isEqualTo("keep me");
    refusedReadOnly(boot, r, "overwrite");
    refusedReadOnly(boot, r, "create");
    assertThat(value(boot, r, "9p.options")).as("9p mount of the read-only volume").startsWith("ro,");
    assertThat(roData.resolve("keep.txt")).hasContent("keep me");
    assertThat(Files.getLastModifiedTime(roData.resolve("keep.txt"))).isEqualTo(roKeepMtime);
    assertThat(roData.resolve("new.txt")).doesNotExist();
  }

  @Test
  void readOnlyVolumeIsEnforcedByTheHypervisorEvenAfterARemountInTheGuest() throws IOException {
    Map<String, String> r = boot.results("reader");
    assertThat(value(boot, r, "remounted")).as("the guest's root lifted the bind mount's flag").startsWith("rw");
    assertThat(value(boot, r, "remounted.9p")).as("the guest's root lifted the 9p mount's flag").startsWith("rw");
    refusedReadOnly(boot, r, "overwrite.after-remount");
    refusedReadOnly(boot, r, "create.after-remount");
    assertThat(roData.resolve("keep.txt")).hasContent("keep me");
    assertThat(roData.resolve("new.txt")).doesNotExist();
    assertThat(generated.hypervisorArgs())
        .as("the -fsdev of the read-only volume")
        .anySatisfy(a -> assertThat(a).contains("path=" + GuestPod.qemuValue(roData.toString()) + ",").contains("readonly=on"));
  }

  @Test
  void emptyVolumeHasItsModeUidAndGid() throws IOException {
    Map<String, String> r = boot.results("emptyapp");
    mountedAs(boot, r, "start.mounted /scratch", "9p", false);
    assertThat(value(boot, r, "stat")).isEqualTo("750 1234 5678");
    assertThat(value(boot, r, "write")).isEqualTo("OK");
    Path onHost = pod.stage1().resolve("mnt/scratch");
    assertThat(Files.getAttribute(onHost, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(040750);
    assertThat(Files.getAttribute(onHost, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1234);
    assertThat(Files.getAttribute(onHost, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(5678);
    assertThat(onHost.resolve("x.txt")).hasContent("scratch-data");
  }

  @Test
  void twoAppsShareAVolumeOneOfThemReadOnly() throws IOException {
    Map<String, String> a = boot.results("share-a");
    Map<String, String> b = boot.results("share-b");
    mountedAs(boot, a, "start.mounted /shared", "9p", false);
    mountedAs(boot, b, "start.mounted /shared", "9p", true);
    assertThat(value(boot, a, "read")).isEqualTo("seeded");
    assertThat(value(boot, b, "read")).isEqualTo("seeded");
    assertThat(value(boot, a, "write")).isEqualTo("OK");
    refusedReadOnly(boot, b, "write");
    assertThat(shared.resolve("a.txt")).hasContent("from-a");
    assertThat(shared.resolve("b.txt")).doesNotExist();
  }

  @Test
  void everyAppStartsOnlyAfterItsMountsWithoutInstallSectionsOrEnabling() throws IOException {
    for (var e : MOUNTS.entrySet()) {
      Map<String, String> r = boot.results(e.getKey());
      for (String path : e.getValue()) {
        assertThat(value(boot, r, "start.mounted " + path)).as("%s: %s at service start", e.getKey(), path).isNotEqualTo("ABSENT");
        activatedBeforeService(boot, r, "start.activation " + path);
        String unit = value(boot, r, "start.activation " + path).split(" ")[0];
        assertThat(Checks.unitList(value(boot, r, "service.requires"))).as("%s Requires=", e.getKey()).contains(unit);
        assertThat(Checks.unitList(value(boot, r, "service.after"))).as("%s After=", e.getKey()).contains(unit);
      }
      Path dropIns = pod.stage1().resolve("usr/lib/systemd/system").resolve(e.getKey() + ".service.d");
      try (Stream<Path> s = Files.list(dropIns)) {
        assertThat(s.filter(p -> p.getFileName().toString().endsWith(".conf")).toList())
            .as("kvmount's drop-in for %s", e.getKey())
            .isNotEmpty();
      }
    }
    // Nothing was enabled: no .wants/ or .requires/ link anywhere in the stage1 rootfs is named
    // after a unit kvmount wrote or an app service.
    java.util.Set<String> ours = new java.util.HashSet<>();
    generated.json().path("units").forEach(u -> ours.add(Path.of(u.path("name").asText()).getFileName().toString()));
    MOUNTS.keySet().forEach(app -> ours.add(app + ".service"));
    assertThat(ours).as("unit names from kvmount's JSON").anyMatch(n -> n.endsWith(".mount"));
    try (Stream<Path> s = Files.walk(pod.stage1().resolve("etc/systemd")); Stream<Path> u = Files.walk(pod.stage1().resolve("usr/lib/systemd"))) {
      List<Path> links =
          Stream.concat(s, u)
              .filter(Files::isSymbolicLink)
              .filter(p -> p.getParent().getFileName().toString().matches(".*\\.(wants|requires)"))
              .filter(p -> ours.contains(p.getFileName().toString()))
              .toList();
      assertThat(links).isEmpty();
    }
  }
}
