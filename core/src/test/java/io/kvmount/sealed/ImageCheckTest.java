package io.kvmount.sealed;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.apply.NioGuestFs;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a sealed image must already hold, read from a real directory tree. */
class ImageCheckTest {

  @TempDir Path image;

  static final SealedPlan PLAN = new SealedPlan(Route.CREDENTIALS, List.of(), List.of(
      new ImageEntry("/opt/stage2/web/rootfs/data", ImageEntry.Kind.DIRECTORY, "apps[0].mounts[0]"),
      new ImageEntry("/opt/stage2/web/rootfs/etc/hosts", ImageEntry.Kind.FILE, "apps[0].mounts[1]"),
      new ImageEntry("/opt/stage2/web/rootfs/link", ImageEntry.Kind.DIRECTORY, "apps[0].mounts[2]"),
      new ImageEntry("web.service", ImageEntry.Kind.SERVICE, "app \"web\""),
      new ImageEntry("db.service", ImageEntry.Kind.SERVICE, "app \"db\""),
      new ImageEntry("cache.service", ImageEntry.Kind.SERVICE, "app \"cache\"")));

  @Test
  void missingWrongKindAndSymlinksAreListed_presentOnesAreNot() throws Exception {
    Path root = image.resolve("opt/stage2/web/rootfs");
    Files.createDirectories(root.resolve("etc/hosts")); // a directory where a file must be
    Files.createDirectories(image.resolve("elsewhere"));
    Files.createSymbolicLink(root.resolve("link"), image.resolve("elsewhere"));
    assertThat(ImageCheck.missingMountPoints(PLAN, new NioGuestFs(image))).extracting(ImageEntry::path)
        .containsExactly("/opt/stage2/web/rootfs/data", "/opt/stage2/web/rootfs/etc/hosts", "/opt/stage2/web/rootfs/link");
    Files.createDirectories(root.resolve("data"));
    Files.delete(root.resolve("etc/hosts"));
    Files.writeString(root.resolve("etc/hosts"), "");
    assertThat(ImageCheck.missingMountPoints(PLAN, new NioGuestFs(image))).extracting(ImageEntry::path)
        .containsExactly("/opt/stage2/web/rootfs/link");
    String message = ImageCheck.describe(ImageCheck.missingMountPoints(PLAN, new NioGuestFs(image)));
    assertThat(message).isEqualTo("the sealed image (the stage1 rootfs) lacks 1 of what the pod needs:"
        + " /opt/stage2/web/rootfs/link (directory, for apps[0].mounts[2]); add them to the image (kvmount writes"
        + " nothing into it with a sealed route)");
  }

  @Test
  void servicesAreFoundInEverySystemUnitDirectoryAndTheUnitsDir() throws Exception {
    GuestPath units = GuestPath.parse("/srv/units");
    assertThat(ImageCheck.missingServices(PLAN, new NioGuestFs(image), units)).extracting(ImageEntry::path)
        .containsExactly("web.service", "db.service", "cache.service");
    Files.createDirectories(image.resolve("etc/systemd/system"));
    Files.writeString(image.resolve("etc/systemd/system/web.service"), "[Service]\n");
    Files.createDirectories(image.resolve("srv/units"));
    Files.createDirectories(image.resolve("usr/lib/systemd/system"));
    Files.writeString(image.resolve("usr/lib/systemd/system/x.service"), "[Service]\n");
    Files.createSymbolicLink(image.resolve("srv/units/db.service"), Path.of("/usr/lib/systemd/system/x.service"));
    assertThat(ImageCheck.missingServices(PLAN, new NioGuestFs(image), units)).extracting(ImageEntry::path)
        .containsExactly("cache.service");
    Files.createDirectories(image.resolve("usr/lib/systemd/system/cache.service")); // a directory is no unit
    assertThat(ImageCheck.missingServices(PLAN, new NioGuestFs(image), units)).extracting(ImageEntry::path)
        .containsExactly("cache.service");
  }

