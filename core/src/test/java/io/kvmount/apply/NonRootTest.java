package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Giving a directory to another user needs root: an unprivileged run must fail with a message that
 * says so, and leave nothing behind. The test runs a forked JVM as user {@code nobody} through
 * {@code setpriv} (it needs root to switch); in an unprivileged test run it applies in-process
 * instead.
 */
class NonRootTest {

  @TempDir Path tmp;

  @Test
  void chownWithoutRoot_failsWithAClearMessageAndRollsBack() throws Exception {
    String message;
    Path root;
    String rootReal;
    if (Fixtures.isRoot(tmp)) {
      assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv to drop root");
      // @TempDir is 0700 root; nobody needs a directory it can reach.
      Path shared = Files.createTempDirectory(Path.of("/tmp"), "kvmount-nonroot");
      try {
        Files.setAttribute(shared, "unix:mode", 0777);
        root = Files.createDirectory(shared.resolve("root"));
        Files.setAttribute(root, "unix:mode", 0777);
        rootReal = root.toRealPath().toString();
        String cp =
            Path.of(PlanWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(
                    ApplyOnceMain.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
        Process p =
            new ProcessBuilder(
                    "/usr/bin/setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + shared,
                    "-cp",
                    cp,
                    ApplyOnceMain.class.getName(),
                    root.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("output: %s", out).isEqualTo(1);
        message = out;
        assertLeftNothing(root);
      } finally {
        Fixtures.deleteTree(shared);
      }
    } else {
      root = Files.createDirectory(tmp.resolve("root"));
      rootReal = root.toRealPath().toString();
      try {
        PlanWriter.apply(
            Fixtures.plan(List.of(), List.of(Fixtures.dir("/mnt/vol", 0755, 0, 0, true))), root);
        throw new AssertionError("an unprivileged run gave a directory to root");
      } catch (java.io.IOException e) {
        message = e.getMessage();
      }
      assertLeftNothing(root);
    }
    assertThat(message)
        .isEqualTo(
            "set owner 0:0 of directory \"mnt\" in stage1 rootfs \""
                + rootReal
                + "\": operation not permitted (only root can give a directory to another user)");
  }

  /** Only kvmount's lock directory may remain: no volume directory, no state. */
  private static void assertLeftNothing(Path root) throws Exception {
    List<String> left = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(p -> left.add(root.relativize(p).toString()));
    }
    assertThat(left).containsExactlyInAnyOrder("", ".kvmount", ".kvmount/lock");
  }
}
