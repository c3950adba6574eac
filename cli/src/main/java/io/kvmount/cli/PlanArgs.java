package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.error.InvalidInputException;
import io.kvmount.hypervisor.Hypervisor;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.MountTag;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Transport;
import io.kvmount.oci.OciBundle;
import io.kvmount.plan.BundlePlanner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options that decide what kvmount plans for a pod (backend, transport, units directory,
 * 9p settings, tags), shared by {@code generate} and {@code verify} so that {@code verify}
 * compares a tree with exactly what {@code generate} writes for the same options.
 */
final class PlanArgs {

  /** The default of {@code --transport}, as its help says it. */
  static final String TRANSPORT_DEFAULT = "the hypervisor's: 9p, virtiofs for cloud-hypervisor";

  /** The help of {@code --qemu-machine}. */
  static final String QEMU_MACHINE_HELP = "QEMU machine type the VM runs: pc or q35 (default: ${DEFAULT-VALUE});"
      + " decides where more than 16 shares are placed (behind pci-bridge or pcie-pci-bridge devices)."
      + " kvmount does not print -M.";

  @Option(
      names = "--hypervisor",
      paramLabel = "NAME",
      defaultValue = "qemu",
      description = "The hypervisor that runs the VM: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); generate prints"
          + " its arguments.",
      completionCandidates = HypervisorNames.class)
  String hypervisor;

  @Option(
      names = "--transport",
      paramLabel = "T",
      description = "How host volumes reach the guest: ${COMPLETION-CANDIDATES} (default: " + TRANSPORT_DEFAULT + ").",
      completionCandidates = TransportNames.class)
  String transport; // null: the hypervisor's default

  @Option(
      names = "--qemu-machine",
      paramLabel = "M",
      defaultValue = "pc",
      description = QEMU_MACHINE_HELP,
      completionCandidates = QemuMachines.class)
  String qemuMachine;

  @Option(
      names = "--share",
      paramLabel = "S",
      description = "How host volumes are shared: per-volume (one 9p or virtio-fs device per volume; no host"
          + " privileges) or pod (every volume, single files too, is bind-mounted on the host into --share-dir,"
          + " and that one directory is shared; needs root) (default: per-volume, or pod with --share-dir).")
  String share;

  @Option(
      names = "--share-dir",
      paramLabel = "DIR",
      description = "The pod share's host directory, which kvmount owns: generate creates it if missing and refuses it"
          + " if it holds anything kvmount did not put there, verify checks its host binds, `kvmount release"
          + " --share-dir DIR` takes it down. Implies --share pod.")
  Path shareDir;

  @Option(
      names = "--units-dir",
      paramLabel = "REL",
      defaultValue = "usr/lib/systemd/system",
      description = "Where the unit files are, relative to the stage1 rootfs (default: ${DEFAULT-VALUE}).")
  String unitsDir;

  @Option(
      names = "--image-manifest",
      paramLabel = "APP=FILE",
      description = "The image manifest of app APP: its mount points, when the pod entry has no \"app\" section, and"
            + " its Docker annotation (appc.io/docker/repository: implicit volumes start as a copy of the image)."
            + " Input, not recorded: give it to verify and to every later generate too."
          + " Repeatable.")
  Map<String, Path> imageManifests = new LinkedHashMap<>();

  @Option(
      names = "--oci-bundle",
      paramLabel = "NAME=DIR",
      description = "An OCI runtime bundle (a directory with config.json) as the app NAME of the pod, in place of"
          + " --pod-manifest. Repeatable: one per app, in pod order.")
  List<String> ociBundles = new ArrayList<>();

  @Option(
      names = "--oci-rootfs",
      paramLabel = "R",
      defaultValue = "share",
      description = "With --oci-bundle, where each app rootfs comes from: share (the bundle's root.path, shared"
          + " and mounted at /opt/stage2/NAME/rootfs, read-only with root.readonly) or stage1 (already in the"
          + " stage1 rootfs there) (default: ${DEFAULT-VALUE}).")
  String ociRootfs;

  @Option(
      names = "--emit",
      paramLabel = "ROUTE",
      defaultValue = "units",
      completionCandidates = Routes.class,
      description = EMIT_HELP)
  String emit;

