package io.kvmount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding example {@code examples/java/EmbedKvmount.java} compiles against the library,
 * runs (writes units for a real pod into a temporary stage1 rootfs and prints the QEMU arguments),
 * and is what the README shows, so the README's example stays correct.
 */
class EmbedExampleTest {
  @TempDir Path tmp;

  static Path repo() {
    String p = System.getProperty("kvmount.repo");
    if (p != null && Files.exists(Path.of(p, "examples/java/EmbedKvmount.java"))) {
      return Path.of(p);
    }
    return Path.of("..").toAbsolutePath().normalize();
  }

  @Test
  void exampleCompilesWithoutWarningsAndRuns() throws Exception {
    Path source = repo().resolve("examples/java/EmbedKvmount.java");
    Path classes = Files.createDirectory(tmp.resolve("classes"));
    String libraryClasses = Path.of(Kvmount.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, diagnostics, diagnostics, "-Xlint:all", "-Werror", "--release", "17",
        "-cp", libraryClasses, "-d", classes.toString(), source.toString());
    assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    Path stage1 = Files.createDirectory(tmp.resolve("stage1"));
    Path data = Files.createDirectories(tmp.resolve("host/data"));
    Path pod = tmp.resolve("pod.json");
    Files.writeString(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
        + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"" + data + "\"}],"
        + "\"apps\":[{\"name\":\"web\",\"image\":{\"id\":\"sha512-aa\"},\"mounts\":["
        + "{\"volume\":\"data\",\"path\":\"/var/data\"}]}]}");

    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (URLClassLoader cl = new URLClassLoader(new URL[] {classes.toUri().toURL()}, Kvmount.class.getClassLoader())) {
      Method main = cl.loadClass("EmbedKvmount").getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[] {pod.toString(), stage1.toString()});
    } finally {
      System.setOut(saved);
    }
    assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).isEqualTo(List.of(
        "-fsdev", "local,id=kvmount-data,path=" + data + ",security_model=none,multidevs=remap",
        "-device", "virtio-9p-pci,fsdev=kvmount-data,mount_tag=data"));
    assertThat(stage1.resolve("usr/lib/systemd/system/mnt-data.mount")).isRegularFile();
    assertThat(stage1.resolve("usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf")).isRegularFile();
  }

  @Test
  void readmeShowsTheExampleVerbatim() throws Exception {
    String example = Files.readString(repo().resolve("examples/java/EmbedKvmount.java"), StandardCharsets.UTF_8);
    String readme = Files.readString(repo().resolve("README.md"), StandardCharsets.UTF_8);
    assertThat(readme).as("README.md must contain examples/java/EmbedKvmount.java in a ```java block")
        .contains("```java\n" + example + "```\n");
  }
}
