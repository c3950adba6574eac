package io.kvmount.hostshare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.error.InvalidInputException;
import io.kvmount.hostshare.ShareChanges.Bind;
import io.kvmount.hostshare.ShareChanges.UnmountStale;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pod share's host side with real mounts (root only; skipped with a message otherwise): every
 * test works in its own temporary directory, with tmpfs submounts it makes, and unmounts
 * everything there afterwards, also when it fails.
 */
class PodShareTest {

  private Path base;
  private Path dir;

  @BeforeEach
  void setUp() throws IOException {
    Mounts.assumeRoot();
    base = Files.createTempDirectory("kvmount-hostshare-").toRealPath();
    dir = base.resolve("share");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (base != null) {
      Mounts.cleanUp(base);
    }
  }

  /** A source directory with a file, and a tmpfs at {@code sub} that hides a file beneath it. */
  private Path sourceWithSubmount(String name) throws Exception {
    Path src = Files.createDirectories(base.resolve(name));
    Files.writeString(src.resolve("top.txt"), "top");
    Path sub = Files.createDirectory(src.resolve("sub"));
    Files.writeString(sub.resolve("beneath.txt"), "beneath");
    Mounts.tmpfs(sub);
    Files.writeString(sub.resolve("submount.txt"), "submount");
    return src;
  }

  private static HostBind dirBind(String name, Path src, boolean ro, boolean recursive) {
    return new HostBind(name, "vol-" + name, src, false, ro, recursive);
  }

  private void setUp(HostBind... binds) throws Exception {
    ShareSpec spec = new ShareSpec(dir, List.of(binds));
    PodShare.apply(PodShare.analyse(spec, List.of()));
    assertThat(PodShare.verify(spec)).isEmpty();
    assertThat(PodShare.analyse(spec, List.of()).isEmpty()).as("re-run changes nothing").isTrue();
  }

  private static void assertWriteRefused(Path p) {
    assertThatThrownBy(() -> Files.writeString(p, "x"))
        .isInstanceOf(FileSystemException.class)
        .hasMessageContaining("Read-only file system");
  }

  private MountInfo.Mount only(Path mp) throws IOException {
    List<MountInfo.Mount> at = MountInfo.read().at(mp);
    assertThat(at).hasSize(1);
    return at.get(0);
  }

  @Test
  void apply_recursiveReadWrite_showsSubmountAndWritesReachHost() throws Exception {
    Path src = sourceWithSubmount("src");
    setUp(dirBind("data", src, false, true));
    Path mp = dir.resolve("data");
    assertThat(mp.resolve("sub/submount.txt")).hasContent("submount");
    Files.writeString(mp.resolve("new.txt"), "from share");
    assertThat(src.resolve("new.txt")).hasContent("from share");
    assertThat(only(mp).readOnly()).isFalse();
    assertThat(only(mp).shared()).isFalse();
  }

  @Test
  void apply_recursiveReadOnly_makesSubmountsReadOnlyToo() throws Exception {
    Path src = sourceWithSubmount("src");
    setUp(dirBind("data", src, true, true));
    Path mp = dir.resolve("data");
    assertThat(mp.resolve("sub/submount.txt")).hasContent("submount");
    assertWriteRefused(mp.resolve("new.txt"));
    assertWriteRefused(mp.resolve("sub/new.txt"));
    assertThat(only(mp).readOnly()).isTrue();
    assertThat(only(mp.resolve("sub")).readOnly()).isTrue();
    // The source itself stays writable, and no staging mount is left.
    Files.writeString(src.resolve("sub/host.txt"), "host");
    assertThat(Mounts.under(Records.dirOf(dir))).isEmpty();
  }

  @Test
  void apply_notRecursive_showsTheFileBeneathTheSubmount() throws Exception {
    Path src = sourceWithSubmount("src");
    Path src2 = sourceWithSubmount("src2");
    setUp(dirBind("rw", src, false, false), dirBind("ro", src2, true, false));
    assertThat(dir.resolve("rw/sub/beneath.txt")).hasContent("beneath");
    assertThat(dir.resolve("rw/sub/submount.txt")).doesNotExist();
    assertThat(dir.resolve("ro/sub/beneath.txt")).hasContent("beneath");
    assertThat(dir.resolve("ro/sub/submount.txt")).doesNotExist();
    assertThat(MountInfo.read().below(dir.resolve("rw"))).isEmpty();
    assertWriteRefused(dir.resolve("ro/top.txt"));
    // A mount made under the source later does not appear either.
    Path later = Files.createDirectory(src.resolve("later"));
    Mounts.tmpfs(later);
    Files.writeString(later.resolve("late.txt"), "late");
    assertThat(dir.resolve("rw/later/late.txt")).doesNotExist();
  }