  @Option(
      names = "--security-model",
      paramLabel = "M",
      defaultValue = "none",
      description = "QEMU 9p security_model: none, passthrough, mapped-xattr, mapped-file (default: ${DEFAULT-VALUE}:"
          + " files keep their host owner and mode).")
  String securityModel;

  @Option(
      names = "--runtime-dir",
      paramLabel = "DIR",
      description = RUNTIME_DIR_HELP)
  String runtimeDir;

  @Option(
      names = "--guest-memory",
      paramLabel = "SIZE",
      defaultValue = "1G",
      description = "virtio-fs: the guest's memory, shared with virtiofsd; must equal the VM's memory"
          + " (default: ${DEFAULT-VALUE}).")
  String guestMemory;

  @Option(
      names = "--virtiofsd",
      paramLabel = "PROGRAM",
      defaultValue = "virtiofsd",
      description = "virtio-fs: the virtiofsd program that serves the shares (generate prints its command lines)"
          + " (default: ${DEFAULT-VALUE}).")
  String virtiofsd;

  @Option(
      names = "--virtiofsd-sandbox",
      paramLabel = "MODE",
      defaultValue = "namespace",
      description = "virtio-fs: virtiofsd --sandbox: namespace (needs root), chroot or none (default: ${DEFAULT-VALUE}).")
  String virtiofsdSandbox;

  @Option(
      names = "--virtiofsd-cache",
      paramLabel = "POLICY",
      defaultValue = "auto",
      description = "virtio-fs: virtiofsd --cache: auto, always, never or metadata (default: ${DEFAULT-VALUE}).")
  String virtiofsdCache;

  @Option(
      names = "--9p-msize",
      paramLabel = "BYTES",
      defaultValue = "512000",
      description = "9p msize in bytes, 4096..512000 (default: ${DEFAULT-VALUE}, the virtio maximum).")
  int msize;

  @Option(
      names = "--9p-cache",
      paramLabel = "MODE",
      defaultValue = "mmap",
      description = "9p cache mode: none, loose, fscache, mmap (default: ${DEFAULT-VALUE}).")
  String cache;

  @Option(
      names = "--reserve-tag",
      paramLabel = "TAG",
      description = "A mount tag already used by the VM (e.g. its root share); never given to a volume. Repeatable."
          + " Always reserved: kvm_9p, hostfs, rootfs, root, /dev/root.")
  List<String> reservedTags = new ArrayList<>();

  @Option(
      names = "--legacy-remount",
      description = "For guests with util-linux < 2.27 (which ignores ro on bind mounts): read-only binds are made"
          + " read-only by a remount service (mount -o remount,bind,ro) that the app requires.")
  boolean legacyRemount;

  /**
   * The options checked and converted; usage errors become {@link ParameterException}s.
   *
   * @param transport the transport
   * @param units the units directory, relative to the stage1 rootfs
   * @param plan the plan options
   * @param hypervisorOptions the backend options
   * @param hypervisor the backend
   */
  record Resolved(
      Transport transport, GuestPath units, PlanOptions plan, HypervisorOptions hypervisorOptions, Hypervisor hypervisor) {}

