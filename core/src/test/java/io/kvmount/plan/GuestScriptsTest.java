package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell scripts kvmount's guest services run ({@link Planner#PATHS_SCRIPT}, {@link
 * Planner#COPY_UP_SCRIPT}), run for real by {@code sh} on temp dirs: what they do, and that no
 * symlink makes them act outside the app rootfs or the share. The paths script mounts, so it runs
 * as root in a private mount namespace ({@code unshare -m}); CI runs as root.
 */
class GuestScriptsTest {

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  static Run run(List<String> argv) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    Path out = Files.createTempFile("gs-out", ".txt");
    Path err = Files.createTempFile("gs-err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    int exit = pb.start().waitFor();
    Run r = new Run(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  @Test
  void copyUp_copiesTheCoveredDirectory_butNothingOutsideTheShare() throws Exception {
    Path share = Files.createDirectories(tmp.resolve("share/web-rootfs"));
    Path etc = Files.createDirectories(share.resolve("etc"));
    Files.writeString(etc.resolve("hostname"), "web\n");
    Files.createSymbolicLink(etc.resolve("link"), Path.of("hostname"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "s");
    Files.createSymbolicLink(share.resolve("var"), outside);
    Path dst1 = Files.createDirectories(tmp.resolve("dst1"));
    Path dst2 = Files.createDirectories(tmp.resolve("dst2"));
    Path dst3 = Files.createDirectories(tmp.resolve("dst3"));

    Run ok = run(List.of("sh", "-c", Planner.COPY_UP_SCRIPT, "kvmount-tmpcopyup", etc.toString(), dst1.toString(),
        share.toString()));
    assertThat(ok.exit()).isZero();
    assertThat(dst1.resolve("hostname")).hasContent("web");
    assertThat(Files.readSymbolicLink(dst1.resolve("link"))).isEqualTo(Path.of("hostname"));

    // The app made var a symlink to a place outside its share since planning: nothing is copied.
    Run out = run(List.of("sh", "-c", Planner.COPY_UP_SCRIPT, "kvmount-tmpcopyup", share.resolve("var").toString(),
        dst2.toString(), share.toString()));
    assertThat(out.exit()).isZero();
    assertThat(out.err()).contains("leads out of " + share + "; nothing copied");
    assertThat(dst2).isEmptyDirectory();

    // Nothing there: an empty tmpfs, as runc's copy-up gives.
    Run missing = run(List.of("sh", "-c", Planner.COPY_UP_SCRIPT, "kvmount-tmpcopyup", share.resolve("nope").toString(),
        dst3.toString(), share.toString()));
    assertThat(missing.exit()).isZero();
    assertThat(dst3).isEmptyDirectory();
  }

  @Test
  void paths_masksAndFreezes_insideTheAppRootfsOnly() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "the paths script mounts: run as root (CI does)");
    Path root = Files.createDirectories(tmp.resolve("opt/stage2/web/rootfs"));
    Files.writeString(root.resolve("secret.txt"), "s");
    Files.writeString(Files.createDirectories(root.resolve("dir")).resolve("f"), "f");
    Path ro = Files.createDirectories(root.resolve("ro"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("victim.txt"), "v");
    Files.createSymbolicLink(root.resolve("escape"), outside);

    List<String> args = new ArrayList<>(List.of(root.toString(), "--mask", root.resolve("secret.txt").toString(),
        root.resolve("dir").toString(), root.resolve("escape/victim.txt").toString(), root.resolve("missing").toString(),
        "--readonly", ro.toString(), root.resolve("escape").toString()));
    // In a private mount namespace: the script, then what the app would see, in one process tree.
    String check = "sh -c \"$S\" kvmount-paths \"$@\"; echo rc=$?;"
        + " echo secret=$(wc -c < \"$1/secret.txt\"); echo dir=$(ls -A \"$1/dir\" | wc -l);"
        + " echo victim=$(cat \"$1/escape/victim.txt\");"
        + " if touch \"$1/ro/new\" 2>/dev/null; then echo ro=writable; else echo ro=refused; fi;"
        + " if touch \"$1/escape/new\" 2>/dev/null; then echo outside=writable; else echo outside=refused; fi";
    List<String> argv = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", check, "sh"));
    argv.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().put("S", Planner.PATHS_SCRIPT);
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    assertThat(pb.start().waitFor()).isZero();
    assertThat(Files.readAllLines(out)).containsExactly(
        "rc=0", "secret=0", "dir=0", "victim=v", "ro=refused", "outside=writable");
    assertThat(Files.readString(err)).contains(outside.resolve("victim.txt") + " is outside the app rootfs " + root
        + "; left alone", outside + " is outside the app rootfs " + root + "; left alone");
    // The host's namespace never saw the mounts.
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(root.toString());
  }
}
