package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.apply.ApplyResult;
import io.kvmount.error.InvalidInputException;
import io.kvmount.hypervisor.Hypervisor;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.PodManifest;
import io.kvmount.path.GuestPath;
import io.kvmount.plan.MountTag;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kvmount generate}: the main job. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Reads an appc pod manifest and writes into the pod's stage1 rootfs the systemd units that give every"
          + " app its volumes, then prints the hypervisor arguments that share the host volumes.",
      "",
      "For each host volume: a share unit mounting its mount tag at /mnt/<volume> (9p or virtio-fs). For each"
          + " empty volume: the directory /mnt/<volume> with its mode and owner. For each app mount: a bind unit"
          + " at /opt/stage2/<app>/rootfs/<path> (read-only where asked) and a drop-in that makes <app>.service"
          + " require its mounts. Files are written atomically; re-running changes nothing.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      " 0:success",
      " 1:I/O or runtime failure (earlier state left intact)",
      " 2:usage error (bad options)",
      " 3:invalid input (manifest or plan rejected; nothing written)",
      " 4:internal error (a bug: please report it)"
    })
final class GenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--pod-manifest", required = true, paramLabel = "FILE", description = "The appc pod manifest (JSON).")
  Path podManifest;

  @Option(
      names = "--stage1-rootfs",
      required = true,
      paramLabel = "DIR",
      description = "The stage1 rootfs: the directory that becomes the guest's root filesystem.")
  Path stage1Rootfs;

  @Option(
      names = "--hypervisor",
      paramLabel = "NAME",
      defaultValue = "qemu",
      description = "Backend whose arguments are printed: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      completionCandidates = HypervisorNames.class)
  String hypervisor;

  @Option(
      names = "--transport",
      paramLabel = "T",
      defaultValue = "9p",
      description = "How host volumes reach the guest: 9p or virtiofs (default: ${DEFAULT-VALUE}).")
  String transport;

  @Option(
      names = "--format",
      paramLabel = "F",
      defaultValue = "text",
      description = "Output: text (a report), json (machine-readable), args (hypervisor arguments, one per line)"
          + " (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--dry-run", description = "Print the plan; write nothing.")
  boolean dryRun;

  @Option(
      names = "--image-manifest",
      paramLabel = "APP=FILE",
      description = "Image manifest for an app whose pod entry has no \"app\" section (supplies its mount points)."
          + " Repeatable.")
  Map<String, Path> imageManifests = new LinkedHashMap<>();

  @Option(
      names = "--units-dir",
      paramLabel = "REL",
      defaultValue = "usr/lib/systemd/system",
      description = "Where unit files go, relative to the stage1 rootfs (default: ${DEFAULT-VALUE}).")
  String unitsDir;

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
      defaultValue = "/run/kvmount",
      description = "virtio-fs: directory for the virtiofsd sockets, <DIR>/<tag>.sock; use one per pod"
          + " (default: ${DEFAULT-VALUE}).")
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
      description = "virtio-fs: the virtiofsd program in the printed daemon lines (default: ${DEFAULT-VALUE}).")
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
  List<String> reservedTags = new java.util.ArrayList<>();

  @Option(
      names = "--legacy-remount",
      description = "For guests with util-linux < 2.27 (which ignores ro on bind mounts): make read-only binds"
          + " read-only with a remount service (mount -o remount,bind,ro) that the app requires.")
  boolean legacyRemount;

  @Option(
      names = "--allow-missing-sources",
      description = "Warn instead of failing when a host volume's source directory does not exist.")
  boolean allowMissingSources;

  @Option(names = {"-q", "--quiet"}, description = "Print no warnings.")
  boolean quiet;

  @Option(names = "--stacktrace", description = "Print a stack trace with errors (for bug reports).")
  boolean stacktrace;

  @Override
  public Integer call() throws Exception {
    if (!Set.of("text", "json", "args").contains(format)) {
      throw new ParameterException(spec.commandLine(), "--format must be text, json or args, not \"" + format + "\"");
    }
    Transport t;
    try {
      t = Transport.of(transport);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PlanOptions options;
    HypervisorOptions hvOptions;
    GuestPath units;
    try {
      if (unitsDir.startsWith("/")) {
        throw new IllegalArgumentException("--units-dir must be relative to the stage1 rootfs");
      }
      units = GuestPath.parse("/" + unitsDir);
      Set<String> reserved = new LinkedHashSet<>(MountTag.DEFAULT_RESERVED);
      reserved.addAll(reservedTags);
      options = new PlanOptions(t, 31, reserved, units, msize, cache, legacyRemount);
      hvOptions = new HypervisorOptions(securityModel, runtimeDir, guestMemory, virtiofsd, virtiofsdSandbox, virtiofsdCache);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (!Hypervisors.names().contains(hypervisor)) {
      throw new ParameterException(spec.commandLine(), "--hypervisor must be one of "
          + String.join(", ", Hypervisors.names()) + ", not \"" + hypervisor + "\"");
    }
    Hypervisor hv = Hypervisors.byName(hypervisor);

    PodManifest pod = Kvmount.readPod(podManifest);
    Map<String, ImageManifest> images = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : imageManifests.entrySet()) {
      images.put(e.getKey(), Kvmount.readImage(e.getValue()));
    }
    Kvmount.Generation g = Kvmount.plan(pod, images, hv, t, options, hvOptions, stage1Rootfs);
    List<String> warnings = new java.util.ArrayList<>(g.warnings());
    try {
      Kvmount.checkHostSources(g.plan());
    } catch (InvalidInputException e) {
      if (!allowMissingSources) {
        throw e;
      }
      warnings.add(e.getMessage());
    }
    ApplyResult result = null;
    if (!dryRun) {
      if (!Files.isDirectory(stage1Rootfs)) {
        throw new IOException("stage1 rootfs \"" + stage1Rootfs + "\" does not exist or is not a directory");
      }
      result = Kvmount.apply(g.plan(), stage1Rootfs);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!quiet) {
      for (String w : warnings) {
        err.println("kvmount: warning: " + w);
      }
      err.flush();
    }
    switch (format) {
      case "json" -> Output.json(out, g, warnings, stage1Rootfs, dryRun);
      case "args" -> Output.args(out, g);
      default -> Output.text(out, g, stage1Rootfs, dryRun, result);
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** Backend names for help and completion. */
  static final class HypervisorNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Hypervisors.names().iterator();
    }
  }
}