  /**
   * Checks and converts the options of one pod.
   *
   * @param cl the command line, for usage errors
   * @param stage1Rootfs the pod's stage1 rootfs (names the default runtime directory)
   * @param podManifest the pod manifest, or null for OCI bundles (names it too)
   * @return the resolved options
   * @throws ParameterException on a bad option value (exit 2)
   * @throws io.kvmount.plan.PlanException if the backend cannot use the chosen transport
   */
  Resolved resolve(CommandLine cl, Path stage1Rootfs, Path podManifest) throws io.kvmount.plan.PlanException {
    if (!Hypervisors.names().contains(hypervisor)) {
      throw new ParameterException(cl, "--hypervisor must be one of "
          + String.join(", ", Hypervisors.names()) + ", not \"" + hypervisor + "\"");
    }
    Hypervisor backend = Hypervisors.byName(hypervisor);
    Transport t;
    try {
      // Without --transport, the backend's own (virtio-fs for cloud-hypervisor); an explicit one
      // it lacks is still refused when planning (exit 3).
      t = transport == null ? backend.defaultTransport() : Transport.of(transport);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
    }
    GuestPath units;
    PlanOptions options;
    HypervisorOptions hvOptions;
    try {
      units = unitsDir(unitsDir);
      Set<String> reserved = new LinkedHashSet<>(MountTag.DEFAULT_RESERVED);
      for (String tag : reservedTags) {
        if (tag.isEmpty() || tag.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == ',')) {
          throw new IllegalArgumentException(
              "--reserve-tag \"" + tag + "\" must be a non-empty tag without spaces, commas or control characters");
        }
      }
      reserved.addAll(reservedTags);
      options = new PlanOptions(t, 31, reserved, units, msize, cache, legacyRemount,
          io.kvmount.plan.ShareStrategy.PER_VOLUME, java.util.Optional.empty(), io.kvmount.plan.Route.UNITS);
      io.kvmount.plan.ShareStrategy strategy = share == null
          ? (shareDir != null ? io.kvmount.plan.ShareStrategy.POD : io.kvmount.plan.ShareStrategy.PER_VOLUME)
          : shareStrategy(share);
      if (strategy == io.kvmount.plan.ShareStrategy.POD) {
        if (shareDir == null) {
          throw new IllegalArgumentException("--share pod needs --share-dir DIR (the host directory kvmount owns)");
        }
        options = options.withPodShare(shareDirectory(shareDir));
      } else if (shareDir != null) {
        throw new IllegalArgumentException("--share-dir is for --share pod, not --share per-volume");
      }
      io.kvmount.plan.Route route = io.kvmount.plan.Route.byId(emit);
      if (route.sealed() && legacyRemount) {
        throw new IllegalArgumentException("--legacy-remount is for --emit units: a sealed image cannot be given the"
            + " remount services it needs (and guests with systemd 254 or newer need none)");
      }
      options = options.withRoute(route);
      hvOptions = new HypervisorOptions(
          securityModel, runtimeDir != null ? runtimeDir : podRuntimeDir(stage1Rootfs, podManifest, ociBundles),
          guestMemory, virtiofsd, virtiofsdSandbox, virtiofsdCache, qemuMachine);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
    }
    return new Resolved(t, units, options, hvOptions, backend);
  }

  /** Help text of {@code --runtime-dir}, shared by the annotated option and the hand-built model. */
  static final String RUNTIME_DIR_HELP = "virtio-fs: directory for the virtiofsd sockets, <DIR>/<tag>.sock (default: this"
      + " pod's own, /run/kvmount/pod-<12 hex digits of a SHA-256 of the stage1 rootfs's and the manifest's or"
      + " bundles' absolute paths>, so two pods never share a socket and a re-run gets the same one).";

  /**
   * The default runtime directory of a pod: {@code /run/kvmount/pod-} and the first 12 hex digits
   * of the SHA-256 of its inputs' absolute, normalised paths (the stage1 rootfs, then the pod
   * manifest or each OCI bundle, each ended by a NUL byte). Two pods differ in one of them (two
   * pods may boot one sealed image, but not from one manifest); a re-run of one pod gets the same
   * directory. The socket path stays well inside Linux's 107 bytes: 13 + 17 + 1 + a tag of at most
   * 36 + 5.
   *
   * @param stage1Rootfs the stage1 rootfs (relative to the working directory or absolute)
   * @param podManifest the pod manifest, or null for OCI bundles
   * @param bundles the {@code --oci-bundle} values ({@code APP=DIR} or {@code DIR}), used without
   *     a manifest
   * @return the directory, such as {@code /run/kvmount/pod-3f2a9c0d1e4b}
   */
  static String podRuntimeDir(Path stage1Rootfs, Path podManifest, List<String> bundles) {
    StringBuilder key = new StringBuilder();
    key.append(stage1Rootfs.toAbsolutePath().normalize()).append('\0');
    if (podManifest != null) {
      key.append(podManifest.toAbsolutePath().normalize()).append('\0');
    } else {
      for (String b : bundles) {
        int eq = b.indexOf('=');
        String dir = b.substring(eq + 1);
        try {
          dir = Path.of(dir).toAbsolutePath().normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
          // refused when the bundles are read; the key only needs to be stable
        }
        key.append(b, 0, eq + 1).append(dir).append('\0');
      }
    }
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "/run/kvmount/pod-" + java.util.HexFormat.of().formatHex(d, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java 17 runtime has SHA-256", e);
    }
  }

  /**
   * The options given on the command line that do nothing for the chosen hypervisor, transport
   * and input, one warning each (in option order, each once however often it is given): the
   * virtio-fs options over 9p, the 9p options over virtio-fs, {@code --security-model} off QEMU's
   * 9p, {@code --qemu-machine} off QEMU, {@code --oci-rootfs} without {@code --oci-bundle}.
   * Options left at their defaults are never named.
   *
   * @param cl the command line, parsed
   * @param r the resolved options
   * @return the warnings, one line each
   */
  List<String> ineffective(CommandLine cl, Resolved r) {
    List<String> out = new ArrayList<>();
    CommandLine.ParseResult given = cl.getParseResult();
    if (given == null) {
      return out;
    }
    boolean qemu = hypervisor.equals("qemu");
    boolean ninep = r.transport() == Transport.NINE_P;
    String over = "over --transport " + r.transport().id();
    for (String o : List.of("--runtime-dir", "--guest-memory", "--virtiofsd", "--virtiofsd-sandbox", "--virtiofsd-cache")) {
      if (ninep && given.hasMatchedOption(o)) {
        out.add(o + " is for virtio-fs (--transport virtiofs); " + over + " it does nothing");
      }
    }
    for (String o : List.of("--9p-msize", "--9p-cache")) {
      if (!ninep && given.hasMatchedOption(o)) {
        out.add(o + " is for 9p (--transport 9p); " + over + " it does nothing");
      }
    }
    if (given.hasMatchedOption("--security-model") && (!qemu || !ninep)) {
      out.add("--security-model is for QEMU's 9p (--hypervisor qemu --transport 9p); "
          + (qemu ? over : "with --hypervisor " + hypervisor) + " it does nothing");
    }
    if (given.hasMatchedOption("--qemu-machine") && !qemu) {
      out.add("--qemu-machine is for --hypervisor qemu; with --hypervisor " + hypervisor + " it does nothing");
    }
    if (given.hasMatchedOption("--oci-rootfs") && ociBundles.isEmpty()) {
      out.add("--oci-rootfs is for --oci-bundle; with --pod-manifest it does nothing");
    }
    return out;
  }

  /**
   * The options {@code generate} records in {@code .kvmount/state} ({@link #recordedWords}) and
   * {@code verify} plans with when it is not given them ({@link #adoptRecorded}): those that
   * change what is written into the stage1 rootfs. Not recorded: the hypervisor options that
   * only change the printed arguments (security model, runtime directory, memory, virtiofsd,
   * QEMU machine), and {@code --emit} (only {@code units} writes anything).
   */
  static final List<String> RECORDED = List.of("--hypervisor", "--transport", "--units-dir", "--9p-msize",
      "--9p-cache", "--reserve-tag", "--legacy-remount", "--share", "--share-dir", "--oci-rootfs");

  /**
   * Options that go together: given one on the command line, the remembered other is not used
   * (a hypervisor given without a transport gets its own default transport; {@code --share
   * per-volume} does not take a remembered share directory).
   */
  private static final List<List<String>> RECORDED_PAIRS =
      List.of(List.of("--hypervisor", "--transport"), List.of("--share", "--share-dir"));

  /**
   * The words {@code generate} records in the state: each option of {@link #RECORDED} with the
   * value this run used, as {@code --name=value} (defaults too, so that a later default cannot
   * change what {@code verify} compares with).
   *
   * @param r the resolved options
   * @param bundles whether the pod comes from OCI bundles ({@code --oci-rootfs} then matters)
   * @return the words, in a fixed order
   */
  List<String> recordedWords(Resolved r, boolean bundles) {
    List<String> w = new ArrayList<>();
    w.add("--hypervisor=" + hypervisor);
    w.add("--transport=" + r.transport().id());
    w.add("--units-dir=" + r.units().relativeString());
    w.add("--9p-msize=" + msize);
    w.add("--9p-cache=" + cache);
    for (String tag : reservedTags) {
      w.add("--reserve-tag=" + tag);
    }
    if (legacyRemount) {
      w.add("--legacy-remount");
    }
    w.add("--share=" + r.plan().share().id());
    r.plan().shareDir().ifPresent(d -> w.add("--share-dir=" + d));
    if (bundles) {
      w.add("--oci-rootfs=" + ociRootfs);
    }
    return w;
  }

  /** A command that only parses recorded words into plan options. */
  @CommandLine.Command(name = "recorded")
  static final class Recorded {
    @CommandLine.Mixin PlanArgs planArgs;
  }

  /**
   * Sets the plan options a command was not given from the words an earlier {@code generate}
   * recorded ({@link #recordedWords}); options given on the command line win (with their pair,
   * {@link #RECORDED_PAIRS}).
   *
   * @param spec the command whose {@code PlanArgs} mixin is set
   * @param words the recorded words
   * @return the words used, in the recorded order; empty when none
   * @throws ParameterException if the words do not parse (a state file edited by hand)
   */
  static List<String> adoptRecorded(CommandLine.Model.CommandSpec spec, List<String> words) {
    if (words.isEmpty()) {
      return List.of();
    }
    CommandLine recorded = new CommandLine(new Recorded());
    try {
      recorded.parseArgs(words.toArray(new String[0]));
    } catch (ParameterException e) {
      throw new ParameterException(spec.commandLine(), "the options recorded in .kvmount/state do not parse ("
          + e.getMessage() + "); give the plan options on the command line, or re-run kvmount generate");
    }
    CommandLine.ParseResult given = spec.commandLine().getParseResult();
    Set<String> skip = new java.util.HashSet<>();
    for (String name : RECORDED) {
      if (given.hasMatchedOption(name)) {
        skip.add(name);
        for (List<String> pair : RECORDED_PAIRS) {
          if (pair.contains(name)) {
            skip.addAll(pair);
          }
        }
      }
    }
    Set<String> used = new LinkedHashSet<>();
    for (String name : RECORDED) {
      if (!skip.contains(name) && recorded.getParseResult().hasMatchedOption(name)) {
        spec.findOption(name).setValue(recorded.getCommandSpec().findOption(name).getValue());
        used.add(name);
      }
    }
    List<String> out = new ArrayList<>();
    for (String w : words) {
      int eq = w.indexOf('=');
      if (used.contains(eq < 0 ? w : w.substring(0, eq))) {
        out.add(w);
      }
    }
    return out;
  }

  /** Help text of {@code --emit}, shared by the annotated option and the hand-built model. */
  static final String EMIT_HELP = "How the guest's systemd gets the mounts: units (unit files and drop-ins written into"
      + " the stage1 rootfs), credentials (nothing written: an fstab.extra credential passed in the hypervisor"
      + " arguments; guest systemd 254 or newer) or cmdline (nothing written: systemd.mount-extra= words for the"
      + " kernel command line, at most 2047 bytes; systemd 254 or newer). With credentials and cmdline, shares and"
      + " empty volumes (tmpfs) are mounted under /run/kvmount, and every app mount point must already exist in the"
      + " stage1 rootfs (default: ${DEFAULT-VALUE}).";

  /** Route names for completion. */
  static final class Routes implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.Arrays.stream(io.kvmount.plan.Route.values()).map(io.kvmount.plan.Route::id).iterator();
    }
  }

  /** Parses {@code --share}. */
  static io.kvmount.plan.ShareStrategy shareStrategy(String text) {
    try {
      return io.kvmount.plan.ShareStrategy.byId(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--share must be per-volume or pod, not \"" + text + "\"", e);
    }
  }

  /** {@code --share-dir} as an absolute, normalised path (relative to the working directory). */
  static String shareDirectory(Path dir) {
    if (dir.toString().isEmpty()) {
      throw new IllegalArgumentException("--share-dir must not be empty");
    }
    Path abs = dir.toAbsolutePath().normalize();
    if (abs.getNameCount() == 0) {
      throw new IllegalArgumentException("--share-dir must not be the host's root directory");
    }
    return abs.toString();
  }

  /** Parses {@code --units-dir}: relative to the stage1 rootfs, not the rootfs itself. */
  static GuestPath unitsDir(String rel) {
    if (rel.startsWith("/")) {
      throw new IllegalArgumentException("--units-dir must be relative to the stage1 rootfs, not \"" + rel + "\"");
    }
    String problem = GuestPath.problem("/" + rel);
    if (problem != null) {
      throw new IllegalArgumentException("--units-dir \"" + rel + "\": " + problem);
    }
    GuestPath units = GuestPath.parse("/" + rel);
    if (units.isRoot()) {
      throw new IllegalArgumentException("--units-dir must name a directory below the stage1 rootfs");
    }
    return units;
  }

  /**
   * Checks that the pod is given one way: a pod manifest, or OCI bundles (usage errors, exit 2).
   *
   * @param cl the command line
   * @param podManifest {@code --pod-manifest}, or null
   * @param a the plan options
   * @throws ParameterException if neither or both are given, the manifest path is empty, or
   *     {@code --image-manifest} comes with bundles
   */
  static void checkInput(CommandLine cl, Path podManifest, PlanArgs a) {
    if (podManifest == null && a.ociBundles.isEmpty()) {
      throw new ParameterException(cl, "Missing the pod: give --pod-manifest FILE (appc), or --oci-bundle NAME=DIR"
          + " for each app (OCI)");
    }
    if (podManifest != null && !a.ociBundles.isEmpty()) {
      throw new ParameterException(cl, "--pod-manifest and --oci-bundle cannot be used together: a pod is read"
          + " from one or the other");
    }
    if (podManifest != null && podManifest.toString().isEmpty()) {
      throw new ParameterException(cl, "--pod-manifest must not be empty");
    }
    if (!a.ociBundles.isEmpty() && !a.imageManifests.isEmpty()) {
      throw new ParameterException(cl, "--image-manifest is for appc pods; an OCI bundle carries its own mounts");
    }
  }

  /** Where OCI app rootfs come from ({@code --oci-rootfs}); a usage error for another word. */
  BundlePlanner.RootSource rootSource(CommandLine cl) {
    for (BundlePlanner.RootSource r : BundlePlanner.RootSource.values()) {
      if (r.id().equals(ociRootfs)) {
        return r;
      }
    }
    throw new ParameterException(cl, "--oci-rootfs must be share or stage1, not \"" + ociRootfs + "\"");
  }

  /**
   * Reads the {@code --oci-bundle NAME=DIR} bundles, in the order given.
   *
   * @param cl the command line, for usage errors
   * @return the bundles
   * @throws ParameterException (exit 2) for a value without {@code =}, an empty name or directory, an
   *     invalid app name, or one name given twice
   * @throws InvalidInputException (exit 3) for a missing bundle or an invalid {@code config.json}
   * @throws IOException if a bundle cannot be read
   */
  List<OciBundle> bundles(CommandLine cl) throws InvalidInputException, IOException {
    // Every NAME=DIR is checked before any bundle is read: these are usage errors.
    java.util.Set<String> names = new java.util.HashSet<>();
    for (String b : ociBundles) {
      int eq = b.indexOf('=');
      if (eq <= 0 || eq == b.length() - 1) {
        throw new ParameterException(cl, "--oci-bundle \"" + b + "\" must be NAME=DIR: the app name, \"=\", the"
            + " bundle directory");
      }
      String name = b.substring(0, eq);
      String problem = io.kvmount.manifest.AcName.problem(name);
      if (problem != null) {
        throw new ParameterException(cl, "--oci-bundle " + b + ": app name " + problem);
      }
      if (!names.add(name)) {
        throw new ParameterException(cl, "--oci-bundle " + b + ": app \"" + name + "\" is given twice; each bundle"
            + " needs its own app name");
      }
    }
    List<OciBundle> out = new ArrayList<>();
    for (String b : ociBundles) {
      int eq = b.indexOf('=');
      out.add(Kvmount.readBundle(b.substring(0, eq), Path.of(b.substring(eq + 1))));
    }
    return out;
  }

  /** Reads the {@code --image-manifest} files. */
  Map<String, ImageManifest> images() throws InvalidInputException {
    Map<String, ImageManifest> images = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : imageManifests.entrySet()) {
      images.put(e.getKey(), Kvmount.readImage(e.getValue()));
    }
    return images;
  }

  /** Backend names for help and completion. */
  static final class HypervisorNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Hypervisors.names().iterator();
    }
  }

  /** QEMU machine types for completion. */
  static final class QemuMachines implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return new java.util.TreeSet<>(HypervisorOptions.QEMU_MACHINES).iterator();
    }
  }

  /** Transport names for help and completion. */
  static final class TransportNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.Arrays.stream(Transport.values()).map(Transport::id).iterator();
    }
  }
}
