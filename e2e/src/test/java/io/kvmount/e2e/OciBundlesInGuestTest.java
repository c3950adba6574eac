package io.kvmount.e2e;

import static io.kvmount.e2e.Checks.refusedReadOnly;
import static io.kvmount.e2e.Checks.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two OCI runtime bundles as one pod ({@code generate --oci-bundle}, rootfs shared, pod share over
 * 9p), booted once. Each app's service runs busybox with {@code RootDirectory=} its app rootfs, as a
 * container runs, and writes what it sees into the read-write bind both bundles share; the host
 * reads it after poweroff.
 *
 * <p>Bundle {@code web} is {@code runc spec}'s (read-only root and the seven default mounts,
 * {@code cgroup} included) plus an {@code rbind} of a host directory read-write and one read-only,
 * podman's {@code /etc/hosts} and {@code /etc/resolv.conf} file binds ({@code bind, rprivate}) and
 * a tmpfs {@code /scratch} with {@code size=8m, mode=1777, noexec, nosuid}. Bundle {@code worker}
 * has a writable root without its mount points, a read-only single-file bind, the same host
 * directory as {@code web}, and a source relative to its bundle directory.
 */
@ExtendWith(E2eCondition.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OciBundlesInGuestTest {
  static final E2eEnvironment ENV = E2eEnvironment.fromSystemProperties();
  private static final ObjectMapper JSON = new ObjectMapper();
  /** busybox applets the probes use, linked in each bundle's {@code /bin}. */
  private static final List<String> APPLETS =
      List.of("sh", "cat", "chmod", "cp", "cut", "df", "grep", "head", "sed", "stat", "tail", "tr");
  private static final String HOSTS = "127.0.0.1 localhost\n10.88.0.2 web worker\n";
  private static final String RESOLV = "nameserver 192.0.2.53\nsearch pod.example\n";

  private GuestPod pod;
  private GuestPod.Boot boot;
  private Path share;
  private Path data;
  private Path web;
  private Path worker;
  private List<String> mountsAfterGenerate;

  /** Probe helpers for busybox sh: KEY=VALUE lines on standard output. */
  private static final String HELPERS = """
      say() { printf '%s=%s\\n' "$1" "$2"; }
      oneline() { tr '\\n' ' ' | sed 's/ *$//'; }
      run() { k=$1; shift; o=$("$@" 2>&1); rc=$?; say "$k" "$rc $(printf '%s' "$o" | oneline)"; }
      writefile() { if e=$( (printf '%s' "$3" > "$2") 2>&1); then say "$1" OK; else say "$1" "ERROR $(echo "$e" | oneline)"; fi; }
      """;

  @BeforeAll
  void bootPod() throws IOException {
    ENV.requireReady();
    pod = GuestPod.create(ENV, E2eEnvironment.workDir("oci-bundles"));
    share = pod.work().resolve("share");
    release(); // binds an interrupted earlier run may have left

    data = pod.hostDir("data");
    Path rodata = pod.hostDir("rodata");
    Files.writeString(rodata.resolve("keep.txt"), "keep me");
    Path files = pod.hostDir("files");
    Path hosts = Files.writeString(files.resolve("hosts"), HOSTS);
    Path resolv = Files.writeString(files.resolve("resolv.conf"), RESOLV);
    Path token = Files.writeString(files.resolve("token"), "s3cret");

    // web: runc spec's root and mounts, then the binds and the tmpfs. Every mount point exists in
    // the read-only rootfs (the ones inside /dev and /sys are made by the guest's filesystems).
    web = bundle("web", """
        say hosts "$(cat /etc/hosts | oneline)"
        say resolv "$(cat /etc/resolv.conf | oneline)"
        for m in / /proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup /data /rodata /etc/hosts /etc/resolv.conf /scratch; do
          say "mount.$m" "$(grep " $m " /proc/mounts | cut -d' ' -f1,3,4 | oneline)"
        done
        say propagation.hosts "$(grep ' /etc/hosts ' /proc/self/mountinfo | sed 's/ - .*//' | cut -d' ' -f7- | oneline)"
        say propagation.root "$(grep -E '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ' /proc/self/mountinfo | sed 's/ - .*//' | cut -d' ' -f7- | oneline)"
        say propagation.data "$(grep ' /data ' /proc/self/mountinfo | sed 's/ - .*//' | cut -d' ' -f7- | oneline)"
        say proc.self "$(head -n 1 /proc/self/status | oneline)"
        say scratch.mode "$(stat -c %a /scratch)"
        say dev.mode "$(stat -c %a /dev)"
        set -- $(df -k /scratch | tail -n 1); say scratch.kblocks "$2"
        say read.rodata "$(cat /rodata/keep.txt)"
        writefile write.rodata /rodata/keep.txt changed
        writefile create.rodata /rodata/new.txt x
        writefile write.root /etc/new.txt x
        printf '#!/bin/sh\\necho ran\\n' > /scratch/x.sh; chmod 755 /scratch/x.sh
        cp /scratch/x.sh /data/x.sh; chmod 755 /data/x.sh
        cp /bin/busybox /scratch/busybox
        run exec.scratch.script /scratch/x.sh
        run exec.scratch.binary /scratch/busybox true
        run exec.data.script /data/x.sh
        writefile write.scratch /scratch/note.txt in-tmpfs
        say read.scratch "$(cat /scratch/note.txt)"
        writefile write.data /data/from-web.txt from-web
        say kcore.bytes "$(wc -c < /proc/kcore)"
        say firmware.entries "$(ls -A /sys/firmware | wc -l)"
        writefile write.proc.sys /proc/sys/kernel/domainname kvm
        say mount.proc.sys "$(grep ' /proc/sys ' /proc/mounts | cut -d' ' -f1,3,4 | oneline)"
        """, "proc", "dev", "sys", "etc", "data", "rodata", "scratch");
    Files.createFile(web.resolve("rootfs/etc/hosts"));
    Files.createFile(web.resolve("rootfs/etc/resolv.conf"));
    ObjectNode webConfig = config(true);
    ArrayNode m = webConfig.putArray("mounts");
    mount(m, "/proc", "proc", "proc");
    mount(m, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
    mount(m, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
    mount(m, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
    mount(m, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
    mount(m, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
    mount(m, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro");
    mount(m, "/data", "bind", data.toString(), "rbind", "rw");
    // Nested below a bind that worker binds too: must not reach worker or the share's mount.
    mount(m, "/data/inner", "tmpfs", "tmpfs", "size=1m");
    mount(m, "/rodata", "bind", rodata.toString(), "rbind", "ro");
    mount(m, "/etc/hosts", "bind", hosts.toString(), "bind", "rprivate");
    mount(m, "/etc/resolv.conf", "bind", resolv.toString(), "bind", "rprivate");
    mount(m, "/scratch", "tmpfs", "tmpfs", "size=8m", "mode=1777", "noexec", "nosuid");
    // runc spec's masked and read-only paths (a subset): applied in the guest after the mounts.
    ObjectNode linux = webConfig.putObject("linux");
    linux.putArray("maskedPaths").add("/proc/kcore").add("/sys/firmware");
    linux.putArray("readonlyPaths").add("/proc/sys");
    writeConfig(web, webConfig);

    // worker: a writable root without its mount points; the guest creates them in the bundle.
    worker = bundle("worker", """
        say token "$(cat /etc/token)"
        writefile write.token /etc/token changed
        say read.rel "$(cat /rel/from-host.txt)"
        writefile write.rel /rel/from-worker.txt from-worker
        writefile write.root /from-worker-root.txt root-rw
        writefile write.data /data/from-worker.txt from-worker
        """);
    Files.writeString(Files.createDirectories(worker.resolve("rel")).resolve("from-host.txt"), "relative to the bundle");
    ObjectNode workerConfig = config(false);
    ArrayNode w = workerConfig.putArray("mounts");
    mount(w, "/etc/token", "bind", token.toString(), "bind", "ro");
    mount(w, "/data", "bind", data.toString(), "rbind", "rw");
    mount(w, "/rel", "bind", "rel", "bind");
    writeConfig(worker, workerConfig);

    pod.app("web").chrooted("/bin/sh /probe.sh");
    pod.app("worker").chrooted("/bin/sh /probe.sh");
    GuestPod.Generated generated = pod.generateFrom(
        List.of("--oci-bundle", "web=" + web, "--oci-bundle", "worker=" + worker, "--oci-rootfs", "share"),
        List.of("--share-dir", share.toString()));
    mountsAfterGenerate = PodShareInGuestBase.mountPointsUnder(share);
    boot = pod.boot(generated);
  }

  @AfterAll
  void cleanUp() throws IOException {
    try {
      release();
    } finally {
      if (pod != null) {
        pod.cleanUp();
      }
    }
  }

  private void release() throws IOException {
    Shell.Result r = PodShareInGuestBase.release(share);
    assertThat(r.exitCode()).as("kvmount release: %s", r.stderr()).isZero();
  }

  /**
   * Creates {@code work/bundles/<app>} with {@code rootfs/bin/busybox} (the machine's static one)
   * and its applets, {@code rootfs/probe.sh} (helpers, then {@code probe}, its output going to
   * {@code /data/<app>.txt}) and the directories {@code dirs} in the rootfs.
   */
  private Path bundle(String app, String probe, String... dirs) throws IOException {
    Path dir = pod.work().resolve("bundles").resolve(app);
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Path bin = Files.createDirectories(rootfs.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
    Files.setPosixFilePermissions(bin.resolve("busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String a : APPLETS) {
      Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
    }
    for (String d : dirs) {
      Files.createDirectories(rootfs.resolve(d));
    }
    for (Path p : List.of(dir, rootfs)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.writeString(rootfs.resolve("probe.sh"), "#!/bin/sh\n# kvmount e2e probe for the OCI app " + app
        + ", run under RootDirectory=\nexec > /data/" + app + ".txt\n" + HELPERS + probe + "say done yes\n",
        StandardCharsets.UTF_8);
    return dir;
  }

  /** A config.json object with the process and {@code root: {path: rootfs, readonly}}. */
  private static ObjectNode config(boolean readOnlyRoot) {
    ObjectNode c = JSON.createObjectNode().put("ociVersion", "1.0.2");
    ObjectNode process = c.putObject("process").put("cwd", "/");
    process.putArray("args").add("/bin/sh").add("/probe.sh");
    c.putObject("root").put("path", "rootfs").put("readonly", readOnlyRoot);
    return c;
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
    ObjectNode m = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
    if (options.length > 0) {
      ArrayNode o = m.putArray("options");
      for (String s : options) {
        o.add(s);
      }
    }
  }

  private static void writeConfig(Path bundle, ObjectNode config) throws IOException {
    Files.writeString(bundle.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
  }

  /** What app wrote into the shared read-write bind, read on the host. */
  private Map<String, String> results(String app) {
    return boot.keyValues(data.resolve(app + ".txt"), "app " + app);
  }

  @Test
  @Order(1)
  void hostBinds_oneSharePerSourceAndAccess_theSharedDirectoryOnce() {
    assertThat(mountsAfterGenerate).containsExactlyInAnyOrder("/web-rootfs-ro ro", "/data rw", "/rodata-ro ro",
        "/hosts rw", "/resolv-conf rw", "/worker-rootfs rw", "/token-ro ro", "/rel rw");
  }

  @Test
  @Order(2)
  void everyKvmountMountUnitIsActive_andNoUnitFailed() throws IOException {
    assertThat(Files.readString(boot.results().resolve("failed-units.txt")).trim())
        .withFailMessage(() -> "failed units\n" + boot.diagnostics()).isEmpty();
    Map<String, String> states = new TreeMap<>();
    for (String line : Files.readAllLines(boot.results().resolve("mount-units.txt"), StandardCharsets.UTF_8)) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && (f[0].startsWith("opt-stage2-") || f[0].equals("mnt-kvmount_pod.mount"))) {
        states.put(f[0], f[1] + " " + f[2] + " " + f[3]);
      }
    }
    List<String> written = new ArrayList<>();
    try (var s = Files.list(pod.stage1().resolve("usr/lib/systemd/system"))) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".mount") && (n.startsWith("opt-stage2-") || n.startsWith("mnt-kvmount")))
          .forEach(written::add);
    }
    assertThat(written).hasSize(1 + 14 + 4);
    assertThat(pod.stage1().resolve("usr/lib/systemd/system/opt-stage2-web-rootfs-paths.service")).exists();
    // Plus the mounts web's paths service makes (masked and read-only paths), which systemd shows
    // as mount units too; nothing else (a mount leaking into worker's /data would show here).
    List<String> expected = new ArrayList<>(written);
    expected.addAll(List.of("opt-stage2-web-rootfs-proc-kcore.mount", "opt-stage2-web-rootfs-sys-firmware.mount",
        "opt-stage2-web-rootfs-proc-sys.mount"));
    assertThat(states.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(states).allSatisfy((unit, state) -> assertThat(state).as(unit).isEqualTo("loaded active mounted"));
    // The app rootfs binds are rslave: no app mount propagates back into the share's mount.
    assertThat(Files.readAllLines(boot.results().resolve("mount-units.txt"), StandardCharsets.UTF_8))
        .noneMatch(l -> l.trim().startsWith("mnt-kvmount_pod-"));
    assertThat(value(boot, results("web"), "done")).isEqualTo("yes");
    assertThat(value(boot, results("worker"), "done")).isEqualTo("yes");
  }

  @Test
  @Order(3)
  void web_seesTheEngineFileBinds_privately() {
    Map<String, String> r = results("web");
    assertThat(value(boot, r, "hosts")).isEqualTo(HOSTS.trim().replace('\n', ' '));
    assertThat(value(boot, r, "resolv")).isEqualTo(RESOLV.trim().replace('\n', ' '));
    assertThat(value(boot, r, "mount./etc/hosts")).startsWith("kvmount-pod 9p rw,");
    assertThat(value(boot, r, "mount./etc/resolv.conf")).startsWith("kvmount-pod 9p rw,");
    // Every bind is rslave (a slave of the share's mount: nothing propagates back); the file
    // bind's own rprivate, written after it, wins: no peer group and no master at all.
    assertThat(value(boot, r, "propagation.hosts")).doesNotContain("shared:").doesNotContain("master:");
    assertThat(value(boot, r, "propagation.data")).startsWith("master:").doesNotContain("shared:");
  }

  @Test
  @Order(4)
  void web_hasRuncsSystemMounts_procAndCgroup2() {
    Map<String, String> r = results("web");
    // linux.maskedPaths: /proc/kcore is /dev/null, /sys/firmware an empty tmpfs; readonlyPaths:
    // /proc/sys is a read-only bind of itself.
    assertThat(value(boot, r, "kcore.bytes")).isEqualTo("0");
    assertThat(value(boot, r, "firmware.entries")).isEqualTo("0");
    assertThat(value(boot, r, "write.proc.sys")).startsWith("ERROR").contains("Read-only file system");
    assertThat(value(boot, r, "mount.proc.sys")).startsWith("proc proc ro,");
    assertThat(value(boot, r, "mount./proc")).isEqualTo("proc proc rw,relatime");
    assertThat(value(boot, r, "mount./")).isEqualTo("kvmount-pod 9p ro,dirsync,relatime,mmap,access=client,msize=512000,trans=virtio");
    // The rootfs bind is rslave: a slave of the share's mount, in no peer group of its own.
    assertThat(value(boot, r, "propagation.root")).startsWith("master:").doesNotContain("shared:");
    assertThat(value(boot, r, "proc.self")).isEqualTo("Name:\thead");
    // strictatime shows as the absence of relatime; inode64 is the kernel's default for tmpfs.
    assertThat(value(boot, r, "mount./dev")).isEqualTo("tmpfs tmpfs rw,nosuid,size=65536k,mode=755,inode64");
    assertThat(value(boot, r, "dev.mode")).isEqualTo("755");
    assertThat(value(boot, r, "mount./dev/pts")).isEqualTo("devpts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666");
    assertThat(value(boot, r, "mount./dev/shm")).isEqualTo("shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k,inode64");
    assertThat(value(boot, r, "mount./dev/mqueue")).isEqualTo("mqueue mqueue rw,nosuid,nodev,noexec,relatime");
    assertThat(value(boot, r, "mount./sys")).isEqualTo("sysfs sysfs ro,nosuid,nodev,noexec,relatime");
    assertThat(value(boot, r, "mount./sys/fs/cgroup")).isEqualTo("cgroup cgroup2 ro,nosuid,nodev,noexec,relatime");
  }

  @Test
  @Order(5)
  void web_tmpfsHasItsSizeAndMode_andNoexecHolds() {
    Map<String, String> r = results("web");
    // The kernel leaves mode=1777 out of the options: it is tmpfs's default (the /dev tmpfs, with
    // mode=755, shows that the mode reaches the guest).
    assertThat(value(boot, r, "mount./scratch")).isEqualTo("tmpfs tmpfs rw,nosuid,noexec,relatime,size=8192k,inode64");
    assertThat(value(boot, r, "scratch.mode")).isEqualTo("1777");
    assertThat(value(boot, r, "scratch.kblocks")).isEqualTo("8192");
    assertThat(value(boot, r, "write.scratch")).isEqualTo("OK");
    assertThat(value(boot, r, "read.scratch")).isEqualTo("in-tmpfs");
    assertThat(value(boot, r, "exec.scratch.script")).startsWith("126 ").contains("Permission denied");
    assertThat(value(boot, r, "exec.scratch.binary")).startsWith("126 ").contains("Permission denied");
    assertThat(value(boot, r, "exec.data.script")).isEqualTo("0 ran");
  }

  @Test
  @Order(6)
  void web_readOnlyRootAndBindRefuseWrites_theHostKeepsItsFiles() throws IOException {
    Map<String, String> r = results("web");
    assertThat(value(boot, r, "mount./rodata")).startsWith("kvmount-pod 9p ro,");
    assertThat(value(boot, r, "mount./data")).startsWith("kvmount-pod 9p rw,");
    assertThat(value(boot, r, "read.rodata")).isEqualTo("keep me");
    refusedReadOnly(boot, r, "write.rodata");
    refusedReadOnly(boot, r, "create.rodata");
    refusedReadOnly(boot, r, "write.root");
    assertThat(Files.readString(pod.work().resolve("host/rodata/keep.txt"))).isEqualTo("keep me");
    assertThat(pod.work().resolve("host/rodata/new.txt")).doesNotExist();
    assertThat(web.resolve("rootfs/etc/new.txt")).doesNotExist();
    assertThat(Files.readString(data.resolve("from-web.txt"))).isEqualTo("from-web");
  }

  @Test
  @Order(7)
  void worker_fileBindReadOnly_relativeSource_sharedDirectory_writableRoot() throws IOException {
    Map<String, String> r = results("worker");
    assertThat(value(boot, r, "token")).isEqualTo("s3cret");
    refusedReadOnly(boot, r, "write.token");
    assertThat(Files.readString(pod.work().resolve("host/files/token"))).isEqualTo("s3cret");
    assertThat(value(boot, r, "read.rel")).isEqualTo("relative to the bundle");
    assertThat(value(boot, r, "write.rel")).isEqualTo("OK");
    assertThat(Files.readString(worker.resolve("rel/from-worker.txt"))).isEqualTo("from-worker");
    assertThat(value(boot, r, "write.root")).isEqualTo("OK");
    assertThat(Files.readString(worker.resolve("rootfs/from-worker-root.txt"))).isEqualTo("root-rw");
    // One share of the host directory serves both apps: each one's file is on the host.
    assertThat(value(boot, r, "write.data")).isEqualTo("OK");
    assertThat(Files.readString(data.resolve("from-worker.txt"))).isEqualTo("from-worker");
    assertThat(Files.readString(data.resolve("from-web.txt"))).isEqualTo("from-web");
    // The missing mount points were made in the writable bundle rootfs, through the share.
    assertThat(worker.resolve("rootfs/etc/token")).isRegularFile();
    assertThat(worker.resolve("rootfs/data")).isDirectory();
    assertThat(worker.resolve("rootfs/rel")).isDirectory();
  }
}
