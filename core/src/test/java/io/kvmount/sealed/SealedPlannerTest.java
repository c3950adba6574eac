package io.kvmount.sealed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.GuestFs;
import io.kvmount.plan.MountSpec;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanException;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Planner;
import io.kvmount.plan.PlannedUnit;
import io.kvmount.plan.Route;
import io.kvmount.systemd.UnitName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fstab entries of a sealed route: the same mounts and edges as the unit files, in fstab words. */
class SealedPlannerTest {

  static PodManifest pod(String volumes, String apps) throws Exception {
    String json = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[" + apps + "],\"volumes\":["
        + volumes + "]}";
    return ManifestReader.readPod(json.getBytes(StandardCharsets.UTF_8), "pod.json");
  }

  static String app(String name, String mounts) {
    return "{\"name\":\"" + name + "\",\"image\":{\"id\":\"sha512-00\"},\"mounts\":[" + mounts + "]}";
  }

  static final String VOLUMES = "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\"},"
      + "{\"name\":\"conf\",\"kind\":\"host\",\"source\":\"/srv/conf\",\"readOnly\":true},"
      + "{\"name\":\"cache\",\"kind\":\"empty\",\"mode\":\"0123\",\"uid\":9991,\"gid\":9992}";

  static final String APPS = app("web", "{\"volume\":\"data\",\"path\":\"/var/data\"},"
      + "{\"volume\":\"conf\",\"path\":\"/var/data/conf\"},{\"volume\":\"cache\",\"path\":\"/cache\"}")
      + "," + app("db", "{\"volume\":\"data\",\"path\":\"/data\"}");

  static Plan plan(Route route, PodManifest pod) throws Exception {
    return Planner.plan(pod, Map.of(), PlanOptions.defaults().withRoute(route), GuestFs.EMPTY);
  }

  @Test
  void entriesCarryTheMountsAndTheUnitsEdges() throws Exception {
    SealedPlan s = SealedPlanner.plan(plan(Route.CREDENTIALS, pod(VOLUMES, APPS)), Route.CREDENTIALS);
    List<String> lines = new ArrayList<>();
    for (FstabEntry e : s.entries()) {
      lines.add(e.unit().value() + " | " + e.mount().what() + " " + e.mount().where() + " " + e.mount().type() + " "
          + String.join(",", e.options()));
    }
    String nine = "trans=virtio,version=9p2000.L,msize=512000,cache=mmap";
    assertThat(lines).containsExactly(
        "run-kvmount-data.mount | data /run/kvmount/data 9p " + nine + ",noauto",
        "run-kvmount-conf.mount | conf /run/kvmount/conf 9p " + nine + ",ro,noauto",
        "run-kvmount-cache.mount | tmpfs /run/kvmount/cache tmpfs mode=0123,uid=9991,gid=9992,noauto",
        "opt-stage2-web-rootfs-var-data.mount | /run/kvmount/data /opt/stage2/web/rootfs/var/data none"
            + " bind,rslave,x-systemd.requires=run-kvmount-data.mount,x-systemd.required-by=web.service,"
            + "x-systemd.before=web.service",
        "opt-stage2-web-rootfs-var-data-conf.mount | /run/kvmount/conf /opt/stage2/web/rootfs/var/data/conf none"
            + " bind,ro,rslave,x-systemd.requires=run-kvmount-conf.mount,"
            + "x-systemd.requires=opt-stage2-web-rootfs-var-data.mount,x-systemd.required-by=web.service,"
            + "x-systemd.before=web.service",
        "opt-stage2-web-rootfs-cache.mount | /run/kvmount/cache /opt/stage2/web/rootfs/cache none"
            + " bind,rslave,x-systemd.requires=run-kvmount-cache.mount,x-systemd.required-by=web.service,"
            + "x-systemd.before=web.service",
        "opt-stage2-db-rootfs-data.mount | /run/kvmount/data /opt/stage2/db/rootfs/data none"
            + " bind,rslave,x-systemd.requires=run-kvmount-data.mount,x-systemd.required-by=db.service,"
            + "x-systemd.before=db.service");
    // The nested mount point lies inside data's mount: the image need not hold it.
    assertThat(s.imageMustContain()).extracting(e -> e.path() + " " + e.kind().word()).containsExactly(
        "/opt/stage2/web/rootfs/var/data directory", "/opt/stage2/web/rootfs/cache directory",
        "/opt/stage2/db/rootfs/data directory", "web.service service", "db.service service");
    assertThat(s.imageMustContain().get(0).origin()).isEqualTo("apps[0].mounts[0]");
  }