  @Test
  void apply_singleFiles_readWriteReachesHost_readOnlyRefused() throws Exception {
    Path rw = Files.writeString(base.resolve("hosts"), "127.0.0.1 localhost\n");
    Path ro = Files.writeString(base.resolve("resolv.conf"), "nameserver 192.0.2.1\n");
    setUp(
        new HostBind("hosts", "hosts", rw, true, false, true),
        new HostBind("resolv.conf", "resolv", ro, true, true, true));
    assertThat(dir.resolve("hosts")).isRegularFile().hasContent("127.0.0.1 localhost");
    Files.writeString(dir.resolve("hosts"), "written through the share\n");
    assertThat(rw).hasContent("written through the share");
    assertWriteRefused(dir.resolve("resolv.conf"));
    assertThat(ro).hasContent("nameserver 192.0.2.1");
    MountInfo.Mount m = only(dir.resolve("resolv.conf"));
    assertThat(m.readOnly()).isTrue();
    assertThat(m.root()).isEqualTo(MountInfo.read().originOf(ro).orElseThrow().root());
  }

  /** Paths with the characters fstab(5) and mountinfo escape reach mount and come back intact. */
  @Test
  void apply_awkwardSourceNames_areBoundAndChecked() throws Exception {
    Path src = Files.createDirectories(base.resolve("#with space\\back\ttab"));
    Files.writeString(src.resolve("f"), "awkward");
    setUp(dirBind("rw", src, false, true), dirBind("ro", src, true, false));
    assertThat(dir.resolve("rw/f")).hasContent("awkward");
    assertThat(dir.resolve("ro/f")).hasContent("awkward");
    assertThat(only(dir.resolve("ro")).root()).endsWith("/#with space\\back\ttab");
  }

  @Test
  void analyse_reportsRealSourcePathAndChanges() throws Exception {
    Path real = Files.createDirectory(base.resolve("real"));
    Path link = Files.createSymbolicLink(base.resolve("link"), real);
    ShareSpec spec = new ShareSpec(dir, List.of(dirBind("data", link, true, true)));
    ShareChanges c = PodShare.analyse(spec, List.of());
    assertThat(c.realSources()).containsEntry("data", real);
    assertThat(c.lines())
        .containsExactly(
            "create share directory " + dir,
            "bind data from " + real + " (read-only, recursive)");
    assertThat(dir).doesNotExist();
    assertThat(Records.dirOf(dir)).doesNotExist();
  }

  /** A single file has no submounts: its line says only the access, not the recursion. */
  @Test
  void analyse_singleFileLine_saysOnlyTheAccess() throws Exception {
    Path ro = Files.writeString(base.resolve("resolv.conf"), "nameserver 192.0.2.1\n");
    Path rw = Files.writeString(base.resolve("hosts"), "127.0.0.1 localhost\n");
    ShareSpec spec =
        new ShareSpec(
            dir,
            List.of(
                new HostBind("resolv.conf", "resolv", ro, true, true, true),
                new HostBind("hosts", "hosts", rw, true, false, false)));
    assertThat(PodShare.analyse(spec, List.of()).lines())
        .containsExactly(
            "create share directory " + dir,
            "bind resolv.conf from " + ro + " (read-only)",
            "bind hosts from " + rw + " (read-write)");
  }

  @Test
  void apply_symlinkSwappedAfterAnalyse_isUndoneAndFails() throws Exception {
    Path a = Files.createDirectories(base.resolve("a/data"));
    Files.writeString(a.resolve("mine.txt"), "mine");
    Path other = Files.createDirectories(base.resolve("other/data"));
    Files.writeString(other.resolve("secret.txt"), "secret");
    for (boolean ro : new boolean[] {false, true}) {
      String name = ro ? "ro" : "rw";
      ShareSpec spec = new ShareSpec(dir, List.of(dirBind(name, a, ro, true)));
      ShareChanges c = PodShare.analyse(spec, List.of());
      // Swap a component of the resolved path for a symlink to elsewhere.
      Files.move(base.resolve("a"), base.resolve("a.old"));
      Files.createSymbolicLink(base.resolve("a"), base.resolve("other"));
      try {
        assertThatThrownBy(() -> PodShare.apply(c))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("bind \"" + dir.resolve(name) + "\" of volume \"vol-" + name)
            .hasMessageContaining("the bind was undone");
        assertThat(MountInfo.read().atOrBelow(dir)).isEmpty();
        assertThat(Mounts.under(Records.dirOf(dir))).isEmpty();
      } finally {
        Files.delete(base.resolve("a"));
        Files.move(base.resolve("a.old"), base.resolve("a"));
      }
    }
  }

