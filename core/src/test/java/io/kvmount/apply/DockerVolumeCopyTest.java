package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.PodManifest;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanException;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.Planner;
import io.kvmount.plan.Route;
import io.kvmount.sealed.SealedPlanner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, behaviour 1: an implicit volume of an app whose image was converted from a Docker image
 * starts as a copy of what the image holds at the mount point, with the image directory's mode and
 * owner (rkt's rule); planned from a real image tree, applied by {@link PlanWriter}, and re-run.
 */
class DockerVolumeCopyTest {

  @TempDir Path tmp;
  Path stage1;
  boolean root;

  @BeforeEach
  void image() throws Exception {
    stage1 = Files.createDirectory(tmp.resolve("stage1"));
    root = Fixtures.isRoot(tmp);
    DockerImage.build(stage1, root);
  }

  private Plan plan(PodManifest pod, ImageManifest image) throws Exception {
    return Planner.plan(pod, Map.of("db", image), PlanOptions.defaults(), new NioGuestFs(stage1));
  }

  private Plan plan() throws Exception {
    return plan(DockerImage.pod(), DockerImage.image());
  }

  private static long ownerOf(Path p, String which) throws Exception {
    return Integer.toUnsignedLong((Integer) Files.getAttribute(p, "unix:" + which));
  }

  @Test
  void sealedRoutes_refuseACopy_sayingWhatToDo() throws Exception {
    assertThatThrownBy(() -> SealedPlanner.plan(plan(), Route.CREDENTIALS)).isInstanceOf(PlanException.class)
        .hasMessage("image manifest of app \"db\": app.mountPoints[0]: volume \"db-data\" starts as a"
            + " copy of what the Docker image holds there, which needs a written stage1 rootfs, and --emit credentials"
            + " writes nothing (its empty volumes are tmpfs); declare a volume \"data\" in the pod (empty, or a host"
            + " volume with the data), or use --emit units");
  }

  @Test
  void apply_copiesContentModesOwnersTimesLinks_andTheVolumeTakesTheImageDirectorysAttributes() throws Exception {
    Plan p = plan();
    Changes dry = PlanWriter.changes(p, stage1);
    assertThat(dry.entries()).filteredOn(c -> c.kind() == Changes.Kind.COPY_IMAGE_CONTENT)
        .extracting(c -> c.path().toString()).containsExactly("mnt/db-data", "mnt/db-vialink");
    ApplyResult r = PlanWriter.apply(p, stage1);
    assertThat(r.volumesCopied()).containsExactly("mnt/db-data", "mnt/db-vialink");
    Path image = stage1.resolve("opt/stage2/db/rootfs/dir1");
    Path volume = stage1.resolve("mnt/db-data");
    SortedMap<String, String> want = Fixtures.snapshot(image, true);
    SortedMap<String, String> got = Fixtures.snapshot(volume, true);
    assertThat(got).isEqualTo(want);
    assertThat(want).containsEntry("sub/x", "file " + Fixtures.sha("x\n".getBytes(StandardCharsets.UTF_8)) + " 0640 "
        + (root ? "7:8" : ownerOf(stage1, "uid") + ":" + ownerOf(stage1, "gid")) + " 1500000000000");
    assertThat(got.get("")).startsWith("dir 0750 ");
    assertThat(Files.getAttribute(volume.resolve("hard"), "unix:ino"))
        .isEqualTo(Files.getAttribute(volume.resolve("file"), "unix:ino"));
    assertThat(Files.getAttribute(volume.resolve("hard"), "unix:ino"))
        .isNotEqualTo(Files.getAttribute(image.resolve("file"), "unix:ino"));
    assertThat(Files.readSymbolicLink(volume.resolve("link_root"))).hasToString("/");
    assertThat(Fixtures.statMode(volume.resolve("file"))).isEqualTo("4755");
    assertThat(Fixtures.statMode(volume)).isEqualTo("750");
    // No staging directory left beside the volumes.
    try (var s = Files.list(stage1.resolve("mnt"))) {
      assertThat(s.map(x -> x.getFileName().toString())).containsExactlyInAnyOrder("db-data", "db-vialink",
          "db-nothing");
    }
    // Nothing outside the stage1 rootfs, and the image unchanged (a copy, not a move).
    assertThat(Fixtures.snapshot(image, true)).isEqualTo(want);
  }

  @Test
  void reRun_leavesThePopulatedVolumeAlone_andVerifyKnowsItsContentIsTheApps() throws Exception {
    Plan p = plan();
    PlanWriter.apply(p, stage1);
    Path volume = stage1.resolve("mnt/db-data");
    // The app changes its data: edits, removes, adds, even chmods a file.
    Files.writeString(volume.resolve("file"), "the app's own\n");
    Files.delete(volume.resolve("sub/x"));
    Files.writeString(volume.resolve("new"), "new\n");
    SortedMap<String, String> appData = Fixtures.snapshot(volume, true);
    Plan again = plan();
    Changes c = PlanWriter.changes(again, stage1);
    assertThat(c.entries()).noneMatch(e -> e.kind() == Changes.Kind.COPY_IMAGE_CONTENT);
    assertThat(c.nothingToDo()).isTrue();
    ApplyResult r = PlanWriter.apply(again, stage1);
    assertThat(r.nothingChanged()).isTrue();
    assertThat(r.volumesCopied()).isEmpty();
    assertThat(Fixtures.snapshot(volume, true)).isEqualTo(appData);
    // The volume directory's own mode is kvmount's, as for any empty volume: re-applied.
    DockerImage.set(volume, 0777);
    PlanWriter.apply(plan(), stage1);
    assertThat(Fixtures.statMode(volume)).isEqualTo("750");
    assertThat(Fixtures.snapshot(volume, true)).isEqualTo(appData);
    // verify never looks inside the volume; its directory's mode is the image directory's.
    io.kvmount.verify.VerifyReport clean = io.kvmount.verify.Verifier.verify(stage1,
        io.kvmount.verify.VerifyOptions.against(plan()).withSystemdAnalyze(false));
    assertThat(clean.findings()).isEmpty();
    DockerImage.set(volume, 0700);
    assertThat(io.kvmount.verify.Verifier.verify(stage1, io.kvmount.verify.VerifyOptions.against(plan())
        .withSystemdAnalyze(false)).findings()).extracting(io.kvmount.verify.Finding::message).containsExactly("empty volume \"db-data\": mode"
            + " 0700, but the Docker image's directory gives 0750");
  }

  @Test
  void aReadOnlyCopiedVolume_withAMountInside_getsItsMountPointAfterTheCopy() throws Exception {
    // The mount points inside a read-only volume are made in the volume directory by kvmount:
    // after the copy, and only where the image had none.
    io.kvmount.manifest.ImageManifest image = io.kvmount.manifest.ManifestReader.readImage(DockerImage.IMAGE_JSON
        .replace("{\"name\":\"data\",\"path\":\"/dir1\"}", "{\"name\":\"data\",\"path\":\"/dir1\",\"readOnly\":true},"
            + "{\"name\":\"logs\",\"path\":\"/dir1/sub\"},{\"name\":\"spool\",\"path\":\"/dir1/spool\"}")
        .getBytes(StandardCharsets.UTF_8), "image.json");
    Plan p = Planner.plan(DockerImage.pod(), Map.of("db", image), PlanOptions.defaults(), new NioGuestFs(stage1));
    assertThat(p.copies()).extracting(c -> c.volume()).containsExactly("db-data", "db-logs", "db-vialink");
    ApplyResult r = PlanWriter.apply(p, stage1);
    assertThat(r.volumesCopied()).containsExactly("mnt/db-data", "mnt/db-logs", "mnt/db-vialink");
    Path volume = stage1.resolve("mnt/db-data");
    assertThat(volume.resolve("file")).hasContent("dir1");
    assertThat(Fixtures.statMode(volume.resolve("sub"))).as("the image's, kept").isEqualTo("700");
    assertThat(volume.resolve("sub/x")).hasContent("x");
    assertThat(Fixtures.statMode(volume.resolve("spool"))).as("made for the mount inside").isEqualTo("755");
    assertThat(stage1.resolve("mnt/db-logs/x")).hasContent("x");
    assertThat(PlanWriter.apply(Planner.plan(DockerImage.pod(), Map.of("db", image), PlanOptions.defaults(),
        new NioGuestFs(stage1)), stage1).nothingChanged()).isTrue();
  }

  @Test
  void aFailedCopy_leavesNothing_andARerunCompletes() throws Exception {
    Plan p = plan();
    // The image changes after planning: a file became a directory.
    Path x = stage1.resolve("opt/stage2/db/rootfs/dir1/sub/x");
    Files.delete(x);
    Files.createDirectory(x);
    assertThatThrownBy(() -> PlanWriter.apply(p, stage1)).isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("copy \"opt/stage2/db/rootfs/dir1/sub/x\" into volume \"db-data\"")
        .hasMessageContaining("it is a directory now, where planning found a regular file (the image changed since"
            + " planning); run kvmount again");
    Path mnt = stage1.resolve("mnt");
    if (Files.exists(mnt, LinkOption.NOFOLLOW_LINKS)) {
      try (var s = Files.list(mnt)) {
        assertThat(s).as("left in /mnt").isEmpty();
      }
    }
    assertThat(stage1.resolve(".kvmount/state")).doesNotExist();
    PlanWriter.apply(plan(), stage1);
    assertThat(stage1.resolve("mnt/db-data/sub/x")).isDirectory();
    assertThat(stage1.resolve("mnt/db-data/file")).hasContent("dir1");
  }

  @Test
  void journal_listsTheCopysStagingDirectory_andARerunRemovesWhatACrashLeft() throws Exception {
    Plan p = plan();
    // What a run killed in the middle of its copy leaves: its journal, and a staging directory with
    // part of the copy (a read-only directory with a file in it, a symlink to the host's root).
    PlanWriter.apply(new Plan(List.of(), GuestPath.parse("/usr/lib/systemd/system"), List.of(),
        List.of(new PlannedDirectory(GuestPath.parse("/mnt"), io.kvmount.path.FileMode.DEFAULT_DIRECTORY, 0, 0,
            false)), List.of(), List.of()), stage1);
    Path staging = Files.createDirectory(stage1.resolve("mnt/.kvmount-staging-00112233445566aa"));
    Path part = Files.createDirectory(staging.resolve("sub"));
    Files.writeString(part.resolve("x"), "x");
    DockerImage.set(part, 0500);
    Files.createSymbolicLink(staging.resolve("link_root"), Path.of("/"));
    Path outside = Files.writeString(tmp.resolve("outside"), "keep");
    Files.createSymbolicLink(staging.resolve("link_out"), outside);
    byte[] state = Files.readAllBytes(stage1.resolve(".kvmount/state"));
    Files.write(stage1.resolve(".kvmount/state"), StateFile.journalOf(state,
        java.util.Set.of(GuestPath.parse("/mnt/db-data")), java.util.Set.of(GuestPath.parse(
            "/mnt/.kvmount-staging-00112233445566aa"))));
    PlanWriter.apply(p, stage1);
    assertThat(staging).doesNotExist();
    assertThat(outside).hasContent("keep");
    assertThat(stage1.resolve("mnt/db-data/sub/x")).hasContent("x\n");
    assertThat(Files.readString(stage1.resolve(".kvmount/state"))).doesNotContain("staging");
  }
}