  /** Every planned mount unit has an entry whose requires and required-by are the plan's edges. */
  @Test
  void edgesEqualThePlannedUnitsEdges() throws Exception {
    Plan p = plan(Route.CMDLINE, pod(VOLUMES, APPS));
    SealedPlan s = SealedPlanner.plan(p, Route.CMDLINE);
    for (PlannedUnit u : p.units()) {
      if (u.mount().isEmpty()) {
        continue;
      }
      FstabEntry e = s.entries().stream().filter(x -> x.unit().equals(u.name())).findFirst().orElseThrow();
      assertThat(e.mount()).isEqualTo(u.mount().get());
      List<String> requires = new ArrayList<>();
      List<String> requiredBy = new ArrayList<>();
      for (String o : e.options()) {
        if (o.startsWith("x-systemd.requires=")) {
          requires.add(o.substring("x-systemd.requires=".length()));
        } else if (o.startsWith("x-systemd.required-by=")) {
          requiredBy.add(o.substring("x-systemd.required-by=".length()));
          assertThat(e.options()).contains("x-systemd.before=" + requiredBy.get(requiredBy.size() - 1));
        }
      }
      List<String> want = new ArrayList<>(u.requires().stream().map(UnitName::value).toList());
      if (u.mount().get().what().equals("/run/kvmount/cache")) {
        want.add(0, "run-kvmount-cache.mount"); // a sealed empty volume is a tmpfs mount of its own
      }
      assertThat(requires).as(u.name().value()).containsExactlyElementsOf(want);
      List<String> apps = p.units().stream()
          .filter(a -> a.role() == PlannedUnit.Role.APP_SERVICE && a.requires().contains(u.name()))
          .map(a -> a.name().value()).toList();
      assertThat(requiredBy).as(u.name().value()).containsExactlyElementsOf(apps);
      assertThat(e.options().contains("noauto")).isEqualTo(u.role() == PlannedUnit.Role.SHARE);
    }
  }

  @Test
  void unitsRouteStillMountsUnderMnt_andSealedUnderRun() throws Exception {
    Plan units = plan(Route.UNITS, pod(VOLUMES, APPS));
    Plan sealed = plan(Route.CREDENTIALS, pod(VOLUMES, APPS));
    assertThat(units.shares().get(0).unit().value()).isEqualTo("mnt-data.mount");
    assertThat(sealed.shares().get(0).unit().value()).isEqualTo("run-kvmount-data.mount");
    assertThat(sealed.units().get(0).mount()).contains(new MountSpec("data", GuestPath.parse("/run/kvmount/data"), "9p",
        List.of("trans=virtio", "version=9p2000.L", "msize=512000", "cache=mmap")));
    assertThatThrownBy(() -> SealedPlanner.plan(units, Route.UNITS)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void podShareMountsUnderRunToo() throws Exception {
    Plan p = Planner.plan(pod(VOLUMES, APPS), Map.of(),
        PlanOptions.defaults().withPodShare("/srv/pods/p1").withRoute(Route.CREDENTIALS), GuestFs.EMPTY);
    SealedPlan s = SealedPlanner.plan(p, Route.CREDENTIALS);
    assertThat(s.entries().get(0).mount().where()).isEqualTo(GuestPath.parse("/run/kvmount/kvmount_pod"));
    assertThat(s.entries()).anySatisfy(e -> assertThat(e.mount().what()).isEqualTo("/run/kvmount/kvmount_pod/data"));
  }

  @Test
  void legacyRemountIsRefused() throws Exception {
    Plan p = Planner.plan(pod(VOLUMES, APPS), Map.of(),
        PlanOptions.defaults().withLegacyRemount(true).withRoute(Route.CREDENTIALS), GuestFs.EMPTY);
    assertThatThrownBy(() -> SealedPlanner.plan(p, Route.CREDENTIALS)).isInstanceOf(PlanException.class)
        .hasMessageContaining("--legacy-remount").hasMessageContaining("--emit credentials");
  }

  @Test
  void mountPointInsideReadOnlyEmptyVolumeIsRefused() throws Exception {
    String apps = app("web", "{\"volume\":\"frozen\",\"path\":\"/c\"},{\"volume\":\"data\",\"path\":\"/c/d\"}");
    Plan p = plan(Route.CMDLINE, pod(VOLUMES + ",{\"name\":\"frozen\",\"kind\":\"empty\",\"readOnly\":true}", apps));
    assertThatThrownBy(() -> SealedPlanner.plan(p, Route.CMDLINE)).isInstanceOf(PlanException.class)
        .hasMessageContaining("volume \"frozen\"").hasMessageContaining("/run/kvmount/frozen/d")
        .hasMessageContaining("--emit units");
  }
}