  @Test
  void analyse_foreignFileOrMountInShareDir_isRefused() throws Exception {
    Path src = Files.createDirectory(base.resolve("src"));
    ShareSpec spec = new ShareSpec(dir, List.of(dirBind("data", src, false, true)));
    Files.createDirectory(dir);
    Files.writeString(dir.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> PodShare.analyse(spec, List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "share directory \"" + dir + "\": holds \"notes.txt\", which kvmount did not put there");
    Files.delete(dir.resolve("notes.txt"));
    PodShare.apply(PodShare.analyse(spec, List.of()));
    Path foreign = Files.createDirectory(dir.resolve("foreign"));
    Mounts.tmpfs(foreign);
    assertThatThrownBy(() -> PodShare.analyse(spec, List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("\"" + foreign + "\"");
    assertThatThrownBy(() -> PodShare.release(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("nothing was changed");
    assertThat(only(dir.resolve("data"))).isNotNull();
    assertThat(only(foreign)).isNotNull();
    assertThat(PodShare.verify(spec)).anyMatch(f -> f.startsWith("host-foreign: " + foreign));
  }

  @Test
  void analyse_badPlacesAndSources_areRefused() throws Exception {
    Path src = Files.createDirectory(base.resolve("src"));
    Path file = Files.writeString(base.resolve("file"), "f");
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(src.resolve("share"), List.of(dirBind("d", src, false, true))),
                    List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("lies inside the source");
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(dir, List.of(dirBind("d", src, false, true))), List.of(base)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("lies inside the stage1 rootfs");
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(dir, List.of(dirBind("d", base.resolve("nope"), false, true))),
                    List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("volume \"vol-d\": source \"" + base.resolve("nope") + "\": does not exist");
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(dir, List.of(dirBind("d", file, false, true))), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is not a directory, but the volume is mounted as a directory");
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(dir, List.of(new HostBind("f", "f", src, true, false, true))),
                    List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is a directory, but the volume is mounted as a single file");
    Files.createDirectories(dir.resolve("inner"));
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(dir, List.of(dirBind("d", dir.resolve("inner"), false, true))),
                    List.of()))
        .isInstanceOf(InvalidInputException.class);
    assertThat(Mounts.under(base)).isEmpty();
  }

  @Test
  void apply_changedSpec_removesStaleAndRepairsDoubled() throws Exception {
    Path s1 = Files.createDirectory(base.resolve("s1"));
    Path s2 = Files.createDirectory(base.resolve("s2"));
    Path s3 = Files.createDirectory(base.resolve("s3"));
    setUp(dirBind("one", s1, false, true), dirBind("two", s2, true, true));
    ShareSpec next = new ShareSpec(dir, List.of(dirBind("two", s2, true, true), dirBind("three", s3, false, false)));
    ShareChanges c = PodShare.analyse(next, List.of());
    assertThat(c.lines())
        .containsExactly(
            "unmount stale one (no longer in the pod)",
            "remove stale entry one",
            "unchanged two from " + s2 + " (read-only, recursive)",
            "bind three from " + s3 + " (read-write, not recursive)");
    PodShare.apply(c);
    assertThat(dir.resolve("one")).doesNotExist();
    assertThat(PodShare.verify(next)).isEmpty();
    // Someone (or a crashed run) stacked a second mount on "two": a re-run makes it one again.
    Mounts.run("mount", "--bind", s2.toString(), dir.resolve("two").toString());
    ShareChanges doubled = PodShare.analyse(next, List.of());
    assertThat(doubled.changes()).contains(new UnmountStale("two", "mounted 2 times at one point"));
    assertThat(doubled.changes()).anyMatch(x -> x instanceof Bind b && b.bind().name().equals("two"));
    assertThat(PodShare.verify(next)).containsExactly(
        "host-bind: " + dir.resolve("two") + ": volume \"vol-two\": mounted 2 times at one point");
    PodShare.apply(doubled);
    assertThat(MountInfo.read().at(dir.resolve("two"))).hasSize(1);
    assertThat(PodShare.analyse(next, List.of()).isEmpty()).isTrue();
  }

  /**
   * A run without root (a child JVM under {@code setpriv} as nobody) fails before it writes
   * anything, saying that host mounts need root and pointing to {@code --share per-volume}.
   */
  @Test
  void apply_notRoot_saysHostMountsNeedRoot_andWritesNothing() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
    for (String s : List.of("src-a/sub", "src-b/sub")) {
      Files.createDirectories(base.resolve(s));
    }
    Files.writeString(base.resolve("file-c"), "c");
    Files.writeString(base.resolve("file-d"), "d");
    Mounts.run("chmod", "-R", "a+rX", base.toString());
    String cp =
        Path.of(PodShare.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + java.io.File.pathSeparator
            + Path.of(PodShareCrashMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Process p =
        new ProcessBuilder(
                "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-cp", cp, PodShareCrashMain.class.getName(), "apply",
                base.toString(), "0")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isNotZero();
    assertThat(out)
        .contains(
            "java.io.IOException: the pod share needs root: host bind mounts need root (kvmount"
                + " runs as user ID 65534); run kvmount as root, or use --share per-volume");
    assertThat(PodShareCrashMain.shareDir(base)).doesNotExist();
    assertThat(Records.dirOf(PodShareCrashMain.shareDir(base))).doesNotExist();
  }

  @Test
  void release_unmountsAndRemovesEverything_andIsIdempotent() throws Exception {
    Path src = sourceWithSubmount("src");
    Path f = Files.writeString(base.resolve("f"), "f");
    setUp(dirBind("rw", src, false, true), dirBind("ro", src, true, true),
        new HostBind("f", "f", f, true, true, true));
    ReleaseResult r = PodShare.release(dir);
    assertThat(r.nothingToDo()).isFalse();
    assertThat(r.removed()).contains(dir, Records.dirOf(dir));
    assertThat(MountInfo.read().atOrBelow(dir)).isEmpty();
    assertThat(Mounts.under(Records.dirOf(dir))).isEmpty();
    assertThat(dir).doesNotExist();
    assertThat(Records.dirOf(dir)).doesNotExist();
    // The sources and their own submount are untouched.
    assertThat(src.resolve("sub/submount.txt")).hasContent("submount");
    assertThat(Files.readString(f, StandardCharsets.UTF_8)).isEqualTo("f");
    assertThat(PodShare.release(dir).nothingToDo()).isTrue();
    assertThat(PodShare.release(base.resolve("never/was")).nothingToDo()).isTrue();
  }

  /** A directory kvmount never made (no journal beside it) is left alone, empty or not. */
  @Test
  void release_withoutKvmountsJournal_leavesTheDirectory() throws Exception {
    Files.createDirectory(dir);
    ReleaseResult r = PodShare.release(dir);
    assertThat(r.nothingToDo()).isTrue();
    assertThat(dir).isEmptyDirectory();
    // Records left by a run killed before its journal was in place: removed, DIR still kept.
    Path records = Files.createDirectory(Records.dirOf(dir));
    Files.writeString(records.resolve("journal.tmp"), "kvmount host share journal 1\n");
    r = PodShare.release(dir);
    assertThat(r.removed()).containsExactly(records.resolve("journal.tmp"), records);
    assertThat(records).doesNotExist();
    assertThat(dir).isEmptyDirectory();
    assertThat(PodShare.release(dir).nothingToDo()).isTrue();
    assertThat(dir).isEmptyDirectory();
  }

  /**
   * A plain file the guest wrote into the share root does not block release: every bind is
   * undone, DIR and the records stay with the file, and a re-run after it is removed finishes.
   */
  @Test
  void release_foreignFileInShareDir_unmountsAllButKeepsDir_thenFinishes() throws Exception {
    Path src = sourceWithSubmount("src");
    Path f = Files.writeString(base.resolve("f"), "f");
    setUp(dirBind("rw", src, false, true), dirBind("ro", src, true, false),
        new HostBind("f", "f", f, true, true, true));
    Files.writeString(dir.resolve("foreign"), "written by the guest");
    assertThatThrownBy(() -> PodShare.release(dir))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "release share directory \"" + dir + "\": unmounted 3 binds; kept \"" + dir
                + "\": it holds \"foreign\", which kvmount did not put there; remove it and run"
                + " release again");
    assertThat(MountInfo.read().atOrBelow(dir)).isEmpty();
    assertThat(Mounts.under(Records.dirOf(dir))).isEmpty();
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("foreign");
    }
    assertThat(Records.journal(Records.dirOf(dir))).exists();
    assertThat(src.resolve("sub/submount.txt")).hasContent("submount");
    Files.delete(dir.resolve("foreign"));
    ReleaseResult r = PodShare.release(dir);
    assertThat(r.removed()).contains(dir, Records.dirOf(dir));
    assertThat(dir).doesNotExist();
    assertThat(Records.dirOf(dir)).doesNotExist();
  }

  /** A mount point of kvmount's that is not empty once unmounted is kept and named too. */
  @Test
  void release_nonEmptyMountPoint_isKeptAndNamed() throws Exception {
    Path a = Files.createDirectory(base.resolve("a"));
    Path b = Files.createDirectory(base.resolve("b"));
    setUp(dirBind("one", a, false, true), dirBind("two", b, false, true));
    // Something wrote beneath "two" while it was not mounted.
    Mounts.run("umount", dir.resolve("two").toString());
    Files.writeString(dir.resolve("two/beneath"), "x");
    Files.createDirectory(dir.resolve("extra"));
    assertThatThrownBy(() -> PodShare.release(dir))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "release share directory \"" + dir + "\": unmounted 1 bind; kept \"" + dir
                + "\": it holds \"extra\", which kvmount did not put there, and kvmount's mount"
                + " point \"two\" is not empty; remove them and run release again");
    assertThat(MountInfo.read().atOrBelow(dir)).isEmpty();
    assertThat(dir.resolve("one")).doesNotExist();
    assertThat(dir.resolve("two/beneath")).hasContent("x");
  }

  /** Runs {@link PodShareCrashMain} as user nobody (setpriv) and returns its output. */
  private String asNobody(String... args) throws Exception {
    String cp =
        Path.of(PodShare.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + java.io.File.pathSeparator
            + Path.of(PodShareCrashMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-cp", cp, PodShareCrashMain.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /**
   * Release and verify without root say what they need in full sentences: release that the pod
   * share needs root (and changes nothing), verify which records it could not read and why.
   */
  @Test
  void releaseAndVerify_notRoot_sayTheyNeedRoot() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
    for (String s : List.of("src-a/sub", "src-b/sub")) {
      Files.createDirectories(base.resolve(s));
    }
    Files.writeString(base.resolve("file-c"), "c");
    Files.writeString(base.resolve("file-d"), "d");
    Mounts.run("chmod", "-R", "a+rX", base.toString());
    ShareSpec spec = PodShareCrashMain.spec(base, 0);
    PodShare.apply(PodShare.analyse(spec, List.of()));
    Path share = PodShareCrashMain.shareDir(base);
    Path records = Records.dirOf(share);
    int mounts = MountInfo.read().atOrBelow(share).size();

    assertThat(asNobody("release", base.toString()))
        .contains(
            "java.io.IOException: the pod share needs root: kvmount's records \"" + records
                + "\" are root's and cannot be read (kvmount runs as user ID 65534); run kvmount"
                + " release as root");
    assertThat(asNobody("verify", base.toString(), "0").strip())
        .isEqualTo(
            "host-records: " + records + ": cannot tell which entries of the share directory are"
                + " kvmount's: read kvmount's journal \"" + Records.journal(records)
                + "\": permission denied (kvmount runs as user ID 65534 and the records are"
                + " root's: run kvmount verify as root)");
    // With readable records, the mounts are what needs root.
    Mounts.run("chmod", "a+rx", records.toString());
    assertThat(asNobody("release", base.toString()))
        .contains(
            "java.io.IOException: the pod share needs root: releasing it unmounts host bind"
                + " mounts, which needs root (kvmount runs as user ID 65534); run kvmount release"
                + " as root");
    assertThat(MountInfo.read().atOrBelow(share)).hasSize(mounts);
    assertThat(PodShare.verify(spec)).isEmpty();
  }

  /**
   * The share directory inside a source, or a source inside the share directory, is refused also
   * when another path reaches it (here a bind mount), by device and inode rather than prefix.
   */
  @Test
  void analyse_nestingThroughABindMount_isRefused() throws Exception {
    Path src = Files.createDirectory(base.resolve("src"));
    Path alias = Files.createDirectory(base.resolve("alias"));
    Mounts.run("mount", "--bind", src.toString(), alias.toString());
    Path inner = alias.resolve("share");
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(inner, List.of(dirBind("d", src, false, true))), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "share directory \"" + inner + "\": lies inside the source \"" + src
                + "\" of volume \"vol-d\": \"" + alias
                + "\" is that directory, reached through another path");
    Files.createDirectory(dir);
    Path dirAlias = Files.createDirectory(base.resolve("dir-alias"));
    Mounts.run("mount", "--bind", dir.toString(), dirAlias.toString());
    assertThatThrownBy(
            () ->
                PodShare.analyse(
                    new ShareSpec(dir, List.of(dirBind("d", dirAlias, false, true))), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "volume \"vol-d\": source \"" + dirAlias + "\": its real path \"" + dirAlias
                + "\" lies inside the share directory \"" + dir + "\": \"" + dirAlias
                + "\" is the same directory as \"" + dir + "\", reached through another path");
    assertThat(inner).doesNotExist();
    assertThat(Records.dirOf(inner)).doesNotExist();
    assertThat(Records.dirOf(dir)).doesNotExist();
  }

  /**
   * A share directory inside another pod share is refused: below its share directory (by path),
   * through a bind mount of it, or inside a source it binds (by device and inode).
   */
  @Test
  void analyse_shareDirInsideAnotherShare_isRefused() throws Exception {
    Path src = Files.createDirectory(base.resolve("src"));
    Path other = Files.createDirectory(base.resolve("other-src"));
    setUp(dirBind("data", src, false, true));
    List<HostBind> binds = List.of(dirBind("o", other, false, true));
    Path below = dir.resolve("data/x");
    assertThatThrownBy(() -> PodShare.analyse(new ShareSpec(below, binds), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "share directory \"" + below + "\": lies inside \"" + dir + "\", the share directory"
                + " of another pod share (kvmount's records \"" + Records.dirOf(dir)
                + "\" are beside it), whose guest would see these binds");
    Path alias = Files.createDirectory(base.resolve("alias"));
    Mounts.run("mount", "--bind", dir.toString(), alias.toString());
    Path viaBind = alias.resolve("x");
    assertThatThrownBy(() -> PodShare.analyse(new ShareSpec(viaBind, binds), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "share directory \"" + viaBind + "\": \"" + alias + "\" is \"" + dir + "\", the share"
                + " directory of another pod share, reached through another path; that pod's"
                + " guest would see these binds");
    Path inSource = src.resolve("x");
    assertThatThrownBy(() -> PodShare.analyse(new ShareSpec(inSource, binds), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "share directory \"" + inSource + "\": \"" + src + "\" is \"" + dir.resolve("data")
                + "\", a bind kvmount made in the share directory \"" + dir + "\" of another pod"
                + " share, reached through another path; that pod's guest would see these binds");
    for (Path p : List.of(below, viaBind, inSource)) {
      assertThat(p).doesNotExist();
      assertThat(Records.dirOf(p)).doesNotExist();
    }
    // The share itself is still fine to re-run.
    assertThat(PodShare.analyse(new ShareSpec(dir, List.of(dirBind("data", src, false, true))),
        List.of()).isEmpty()).isTrue();
  }

  /**
   * A source or share directory whose real path is not UTF-8 (byte 0xff, made by the shell) is
   * refused before anything is made: Java would hand mount(8) a mangled name.
   */
  @Test
  void analyse_realPathNotUtf8_isRefused() throws Exception {
    Mounts.run(
        "bash", "-c",
        "mkdir \"$1/bad$(printf '\\377')\" && ln -s \"$1/bad$(printf '\\377')\" \"$1/link\"",
        "-", base.toString());
    Path link = base.resolve("link");
    Path ok = Files.createDirectory(base.resolve("ok"));
    assertThatThrownBy(
            () -> PodShare.analyse(new ShareSpec(dir, List.of(dirBind("d", link, false, true))), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "volume \"vol-d\": source \"" + link + "\": its real path is not valid UTF-8; kvmount"
                + " cannot name it to mount(8)");
    Path inBad = link.resolve("share");
    assertThatThrownBy(
            () -> PodShare.analyse(new ShareSpec(inBad, List.of(dirBind("d", ok, false, true))), List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "share directory \"" + inBad + "\": its real path is not valid UTF-8; kvmount cannot"
                + " name it to mount(8)");
    assertThat(dir).doesNotExist();
    assertThat(Records.dirOf(dir)).doesNotExist();
    if ("UTF-8".equals(System.getProperty("sun.jnu.encoding"))) {
      // Valid UTF-8 beyond ASCII is fine.
      Path cafe = Files.createDirectory(base.resolve("caf\u00e9"));
      setUp(dirBind("d", cafe, false, true));
    }
  }
}
