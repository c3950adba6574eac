package io.kvmount.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pod booted as a real guest: a fresh copy of the cached Debian guest as stage1 rootfs, host
 * volume directories, an appc pod manifest, the app services (probe scripts written by the test),
 * {@code ./kvmount generate}, and a QEMU (TCG) boot that powers off after the apps ran.
 *
 * <p>Layout under the work directory: {@code stage1/} (the stage1 rootfs, shared as the guest's
 * root over 9p), {@code host/} (host volume sources), {@code pod.json}, {@code kvmount.json}
 * (generate's output), {@code console.log}, and {@code results/} (copied out of the guest's
 * {@code /results} after poweroff: {@code <app>.txt} per app, {@code journal.txt},
 * {@code failed-units.txt}, {@code mount-units.txt}: every mount unit with its states).
 *
 * <p>In the guest each app is {@code <app>.service} (no {@code [Install]}, never enabled): a oneshot
 * that runs {@code /kvmount-e2e/<app>.sh} with standard output to {@code /results/<app>.txt}. The
 * default target is a pod target that wants every app and a finishing service ordered after them,
 * which saves the journal and powers the guest off. An app made {@link App#chrooted} runs its own
 * command inside its app rootfs instead ({@code RootDirectory=}), as an OCI container does.
 *
 * <p>A sealed pod ({@link #createSealed}) boots from a read-only copy of the Debian 13 guest and
 * takes its results through a host directory shared at {@code /results} ({@link #bootSealed}).
 */
final class GuestPod {
  /** The 9p mount tag of the root share; contains `_`, which no appc volume name can. */
  static final String ROOT_TAG = "kvmount_e2e_root";

  /** The 9p mount tag of a sealed pod's results share ({@code /results}); not an appc name either. */
  static final String RESULTS_TAG = "kvmount_e2e_results";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(600);

  private final E2eEnvironment env;
  private final Path work;
  private final Path stage1;
  private final ArrayNode volumes = JSON.createArrayNode();
  private final Map<String, App> apps = new LinkedHashMap<>();
  private final boolean sealed;
  private VirtiofsDaemons daemons;

  private GuestPod(E2eEnvironment env, Path work, Path stage1, boolean sealed) {
    this.env = env;
    this.work = work;
    this.stage1 = stage1;
    this.sealed = sealed;
  }

  /** Copies the cached guest rootfs to {@code work/stage1} (reflink where the filesystem can). */
  static GuestPod create(E2eEnvironment env, Path work) throws IOException {
    return new GuestPod(env, work, copyRoot(env.guestRootfs(), work), false);
  }

  /**
   * A pod whose stage1 rootfs is a sealed image: a copy of the cached Debian 13 guest ({@link
   * E2eEnvironment#guestRootfsTrixie()}, systemd 257) that {@link #bootSealed} shares read-only.
   * The test builds the image ({@link #imageEntry}, {@link #writeGuestUnits()}) before {@code
   * generate}; the boot writes nothing into it. The guest's {@code /results} is then a 9p share
   * of {@code work/results} ({@link #RESULTS_TAG}, mounted by {@code results.mount} in the image),
   * which every app service and the finishing service require.
   */
  static GuestPod createSealed(E2eEnvironment env, Path work) throws IOException {
    GuestPod pod = new GuestPod(env, work, copyRoot(env.guestRootfsTrixie(), work), true);
    Files.createDirectories(work.resolve("results"));
    return pod;
  }

  private static Path copyRoot(Path root, Path work) throws IOException {
    Path stage1 = work.resolve("stage1");
    Shell.check(work, Duration.ofMinutes(5), List.of("cp", "-a", "--reflink=auto", root.toString(), stage1.toString()));
    Files.createDirectories(stage1.resolve("results"));
    Files.createDirectories(stage1.resolve("kvmount-e2e"));
    return stage1;
  }

  /**
   * Creates a directory (with parents, mode 0755) in the stage1 rootfs at the guest path {@code
   * guestPath} (absolute), as an image builder would; returns it.
   */
  Path imageEntry(String guestPath) throws IOException {
    if (!guestPath.startsWith("/")) {
      throw new IllegalArgumentException("not an absolute guest path: " + guestPath);
    }
    Path dir = stage1.resolve(guestPath.substring(1));
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** The stage1 rootfs directory on the host. */
  Path stage1() {
    return stage1;
  }

  /** The work directory of this pod. */
  Path work() {
    return work;
  }

  /** Creates (with parents) and returns {@code work/host/<relative>}, mode 0755. */
  Path hostDir(String relative) throws IOException {
    Path dir = work.resolve("host").resolve(relative);
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** Declares a {@code host} volume; {@code readOnly} null leaves the field out of the manifest. */
  GuestPod hostVolume(String name, Path source, Boolean readOnly) {
    ObjectNode v = volumes.addObject().put("name", name).put("kind", "host").put("source", source.toString());
    if (readOnly != null) {
      v.put("readOnly", readOnly);
    }
    return this;
  }

  /**
   * Declares a {@code host} volume with {@code recursive}; null leaves a field out of the
   * manifest.
   */
  GuestPod hostVolume(String name, Path source, Boolean readOnly, Boolean recursive) {
    hostVolume(name, source, readOnly);
    if (recursive != null) {
      ((ObjectNode) volumes.get(volumes.size() - 1)).put("recursive", recursive);
    }
    return this;
  }

  /** Declares an {@code empty} volume with its mode (octal text), uid and gid. */
  GuestPod emptyVolume(String name, String mode, int uid, int gid) {
    volumes.addObject().put("name", name).put("kind", "empty").put("mode", mode).put("uid", uid).put("gid", gid);
    return this;
  }

  /** Declares an app (or returns the one already declared); its rootfs dir is created in stage1. */
  App app(String name) throws IOException {
    App existing = apps.get(name);
    if (existing != null) {
      return existing;
    }
    Files.createDirectories(stage1.resolve("opt/stage2").resolve(name).resolve("rootfs"));
    App app = new App(name);
    apps.put(name, app);
    return app;
  }

  /** Writes {@code pod.json} and returns its path. */
  Path writeManifest() throws IOException {
    ObjectNode pod = JSON.createObjectNode();
    pod.put("acVersion", "0.7.1").put("acKind", "PodManifest");
    ArrayNode appsNode = pod.putArray("apps");
    for (App app : apps.values()) {
      appsNode.add(app.toJson());
    }
    pod.set("volumes", volumes);
    Path file = work.resolve("pod.json");
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(pod), StandardCharsets.UTF_8);
    return file;
  }

  /**
   * Runs {@code ./kvmount generate --pod-manifest pod.json --stage1-rootfs stage1 --hypervisor qemu
   * --format json} and parses its output.
   *
   * @throws AssertionError if kvmount exits non-zero or prints something that is not the JSON
   *     object of the contract
   */
  Generated generate() throws IOException {
    return generate(List.of());
  }

  /**
   * Like {@link #generate()} over virtio-fs: adds {@code --transport virtiofs --runtime-dir
   * <work>/run --virtiofsd <cached wrapper>}, so the daemon lines kvmount prints run as they are.
   */
  Generated generateVirtiofs() throws IOException {
    return generate(List.of(
        "--transport", "virtiofs",
        "--runtime-dir", work.resolve("run").toString(),
        "--virtiofsd", env.virtiofsd().toString()));
  }

  /** Runs generate as {@link #generate()} does, with {@code options} appended. */
  Generated generate(List<String> options) throws IOException {
    Path manifest = writeManifest();
    return generateFrom(List.of("--pod-manifest", manifest.toString()), options);
  }

  /**
   * Runs generate as {@link #generate()} does, with the pod read from {@code input} (for example
   * {@code --oci-bundle NAME=DIR} per app) in place of {@code --pod-manifest pod.json}, and
   * {@code options} appended.
   */
  Generated generateFrom(List<String> input, List<String> options) throws IOException {
    List<String> argv = new ArrayList<>(List.of(env.repo().resolve("kvmount").toString(), "generate"));
    argv.addAll(input);
    argv.addAll(List.of(
        "--stage1-rootfs",
        stage1.toString(),
        "--hypervisor",
        "qemu",
        "--format",
        "json"));
    argv.addAll(options);
    Shell.Result r = Shell.run(env.repo(), Duration.ofMinutes(10), argv);
    Files.writeString(work.resolve("kvmount.json"), r.stdout(), StandardCharsets.UTF_8);
    Files.writeString(work.resolve("kvmount.stderr"), r.stderr(), StandardCharsets.UTF_8);
    if (r.exitCode() != 0) {
      throw new AssertionError(
          "kvmount generate exited " + r.exitCode() + " for " + String.join(" ", input) + ":\n" + r.stderr());
    }
    JsonNode json;
    try {
      json = JSON.readTree(r.stdout());
    } catch (IOException e) {
      throw new AssertionError("kvmount generate printed no JSON object: " + r.stdout(), e);
    }
    if (json == null || !json.path("hypervisorArgs").isArray()) {
      throw new AssertionError("kvmount generate output lacks hypervisorArgs: " + r.stdout());
    }
    List<String> args = new ArrayList<>();
    json.path("hypervisorArgs").forEach(a -> args.add(a.asText()));
    List<String> warnings = new ArrayList<>();
    json.path("warnings").forEach(w -> warnings.add(w.isTextual() ? w.asText() : w.toString()));
    for (String w : warnings) {
      System.err.println("kvmount e2e: kvmount warning: " + w);
    }
    return new Generated(args, warnings, json);
  }

  /**
   * What {@code kvmount generate --format json} printed.
   *
   * @param hypervisorArgs QEMU argv elements sharing the host volumes
   * @param warnings warnings kvmount printed
   * @param json the whole object
   */
  record Generated(List<String> hypervisorArgs, List<String> warnings, JsonNode json) {
    /** The words for the kernel command line ({@code sealed.kernelCmdline}; empty unless {@code --emit cmdline}). */
    List<String> kernelCmdline() {
      List<String> out = new ArrayList<>();
      json.path("sealed").path("kernelCmdline").forEach(w -> out.add(w.asText()));
      return out;
    }

    /** {@code sealed.imageMustContain} as {@code "<kind> <path>"} strings, in kvmount's order. */
    List<String> imageMustContain() {
      List<String> out = new ArrayList<>();
      json.path("sealed").path("imageMustContain").forEach(e -> out.add(e.path("kind").asText() + " " + e.path("path").asText()));
      return out;
    }

    /** The daemon argv lists ({@code daemons}: virtiofsd per share; empty for 9p). */
    List<List<String>> daemons() {
      List<List<String>> out = new ArrayList<>();
      json.path("daemons").forEach(d -> {
        List<String> argv = new ArrayList<>();
        d.forEach(a -> argv.add(a.asText()));
        out.add(argv);
      });
      return out;
    }
  }

  /**
   * Writes the app services, their probe scripts, the pod target and the finishing service; for a
   * sealed pod also {@code results.mount} (the results share at {@code /results}), which those
   * services require ({@code RequiresMountsFor=/results}).
   */
  void writeGuestUnits() throws IOException {
    Path units = stage1.resolve("usr/lib/systemd/system");
    String needsResults = "";
    if (sealed) {
      needsResults = "RequiresMountsFor=/results\n";
      Files.writeString(
          units.resolve("results.mount"),
          "[Unit]\n"
              + "Description=kvmount e2e: the host's results directory\n\n"
              + "[Mount]\n"
              + "What=" + RESULTS_TAG + "\n"
              + "Where=/results\n"
              + "Type=9p\n"
              + "Options=trans=virtio,version=9p2000.L,msize=512000,cache=none\n",
          StandardCharsets.UTF_8);
    }
    StringBuilder appUnits = new StringBuilder();
    for (App app : apps.values()) {
      appUnits.append(' ').append(app.name).append(".service");
      String run;
      if (app.chrootedCommand == null) {
        Path script = stage1.resolve("kvmount-e2e").resolve(app.name + ".sh");
        Files.writeString(script, app.script(), StandardCharsets.UTF_8);
        run = "ExecStart=/bin/sh /kvmount-e2e/" + app.name + ".sh\n"
            + "StandardOutput=file:/results/" + app.name + ".txt\n"
            + "StandardError=file:/results/" + app.name + ".err\n";
      } else {
        // MountAPIVFS= defaults to yes with RootDirectory=: systemd would cover the app's own /proc,
        // /sys and /dev (kvmount's mounts) with its own, and needs /run in a read-only rootfs.
        run = "RootDirectory=/opt/stage2/" + app.name + "/rootfs\n"
            + "MountAPIVFS=no\n"
            + "ExecStart=" + app.chrootedCommand + "\n";
      }
      Files.writeString(
          units.resolve(app.name + ".service"),
          "[Unit]\n"
              + "Description=kvmount e2e app " + app.name + "\n"
              + needsResults + "\n"
              + "[Service]\n"
              + "Type=oneshot\n"
              + "RemainAfterExit=yes\n"
              + run,
          StandardCharsets.UTF_8);
    }
    Files.writeString(
        stage1.resolve("kvmount-e2e/finish.sh"),
        "#!/bin/sh\n"
            + "systemctl --failed --no-legend --plain > /results/failed-units.txt 2>&1\n"
            + "systemctl list-units --all --type=mount --no-legend --plain > /results/mount-units.txt 2>&1\n"
            + "journalctl -b --no-pager -o short-monotonic > /results/journal.txt 2>&1\n"
            + "sync\n"
            + "systemctl poweroff --no-block\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        units.resolve("kvmount-e2e-finish.service"),
        "[Unit]\n"
            + "Description=kvmount e2e: save the journal, power off\n"
            + "After=" + appUnits.toString().trim() + "\n"
            + needsResults + "\n"
            + "[Service]\n"
            + "Type=oneshot\n"
            + "ExecStart=/bin/sh /kvmount-e2e/finish.sh\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        units.resolve("kvmount-e2e-pod.target"),
        "[Unit]\n"
            + "Description=kvmount e2e pod\n"
            + "Wants=" + appUnits.toString().trim() + " kvmount-e2e-finish.service\n",
        StandardCharsets.UTF_8);
    Path defaultTarget = stage1.resolve("etc/systemd/system/default.target");
    Files.deleteIfExists(defaultTarget);
    Files.createSymbolicLink(defaultTarget, Path.of("/usr/lib/systemd/system/kvmount-e2e-pod.target"));
  }

  /**
   * Writes the guest units and boots the stage1 rootfs under QEMU (TCG) with {@code extraArgs}
   * appended (the hypervisor arguments for the pod's volumes), waits for poweroff, and copies the
   * guest's {@code /results} to {@code work/results}.
   */
  Boot boot(List<String> extraArgs) throws IOException {
    if (sealed) {
      throw new IllegalStateException("a sealed pod boots with bootSealed");
    }
    writeGuestUnits();
    Shell.Result r = runQemu(extraArgs, List.of());
    Path results = work.resolve("results");
    Shell.deleteTree(results);
    Shell.check(work, Duration.ofMinutes(1), List.of("cp", "-a", stage1.resolve("results").toString(), results.toString()));
    return finished(r, results);
  }

  /**
   * Boots a sealed pod ({@link #createSealed}) as it is: writes nothing into the stage1 rootfs
   * (the test wrote the guest units beforehand), shares it with {@code readonly=on} (QEMU's 9p
   * server refuses every write), adds the results share, appends {@code kernelWords} to the
   * kernel command line and {@code extraArgs} to QEMU's arguments; the guest's results are in
   * {@code work/results} afterwards.
   */
  Boot bootSealed(List<String> extraArgs, List<String> kernelWords) throws IOException {
    if (!sealed) {
      throw new IllegalStateException("not a sealed pod: " + work);
    }
    Path results = work.resolve("results");
    List<String> args = new ArrayList<>(List.of(
        "-fsdev", "local,id=kvmount_e2e_results,path=" + qemuValue(results.toString()) + ",security_model=none",
        "-device", "virtio-9p-pci,fsdev=kvmount_e2e_results,mount_tag=" + RESULTS_TAG));
    args.addAll(extraArgs);
    return finished(runQemu(args, kernelWords), results);
  }

  private Shell.Result runQemu(List<String> extraArgs, List<String> kernelWords) throws IOException {
    StringBuilder append = new StringBuilder("console=ttyS0 panic=-1 quiet kvmount.roottag=" + ROOT_TAG);
    kernelWords.forEach(w -> append.append(' ').append(w));
    List<String> argv = new ArrayList<>(List.of(
        "timeout", "--kill-after=10", Long.toString(BOOT_TIMEOUT.toSeconds()),
        "qemu-system-x86_64", "-accel", "tcg", "-m", "1024", "-smp", "2",
        "-nographic", "-no-reboot", "-nic", "none",
        "-kernel", env.kernel().toString(), "-initrd", env.initrd().toString(),
        "-append", append.toString(),
        "-fsdev", "local,id=kvmount_e2e_root,path=" + qemuValue(stage1.toString()) + ",security_model=none"
            + (sealed ? ",readonly=on" : ""),
        "-device", "virtio-9p-pci,fsdev=kvmount_e2e_root,mount_tag=" + ROOT_TAG));
    argv.addAll(extraArgs);
    Files.write(work.resolve("qemu.argv"), argv, StandardCharsets.UTF_8);
    Shell.Result r = Shell.run(work, BOOT_TIMEOUT.plusSeconds(30), argv);
    Files.writeString(work.resolve("console.log"), r.stdout() + r.stderr(), StandardCharsets.UTF_8);
    return r;
  }

  private Boot finished(Shell.Result r, Path results) {
    Path console = work.resolve("console.log");
    System.err.printf("kvmount e2e: %s booted in %.1f s (exit %d)%n", work.getFileName(), r.elapsed().toMillis() / 1000.0, r.exitCode());
    return new Boot(r.exitCode(), r.elapsed(), console, results);
  }

  /**
   * Boots with what kvmount printed: starts its daemons (virtiofsd, see {@link VirtiofsDaemons})
   * and waits for their sockets, boots as {@link #boot(List)} does with the hypervisor arguments,
   * then stops the daemons, also when the boot fails.
   */
  Boot boot(Generated generated) throws IOException {
    daemons = VirtiofsDaemons.start(work, generated.daemons());
    try {
      return boot(generated.hypervisorArgs());
    } finally {
      stopDaemons();
    }
  }

  private void stopDaemons() throws IOException {
    if (daemons != null) {
      VirtiofsDaemons d = daemons;
      daemons = null;
      d.close();
    }
  }

  /**
   * Stops daemons still running, and deletes the stage1 copy unless {@code
   * -Dkvmount.e2e.keep=true}; keeps logs and results.
   */
  void cleanUp() throws IOException {
    stopDaemons();
    if (!E2eEnvironment.keep()) {
      Shell.deleteTree(stage1);
    }
  }

  /** Doubles commas, as QEMU option values need. */
  static String qemuValue(String s) {
    return s.replace(",", ",,");
  }

  /** One app: its mounts and mount points for the manifest, and its probe script for the guest. */
  static final class App {
    final String name;
    private final ArrayNode mounts = JSON.createArrayNode();
    private final ArrayNode mountPoints = JSON.createArrayNode();
    private final StringBuilder body = new StringBuilder();
    private String chrootedCommand;

    private App(String name) {
      this.name = name;
    }

    /**
     * Makes the app's service run {@code command} (an {@code ExecStart=} line, resolved in the app
     * rootfs) with {@code RootDirectory=/opt/stage2/<app>/rootfs} and {@code MountAPIVFS=no} (the
     * app's {@code /proc}, {@code /sys} and {@code /dev} are its own mounts), as a container runs,
     * in place of the probe script; the command records its own results (the probe lines are not
     * used).
     */
    App chrooted(String command) {
      chrootedCommand = command;
      return this;
    }

    /** Adds a pod-level mount {@code {volume, path}}. */
    App mount(String volume, String path) {
      mounts.addObject().put("volume", volume).put("path", path);
      return this;
    }

    /** Adds an app mount point {@code {name, path, readOnly}}. */
    App mountPoint(String name, String path, boolean readOnly) {
      mountPoints.addObject().put("name", name).put("path", path).put("readOnly", readOnly);
      return this;
    }

    /** Records {@code KEY=<fstype> <options>} of the mount at {@code path} (app path), or ABSENT. */
    App mounted(String key, String path) {
      return line("mounted " + Shell.quote(key) + " " + Shell.quote(path));
    }

    /** Records {@code KEY=<content>} of the file, or {@code ERROR <message>}. */
    App read(String key, String path) {
      return line("readfile " + Shell.quote(key) + " " + Shell.quote(path));
    }

    /** Writes {@code content} to the file; records {@code KEY=OK} or {@code ERROR <message>}. */
    App write(String key, String path, String content) {
      return line("writefile " + Shell.quote(key) + " " + Shell.quote(path) + " " + Shell.quote(content));
    }

    /** Records {@code KEY=<octal mode> <uid> <gid>} of the path. */
    App stat(String key, String path) {
      return line("statpath " + Shell.quote(key) + " " + Shell.quote(path));
    }

    /** Records {@code KEY=<names sorted, joined by '|'>} of a directory, or {@code ERROR ...}. */
    App list(String key, String path) {
      return line("listdir " + Shell.quote(key) + " " + Shell.quote(path));
    }

    /**
     * Records, for the mount unit whose {@code Where=} is the app path, {@code KEY=<unit name>
     * <mount unit ActiveEnterTimestampMonotonic> <this service's InactiveExitTimestampMonotonic>
     * <mount unit ActiveState>} (microseconds since boot).
     */
    App activation(String key, String path) {
      return line("activation " + Shell.quote(key) + " " + Shell.quote(path));
    }

    /** Records {@code KEY=<value>} of a property of this app's service ({@code systemctl show}). */
    App serviceProperty(String key, String property) {
      return line("say " + Shell.quote(key) + " \"$(prop \"$APP.service\" " + Shell.quote(property) + ")\"");
    }

    /** Appends a raw shell line to the probe script. */
    App line(String shell) {
      body.append(shell).append('\n');
      return this;
    }

    ObjectNode toJson() {
      ObjectNode app = JSON.createObjectNode();
      app.put("name", name);
      app.putObject("image")
          .put("name", "example.com/kvmount-e2e/" + name)
          .put("id", "sha512-" + "0123456789abcdef".repeat(8));
      ObjectNode spec = app.putObject("app");
      spec.putArray("exec").add("/bin/true");
      spec.put("user", "0").put("group", "0");
      spec.set("mountPoints", mountPoints);
      app.set("mounts", mounts);
      return app;
    }

    String script() {
      return "#!/bin/sh\n"
          + "# kvmount e2e probe for app " + name + ": one KEY=VALUE line per check.\n"
          + "APP=" + Shell.quote(name) + "\n"
          + "R=/opt/stage2/$APP/rootfs\n"
          + "say() { printf '%s=%s\\n' \"$1\" \"$2\"; }\n"
          + "oneline() { tr '\\n' ' ' | sed 's/ *$//'; }\n"
          + "mounted() { m=$(findmnt -n -o FSTYPE,OPTIONS --mountpoint \"$R$2\" 2>/dev/null | tail -n 1);"
          + " say \"$1\" \"${m:-ABSENT}\"; }\n"
          + "readfile() { if c=$(cat -- \"$R$2\" 2>&1); then say \"$1\" \"$c\"; else say \"$1\" \"ERROR $(echo \"$c\" | oneline)\"; fi; }\n"
          + "writefile() { if e=$( (printf '%s' \"$3\" > \"$R$2\") 2>&1); then say \"$1\" OK;"
          + " else say \"$1\" \"ERROR $(echo \"$e\" | oneline)\"; fi; }\n"
          + "statpath() { say \"$1\" \"$(stat -c '%a %u %g' -- \"$R$2\" 2>&1 | oneline)\"; }\n"
          + "listdir() { if l=$(ls -A1 -- \"$R$2\" 2>&1); then say \"$1\" \"$(echo \"$l\" | LC_ALL=C sort | tr '\\n' '|' | sed 's/|$//')\";"
          + " else say \"$1\" \"ERROR $(echo \"$l\" | oneline)\"; fi; }\n"
          // systemctl can time out on a slow (TCG, loaded) guest: retry, then say so.
          + "prop() { i=0; while [ $i -lt 10 ]; do if v=$(systemctl show -P \"$2\" -- \"$1\" 2>/dev/null); then"
          + " printf '%s' \"$v\"; return; fi; i=$((i + 1)); sleep 2; done; printf 'SYSTEMCTL-FAILED'; }\n"
          + "activation() { u=$(systemd-escape --path --suffix=mount -- \"$R$2\");"
          + " say \"$1\" \"$u $(prop \"$u\" ActiveEnterTimestampMonotonic)"
          + " $(prop \"$APP.service\" InactiveExitTimestampMonotonic)"
          + " $(prop \"$u\" ActiveState)\"; }\n"
          + body
          + "say done yes\n";
    }
  }

  /**
   * One finished boot.
   *
   * @param exitCode QEMU's exit status (124/137: killed by the timeout)
   * @param elapsed how long the boot took, wall clock
   * @param console the serial console log
   * @param results the copy of the guest's {@code /results}
   */
  record Boot(int exitCode, Duration elapsed, Path console, Path results) {
    /**
     * The {@code KEY=VALUE} lines {@code app} wrote (first {@code =} splits).
     *
     * @throws AssertionError if the app wrote nothing (it did not run); the message carries the
     *     failed units and the console and journal tails
     */
    Map<String, String> results(String app) {
      return keyValues(results.resolve(app + ".txt"), "app " + app);
    }

    /**
     * The {@code KEY=VALUE} lines (first {@code =} splits) of a file that {@code who} wrote in the
     * guest, read on the host after poweroff.
     *
     * @throws AssertionError if the file is missing; the message carries the diagnostics
     */
    Map<String, String> keyValues(Path file, String who) {
      if (!Files.isRegularFile(file)) {
        throw new AssertionError(who + " left no results in " + file + " (did not run?)\n" + diagnostics());
      }
      Map<String, String> map = new LinkedHashMap<>();
      try {
        for (String l : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList()) {
          int eq = l.indexOf('=');
          if (eq > 0) {
            map.put(l.substring(0, eq), l.substring(eq + 1));
          }
        }
      } catch (IOException e) {
        throw new AssertionError("cannot read " + file, e);
      }
      return map;
    }

    /** Exit code, failed units, and the tails of the console and the journal, for messages. */
    String diagnostics() {
      return "qemu exit " + exitCode + " after " + elapsed.toSeconds() + " s\n"
          + "--- failed units:\n" + Shell.tail(results.resolve("failed-units.txt"), 20) + "\n"
          + "--- console (tail):\n" + Shell.tail(console, 30) + "\n"
          + "--- journal (tail):\n" + Shell.tail(results.resolve("journal.txt"), 60);
    }
  }
}
