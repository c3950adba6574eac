package io.kvmount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.oci.OciBundle;
import io.kvmount.oci.OciConfig;
import io.kvmount.plan.BundlePlanner;
import io.kvmount.plan.PlanException;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host source that is the stage1 rootfs, lies inside it or holds it would share the guest's own
 * root (units, kvmount's state) into an app: refused when planning, by real path, for OCI bundles
 * (bind sources and the rootfs) and appc volumes alike.
 */
class Stage1SourceTest {

  @TempDir Path tmp;

  Kvmount.Generation plan(String source, String rootPath) throws Exception {
    Path bundle = Files.createDirectories(tmp.resolve("bundle/rootfs")).getParent();
    OciBundle b = new OciBundle("web", bundle, bundle.resolve("config.json"), new OciConfig("1.0.2",
        new OciConfig.Root(rootPath, false), source == null ? List.of() : List.of(new OciConfig.OciMount("/data",
            Optional.of(source), Optional.empty(), List.of("rbind"), Optional.empty(), Optional.empty()))));
    return Kvmount.planBundles(List.of(b), Hypervisors.byName("qemu"), Transport.NINE_P, PlanOptions.defaults(),
        HypervisorOptions.defaults(), BundlePlanner.RootSource.SHARE, tmp.resolve("stage1"));
  }

  @Test
  void sourcesInOrAroundTheStage1Rootfs_refused() throws Exception {
    Path stage1 = Files.createDirectories(tmp.resolve("stage1/usr"));
    Files.createSymbolicLink(tmp.resolve("alias"), stage1.getParent());
    assertThatThrownBy(() -> plan(tmp.resolve("stage1").toString(), "rootfs")).isInstanceOf(PlanException.class)
        .hasMessage(tmp.resolve("bundle/config.json") + ": mounts[0].source: \"" + tmp.resolve("stage1")
            + "\" is the stage1 rootfs \""
            + tmp.resolve("stage1") + "\": the guest's own root would be shared into the app; share a directory"
            + " outside it");
    assertThatThrownBy(() -> plan(stage1.toString(), "rootfs")).hasMessageContaining("lies inside the stage1 rootfs");
    assertThatThrownBy(() -> plan(tmp.toString(), "rootfs")).hasMessageContaining("holds the stage1 rootfs");
    // Through a symlink too: compared by real path.
    assertThatThrownBy(() -> plan(tmp.resolve("alias").toString(), "rootfs")).hasMessageContaining("is the stage1 rootfs");
    // The bundle's rootfs is a host source like any other.
    assertThatThrownBy(() -> plan(null, tmp.resolve("stage1").toString())).hasMessageStartingWith(
        tmp.resolve("bundle/config.json") + ": root.path: \"" + tmp.resolve("stage1") + "\" is the stage1 rootfs");
    // A source beside it is fine.
    Path data = Files.createDirectories(tmp.resolve("data"));
    assertThat(plan(data.toString(), "rootfs").plan().shares()).hasSize(2);
  }
}
