package io.kvmount;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.apply.ApplyResult;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Transport;
import io.kvmount.verify.VerifyOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-runs of a pod with a single-file volume change nothing: the file mount point the first run
 * creates is planned again by every later run (which then sees it), kept, and verify stays clean.
 * The stage1 side only; the host binds are PodShareTest's.
 */
class SingleFileRerunTest {
  @TempDir Path tmp;

  @Test
  void threeRuns_firstCreatesTheFileMountPoint_laterOnesChangeNothing() throws Exception {
    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path hosts = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 pod");
    String json = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"volumes\":[{\"name\":\"hosts\","
        + "\"kind\":\"host\",\"source\":\"" + hosts + "\",\"readOnly\":true}],\"apps\":[{\"name\":\"web\","
        + "\"image\":{\"id\":\"sha512-aa\"},\"mounts\":[{\"volume\":\"hosts\",\"path\":\"/etc/hosts\"}]}]}";
    PodManifest pod = ManifestReader.readPod(json.getBytes(StandardCharsets.UTF_8), "pod.json");
    Path mountPoint = stage1.resolve("opt/stage2/web/rootfs/etc/hosts");
    for (int run = 1; run <= 3; run++) {
      Plan plan = Kvmount.plan(pod, Map.of(), Hypervisors.byName("qemu"), Transport.NINE_P,
          PlanOptions.defaults().withPodShare(tmp.resolve("share").toString()), HypervisorOptions.defaults(), stage1)
          .plan();
      assertThat(plan.fileMountPoints()).as("run %d", run).hasSize(1);
      ApplyResult r = Kvmount.apply(plan, stage1);
      assertThat(Files.isRegularFile(mountPoint)).as("run %d", run).isTrue();
      if (run == 1) {
        assertThat(r.fileMountPointsCreated()).containsExactly("opt/stage2/web/rootfs/etc/hosts");
      } else {
        assertThat(r.nothingChanged()).as("run %d: %s", run, r).isTrue();
        assertThat(Kvmount.changes(plan, stage1).entries())
            .as("run %d", run).allSatisfy(e -> assertThat(e.kind().id()).doesNotStartWith("remove"));
      }
      assertThat(Kvmount.verify(stage1, VerifyOptions.against(plan).withSystemdAnalyze(false)).findings())
          .as("run %d", run).isEmpty();
    }
  }
}
