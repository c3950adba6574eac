package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.activatedBeforeService;
import static io.kvmount.e2e.Checks.mountedAs;
import static io.kvmount.e2e.Checks.refusedReadOnly;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Nested mounts (fault class 15): a read-only volume at {@code /config} and a writable one at
 * {@code /config/secrets}. The app must see both, {@code /config} refusing writes and
 * {@code /config/secrets} taking them. Subclasses decide whether the host's config directory
 * already holds an (empty) {@code secrets} directory for the child mount point.
 */
abstract class NestedMountsInGuestBase {
  static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();

  GuestPod pod;
  GuestPod.Boot boot;
  Path config;
  Path secrets;

  /** Builds and boots the pod; {@code secretsDirInConfig} pre-creates config/secrets on the host. */
  void bootPod(String name, boolean secretsDirInConfig) throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir(name));
    config = pod.hostDir("config");
    Files.writeString(config.resolve("app.conf"), "setting=1");
    if (secretsDirInConfig) {
      Files.createDirectory(config.resolve("secrets"));
    }
    secrets = pod.hostDir("secrets");
    Files.writeString(secrets.resolve("token"), "s3cret");
    pod.hostVolume("config", config, true).hostVolume("secrets", secrets, false);
    pod.app("nested")
        .mount("config", "/config")
        .mount("secrets", "/config/secrets")
        .mounted("start.mounted /config", "/config")
        .mounted("start.mounted /config/secrets", "/config/secrets")
        .activation("start.activation /config", "/config")
        .activation("start.activation /config/secrets", "/config/secrets")
        .read("read.config", "/config/app.conf")
        .read("read.secret", "/config/secrets/token")
        .write("write.config", "/config/new.conf", "x")
        .write("write.secret", "/config/secrets/rotated", "n3w");
    GuestPod.Generated generated = pod.generate();
    boot = pod.boot(generated.hypervisorArgs());
  }

  void bothMountsWorkParentReadOnlyChildWritable() throws IOException {
    Map<String, String> r = boot.results("nested");
    mountedAs(boot, r, "start.mounted /config", "9p", true);
    mountedAs(boot, r, "start.mounted /config/secrets", "9p", false);
    activatedBeforeService(boot, r, "start.activation /config");
    activatedBeforeService(boot, r, "start.activation /config/secrets");
    assertThat(value(boot, r, "read.config")).isEqualTo("setting=1");
    assertThat(value(boot, r, "read.secret")).isEqualTo("s3cret");
    refusedReadOnly(boot, r, "write.config");
    assertThat(value(boot, r, "write.secret")).isEqualTo("OK");
    assertThat(secrets.resolve("rotated")).hasContent("n3w");
    assertThat(config.resolve("new.conf")).doesNotExist();
  }

  void cleanUp() throws IOException {
    if (pod != null) {
      pod.cleanUp();
    }
  }
}