  @Test
  void guestSystemdVersionFromItsLibraryName() throws Exception {
    assertThat(GuestSystemd.version(image)).isEmpty();
    Path debian = image.resolve("usr/lib/x86_64-linux-gnu/systemd");
    Files.createDirectories(debian);
    Files.writeString(debian.resolve("libsystemd-shared-252.so"), "");
    Files.writeString(debian.resolve("libsystemd-core-999.so"), "");
    assertThat(GuestSystemd.version(image)).isEqualTo(OptionalInt.of(252));
    Path fedora = image.resolve("usr/lib64/systemd");
    Files.createDirectories(fedora);
    Files.writeString(fedora.resolve("libsystemd-shared-256.4-1.fc41.so"), "");
    assertThat(GuestSystemd.version(image)).isEqualTo(OptionalInt.of(256));
  }

  @Test
  void guestSystemdNeverFollowsALinkOutOfTheImage(@TempDir Path outside) throws Exception {
    Path lib = outside.resolve("systemd");
    Files.createDirectories(lib);
    Files.writeString(lib.resolve("libsystemd-shared-257.so"), "");
    Files.createDirectories(image.resolve("usr/lib"));
    Files.createSymbolicLink(image.resolve("usr/lib/systemd"), lib);
    assertThat(GuestSystemd.version(image)).isEmpty();
    Path usr = outside.resolve("usr");
    Files.createDirectories(usr.resolve("lib/systemd"));
    Files.writeString(usr.resolve("lib/systemd/libsystemd-shared-257.so"), "");
    Path other = outside.resolve("img");
    Files.createDirectories(other);
    Files.createSymbolicLink(other.resolve("usr"), usr);
    assertThat(GuestSystemd.version(other)).isEmpty();
  }

  @Test
  void maskedAndDanglingServicesAreMissing_linksInsideTheImageAreFollowed() throws Exception {
    GuestPath units = GuestPath.parse("/usr/lib/systemd/system");
    Path etc = Files.createDirectories(image.resolve("etc/systemd/system"));
    Path lib = Files.createDirectories(image.resolve("usr/lib/systemd/system"));
    Files.createSymbolicLink(etc.resolve("web.service"), Path.of("/dev/null"));
    Files.createSymbolicLink(etc.resolve("db.service"), Path.of("../../../usr/lib/systemd/system/gone.service"));
    Files.writeString(lib.resolve("real.service"), "[Service]\n");
    Files.createSymbolicLink(etc.resolve("cache.service"), Path.of("/usr/lib/systemd/system/real.service"));
    assertThat(ImageCheck.missingServices(PLAN, new NioGuestFs(image), units)).extracting(ImageEntry::path)
        .containsExactly("web.service", "db.service");
  }

  @Test
  void conflictsAreOverridesInEtcAndLeftoverDropIns() throws Exception {
    SealedPlan plan = new SealedPlan(Route.CREDENTIALS, List.of(FstabTest.entry("/run/kvmount/d",
        "/opt/stage2/web/rootfs/data", "none", "bind")), List.of(new ImageEntry("web.service", ImageEntry.Kind.SERVICE,
        "app \"web\"")));
    GuestPath units = GuestPath.parse("/usr/lib/systemd/system");
    assertThat(ImageCheck.conflicts(plan, new NioGuestFs(image), units, "10-kvmount-volumes.conf")).isEmpty();
    // The same name under /usr/lib is overridden by the generator's unit: no conflict.
    Files.createDirectories(image.resolve("usr/lib/systemd/system"));
    Files.writeString(image.resolve("usr/lib/systemd/system/opt-stage2-web-rootfs-data.mount"), "[Mount]\n");
    assertThat(ImageCheck.conflicts(plan, new NioGuestFs(image), units, "10-kvmount-volumes.conf")).isEmpty();
    Files.createDirectories(image.resolve("etc/systemd/system"));
    Files.createSymbolicLink(image.resolve("etc/systemd/system/opt-stage2-web-rootfs-data.mount"), Path.of("/dev/null"));
    Files.createDirectories(image.resolve("usr/lib/systemd/system/web.service.d"));
    Files.writeString(image.resolve("usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf"), "[Unit]\n");
    assertThat(ImageCheck.conflicts(plan, new NioGuestFs(image), units, "10-kvmount-volumes.conf")).containsExactly(
        "/etc/systemd/system/opt-stage2-web-rootfs-data.mount: the image has its own opt-stage2-web-rootfs-data.mount"
            + " here (a link: masked or aliased), which takes precedence over the mount kvmount hands over",
        "/usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf: a drop-in left by generate --emit units; it"
            + " makes web.service require that run's units besides the handed-over mounts");
  }

