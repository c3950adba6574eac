package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nested mounts whose child mount point cannot exist: {@code /config} is a read-only host volume
 * (shared with QEMU {@code readonly=on}) without a {@code secrets} directory, and
 * {@code /config/secrets} is mounted inside it. Nothing in the guest can create that directory,
 * and kvmount does not write into the user's host directory, so a boot would leave the app
 * without its secrets. kvmount refuses the pod instead (exit 3, one line naming the mount and the
 * directory to create, nothing written). No boot needed, but it uses the same stage1 setup.
 */
@ExtendWith(E2eCondition.class)
class NestedMountPointMissingTest {
  private static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static GuestPod pod;
  private static Path config;

  @BeforeAll
  static void setUp() throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("nested-missing"));
    config = pod.hostDir("config");
    Files.writeString(config.resolve("app.conf"), "setting=1");
    Path secrets = pod.hostDir("secrets");
    pod.hostVolume("config", config, true).hostVolume("secrets", secrets, false);
    pod.app("nested").mount("config", "/config").mount("secrets", "/config/secrets");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
  }

  @Test
  void kvmountRefusesTheManifestClearlyAndWritesNothing() throws IOException {
    Path manifest = pod.writeManifest();
    Shell.Result r =
        Shell.run(
            ENV.repo(),
            Duration.ofMinutes(10),
            List.of(ENV.repo().resolve("kvmount").toString(), "generate", "--pod-manifest", manifest.toString(),
                "--stage1-rootfs", pod.stage1().toString(), "--hypervisor", "qemu", "--format", "json"));
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.stderr()).isEqualTo(3);
    assertThat(r.stderr().strip().lines().count()).as("one line: %s", r.stderr()).isEqualTo(1);
    assertThat(r.stderr()).contains("apps[0].mounts[1]").contains("/config/secrets").contains(config.resolve("secrets").toString());
    assertThat(r.stdout()).isEmpty();
    assertThat(config.resolve("secrets")).doesNotExist();
    try (Stream<Path> s = Files.list(pod.stage1().resolve("usr/lib/systemd/system"))) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("mnt-") || n.startsWith("opt-stage2-") || n.startsWith("nested"))).isEmpty();
    }
    assertThat(pod.stage1().resolve("mnt/config")).doesNotExist();
  }
}
