package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example ({@code examples/java/EmbedKvmount.java}) compiles and runs against
 * the kvmount-core jar and the dependencies its published pom declares, nothing else: the pom that
 * {@code mvn install} publishes ({@code core/target/kvmount-core-VERSION.pom}) is copied alone into
 * a temporary directory and Maven resolves its runtime class path from it, as it does for an
 * embedder's project that names {@code io.kvmount:kvmount-core}. Before the pom was made
 * self-contained it named kvmount-parent, without which Maven resolved the jar alone and the
 * example failed with {@code NoClassDefFoundError: com/fasterxml/jackson/core/JsonFactory}.
 */
class EmbedderTest {
  @TempDir Path tmp;

  /** Runs {@code argv} in {@code tmp}; fails unless it exits 0 within 300 s; returns stdout. */
  private String run(String... argv) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().remove("MAVEN_OPTS");
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", List.of(argv)).isTrue();
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s\n%s%s", List.of(argv), stdout, Files.readString(err, StandardCharsets.UTF_8))
        .isZero();
    return stdout;
  }

  @Test
  void readmeExample_runsWithCoreAndItsDeclaredDependenciesAlone() throws Exception {
    String version = System.getProperty("kvmount.version");
    String mvn = System.getProperty("kvmount.mvn");
    assertThat(version).as("kvmount.version (set by e2e/pom.xml)").isNotBlank();
    assertThat(mvn).as("kvmount.mvn (set by e2e/pom.xml)").isNotBlank();
    Path core = E2eEnvironment.repoRoot().resolve("core/target");
    Path jar = core.resolve("kvmount-core-" + version + ".jar");
    Path publishedPom = core.resolve("kvmount-core-" + version + ".pom");
    assertThat(jar).isRegularFile();
    assertThat(publishedPom).as("the pom mvn install publishes for kvmount-core").isRegularFile();

    // The published pom stands alone: no parent, no imported BOM, every version written out.
    String pomText = Files.readString(publishedPom, StandardCharsets.UTF_8);
    assertThat(pomText).doesNotContain("<parent>", "<dependencyManagement>", "<scope>test</scope>")
        .contains("<groupId>io.kvmount</groupId>", "<artifactId>kvmount-core</artifactId>",
            "<version>" + version + "</version>", "<artifactId>jackson-core</artifactId>");
    Path pom = tmp.resolve("pom.xml");
    Files.copy(publishedPom, pom);

    Path cpFile = tmp.resolve("classpath.txt");
    // Offline, from the local repository this build used (it holds jackson-core and the plugin).
    List<String> mvnArgs = new ArrayList<>(List.of(mvn, "-B", "-q", "-o", "-f", pom.toString()));
    String repo = System.getProperty("kvmount.mvn.repo");
    if (repo != null && !repo.isBlank()) {
      mvnArgs.add("-Dmaven.repo.local=" + repo);
    }
    mvnArgs.addAll(List.of("org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
        "-Dmdep.includeScope=runtime", "-Dmdep.outputFile=" + cpFile));
    run(mvnArgs.toArray(String[]::new));
    String dependencies = Files.readString(cpFile, StandardCharsets.UTF_8).strip();
    assertThat(dependencies).contains("jackson-core-").doesNotContain("kvmount", "junit", "assertj");
    String classpath = jar + ":" + dependencies;

    Path classes = Files.createDirectory(tmp.resolve("classes"));
    Path source = E2eEnvironment.repoRoot().resolve("examples/java/EmbedKvmount.java");
    Path javaHome = Path.of(System.getProperty("java.home"));
    run(javaHome.resolve("bin/javac").toString(), "-Xlint:all", "-Werror", "--release", "17",
        "-cp", classpath, "-d", classes.toString(), source.toString());

    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path data = Files.createDirectories(tmp.resolve("host/data"));
    Path pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + data + "\"}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/var/data\"}]}]}");
    String out = run(javaHome.resolve("bin/java").toString(), "-cp", classes + ":" + classpath, "EmbedKvmount",
        pod.toString(), stage1.toString());
    assertThat(out.lines().toList()).contains("-device", "virtio-9p-pci,fsdev=kvmount-data,mount_tag=data");
    assertThat(stage1.resolve("usr/lib/systemd/system/mnt-data.mount")).isRegularFile();
  }
}