  @Test
  void guestSystemdCountsRegularFilesWithThreeDigitsOnly_andASplitLib() throws Exception {
    Path debian = Files.createDirectories(image.resolve("usr/lib/x86_64-linux-gnu/systemd"));
    Files.createDirectories(debian.resolve("libsystemd-shared-259.so")); // a directory
    Files.createSymbolicLink(debian.resolve("libsystemd-shared-258.so"), Path.of("/usr/lib/whatever.so"));
    Files.writeString(debian.resolve("libsystemd-shared-2570.so"), "");
    assertThat(GuestSystemd.version(image)).isEmpty();
    Path split = Files.createDirectories(image.resolve("lib/systemd"));
    Files.writeString(split.resolve("libsystemd-shared-247.so"), "");
    assertThat(GuestSystemd.version(image)).isEqualTo(OptionalInt.of(247));
  }

  /** A merged-/usr image (Debian 12 and 13): /lib and /bin are links into /usr. */
  @Test
  void mergedUsrLinksAreFollowedInsideTheImage() throws Exception {
    Files.createDirectories(image.resolve("usr/lib/systemd/system/web.service.d"));
    Files.createSymbolicLink(image.resolve("lib"), Path.of("usr/lib"));
    Files.createDirectories(image.resolve("etc"));
    Files.createSymbolicLink(image.resolve("etc/systemd"), Path.of("../usr/lib/systemd"));
    Files.writeString(image.resolve("usr/lib/systemd/system/db.service"), "[Service]\n");
    Files.createSymbolicLink(image.resolve("usr/lib/systemd/system/cache.service"), Path.of("../../../../lib/systemd/system/db.service"));
    GuestPath units = GuestPath.parse("/usr/lib/systemd/system");
    assertThat(ImageCheck.missingServices(PLAN, new NioGuestFs(image), units)).extracting(ImageEntry::path)
        .containsExactly("web.service");
    Files.writeString(image.resolve("usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf"), "[Unit]\n");
    SealedPlan plan = new SealedPlan(Route.CREDENTIALS, List.of(FstabTest.entry("/run/kvmount/d",
        "/opt/stage2/web/rootfs/data", "none", "bind")), List.of(new ImageEntry("web.service", ImageEntry.Kind.SERVICE,
        "app \"web\"")));
    // Found through /lib, /usr/lib and /etc/systemd (all one directory here): three lines.
    assertThat(ImageCheck.conflicts(plan, new NioGuestFs(image), units, "10-kvmount-volumes.conf")).hasSize(3)
        .allSatisfy(l -> assertThat(l).contains("web.service.d/10-kvmount-volumes.conf: a drop-in left by"));
    // A link that climbs out of the image stops at its root.
    Files.createSymbolicLink(image.resolve("usr/lib/systemd/system/up.service"), Path.of("../../../../../../../etc/passwd"));
    assertThat(ImageCheck.resolve(new NioGuestFs(image), GuestPath.parse("/usr/lib/systemd/system/up.service"))).isEmpty();
  }
}
