package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.apply.ApplyResult;
import io.kvmount.concurrent.Background;
import io.kvmount.error.InvalidInputException;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.PodManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.kvmount.hostshare.ShareChanges;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
      "Reads an appc pod manifest (or OCI runtime bundles) and writes into the pod's stage1 rootfs the systemd units that give every"
          + " app its volumes, then prints the hypervisor arguments that share the host volumes.",
      "",
      "For each host volume: a share unit mounting its mount tag at /mnt/<volume> (9p or virtio-fs). For each"
          + " empty volume: the directory /mnt/<volume> with its mode and owner. For each app mount: a bind unit"
          + " at /opt/stage2/<app>/rootfs/<path> (read-only where asked) and a drop-in that makes <app>.service"
          + " require its mounts. Files are written atomically; re-running changes nothing.",
      "",
      "With --oci-bundle NAME=DIR (one per app, in place of --pod-manifest): each OCI runtime bundle is an app;"
          + " its root.path is shared and mounted at /opt/stage2/NAME/rootfs, its bind mounts become shares and"
          + " bind units, and its tmpfs, proc, sysfs, devpts, mqueue and cgroup mounts become mount units of that"
          + " type in the guest.",
      "",
      "With --emit credentials or cmdline (a sealed image) nothing is written into the stage1 rootfs: the same mounts"
          + " go to the guest's systemd (254 or newer) as an fstab.extra credential in the hypervisor arguments or as"
          + " systemd.mount-extra= kernel command line words; shares and empty volumes (tmpfs) are then mounted under"
          + " /run/kvmount, and every app mount point must already exist in the stage1 rootfs.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      " 0:success",
      " 1:I/O or runtime failure (earlier state left intact)",
      " 2:usage error (bad options)",
      " 3:invalid input (manifest or plan rejected, or files in the way that kvmount must not change; nothing"
          + " written)",
      " 4:internal error (a bug: please report it)"
    })
final class GenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--pod-manifest",
      paramLabel = "FILE",
      description = "The appc pod manifest (JSON). Give it, or --oci-bundle for each app.")
  Path podManifest;

  @Option(
      names = "--stage1-rootfs",
      required = true,
      paramLabel = "DIR",
      description = "The stage1 rootfs: the directory that becomes the guest's root filesystem.")
  Path stage1Rootfs;

  @Option(
      names = "--format",
      paramLabel = "F",
      defaultValue = "text",
      completionCandidates = Formats.class,
      description = "Output: text (a report), json (machine-readable), args (hypervisor arguments, one per line),"
          + " dot (a Graphviz graph: volumes, share units, bind units, app services) (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--dry-run", description = "Print the plan and what a run would change; write nothing.")
  boolean dryRun;

  @Mixin PlanArgs planArgs;

  @Option(
      names = "--force",
      description = "Take kvmount's version of files it would otherwise refuse to change (a file it did not write at"
          + " a path it writes, or one it wrote that was changed since): each is first copied to"
          + " <stage1 rootfs>/.kvmount/backup/<UTC time>/<its path> (a new directory each run, never an existing"
          + " backup), then replaced or removed. Nothing else is touched.")
  boolean force;

  @Option(
      names = "--allow-missing-sources",
      description = "Warn instead of failing when a host volume's source directory does not exist.")
  boolean allowMissingSources;

  @Option(names = {"-q", "--quiet"}, description = "Print no warnings.")
  boolean quiet;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also print to stderr what happens step by step: what was read, planned and written (each"
          + " file and directory), with timings.")
  boolean verbose;

  @Option(names = "--stacktrace", description = "Print a stack trace with errors (for bug reports).")
  boolean stacktrace;

  @Override
  public Integer call() throws Exception {
    if (!FORMATS.contains(format)) {
      throw new ParameterException(
          spec.commandLine(), "--format must be one of " + String.join(", ", FORMATS) + ", not \"" + format + "\"");
    }
    if (quiet && verbose) {
      throw new ParameterException(spec.commandLine(), "--quiet and --verbose cannot be used together");
    }
    if (format.equals("args") && planArgs.emit.equals("cmdline")) {
      // The mounts are kernel words then, not hypervisor arguments: printing the arguments alone
      // would boot the guest without its volumes.
      throw new ParameterException(spec.commandLine(), "--format args prints hypervisor arguments only, and with"
          + " --emit cmdline the mounts are kernel command line words: use --format json (sealed.kernelCmdline) or"
          + " text");
    }
    PlanArgs.checkInput(spec.commandLine(), podManifest, planArgs);
    if (stage1Rootfs.toString().isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--stage1-rootfs must not be empty");
    }
    if (stage1Rootfs.toAbsolutePath().normalize().getNameCount() == 0 || isHostRoot(stage1Rootfs)) {
      throw new ParameterException(spec.commandLine(),
          "--stage1-rootfs \"" + stage1Rootfs + "\" is the host's root directory; refusing to write there");
    }
    PlanArgs.Resolved r = planArgs.resolve(spec.commandLine(), stage1Rootfs, podManifest);
    PrintWriter err = spec.commandLine().getErr();
    Verbose log = new Verbose(verbose ? err : null);

    Kvmount.Generation g;
    // Apps whose image's mount points this run cannot know (no "app" section, no image manifest).
    List<String> unknownMountPoints = new java.util.ArrayList<>();
    if (podManifest != null) {
      PodManifest pod = ManifestPrefetch.readPod(podManifest);
      Map<String, ImageManifest> images = planArgs.images();
      for (io.kvmount.manifest.RuntimeApp a : pod.apps()) {
        if (a.mountPoints().isEmpty() && !images.containsKey(a.name().value())) {
          unknownMountPoints.add(a.name().value());
        }
      }
      log.step("read pod manifest " + podManifest + ": " + pod.apps().size() + " app(s), " + pod.volumes().size()
          + " volume(s)" + (images.isEmpty() ? "" : ", " + images.size() + " image manifest(s)"));
      g = Kvmount.plan(pod, images, r.hypervisor(), r.transport(), r.plan(), r.hypervisorOptions(), stage1Rootfs);
    } else {
      List<io.kvmount.oci.OciBundle> bundles = planArgs.bundles(spec.commandLine());
      log.step("read " + bundles.size() + " OCI bundle(s)");
      g = Kvmount.planBundles(bundles, r.hypervisor(), r.transport(), r.plan(), r.hypervisorOptions(),
          planArgs.rootSource(spec.commandLine()), stage1Rootfs);
    }
    log.step("planned for " + g.hypervisor() + " over " + g.transport().id() + ": " + g.plan().shares().size()
        + " share(s), " + g.plan().mounts().size() + " mount(s), " + g.plan().files().size() + " file(s), "
        + g.plan().directories().size() + " director" + (g.plan().directories().size() == 1 ? "y" : "ies"));
    List<String> warnings = new java.util.ArrayList<>(planArgs.ineffective(spec.commandLine(), r));
    warnings.addAll(g.warnings());
    // A sealed route writes nothing into the stage1 rootfs: it is the image, read to check that it
    // holds every mount point (a dry run checks the same), never written.
    boolean sealed = g.handover().isPresent();
    if (sealed) {
      if (!Files.isDirectory(stage1Rootfs)) {
        throw new IOException(notADirectory(stage1Rootfs));
      }
      List<io.kvmount.sealed.ImageEntry> lacks = Kvmount.imageLacks(g, stage1Rootfs, false);
      if (!lacks.isEmpty()) {
        throw new InvalidInputException(io.kvmount.sealed.ImageCheck.describe(lacks));
      }
      for (String c : Kvmount.imageConflicts(g, stage1Rootfs)) {
        warnings.add("the sealed image: " + c);
      }
      if (Kvmount.hasUnitsRouteState(stage1Rootfs)) {
        warnings.add("the sealed image holds .kvmount/state: unit files written by generate --emit units are in it, and"
            + " they apply besides the handed-over mounts; build the image without them (kvmount verify --emit "
            + g.handover().get().plan().route().id() + " lists them)");
      }
      log.step("checked the sealed image " + stage1Rootfs + ": every mount point is there");
    }
    try {
      Kvmount.checkHostSources(g.plan());
    } catch (InvalidInputException e) {
      if (!allowMissingSources) {
        throw e;
      }
      warnings.add(e.getMessage());
    }
    // The pod share's host side: analysed before anything is written or mounted (its refusals
    // are the user's to resolve); a dry run reports them as it reports a refused tree.
    Optional<ShareChanges> hostShare = Optional.empty();
    String hostShareError = null;
    if (g.plan().podShare().isPresent()) {
      try {
        hostShare = Kvmount.podShareChanges(g.plan(), stage1Rootfs);
      } catch (IOException | InvalidInputException e) {
        if (!dryRun) {
          throw e;
        }
        hostShareError = e.getMessage();
      }
    }
    ApplyResult result = null;
    // A dry run says what a run would change: the tree is read, nothing is written.
    DryRunChanges changes = null;
    // The text report depends on what was written only in its list of files: for a large pod it
    // is rendered on another thread while the plan is applied (same text as rendering it after).
    Background<Output.TextReport, RuntimeException> report = null;
    if (format.equals("text") && !dryRun && !sealed && g.plan().files().size() >= BACKGROUND_REPORT_FILES) {
      Kvmount.Generation gen = g;
      report = Background.start("kvmount-report", () -> Output.TextReport.render(gen, stage1Rootfs, false));
    }
    if (!dryRun) {
      if (!Files.isDirectory(stage1Rootfs)) {
        throw new IOException(notADirectory(stage1Rootfs));
      }
      if (!g.plan().hostMountPointsToCreate().isEmpty()) {
        // A tree the writer would refuse is refused before anything is made on the host.
        if (!sealed) {
          Kvmount.changes(g.plan(), stage1Rootfs);
        }
        for (String created : Kvmount.createHostMountPoints(g.plan())) {
          log.detail("created mount point " + created + " on the host");
        }
      }
      if (hostShare.isPresent()) {
        // A tree the writer would refuse is refused before any host mount is made.
        if (!sealed) {
          Kvmount.changes(g.plan(), stage1Rootfs);
        }
        Kvmount.applyPodShare(hostShare.get());
        log.step("pod share " + g.plan().podShare().get().shareDir() + ": " + hostShare.get().lines().size()
            + " host step(s)");
        if (verbose) {
          for (String line : hostShare.get().lines()) {
            log.detail(ExitCodes.oneLine(line));
          }
        }
      }
      if (sealed) {
        log.step("--emit " + g.handover().get().plan().route().id() + ": nothing written into " + stage1Rootfs);
      } else {
        try {
          result = Kvmount.apply(g.plan(), stage1Rootfs,
              new io.kvmount.apply.ApplyOptions(planArgs.recordedWords(r, podManifest == null), force));
        } catch (io.kvmount.apply.ConflictException e) {
          throw withForceHint(e);
        }
        warnings.addAll(droppedImageMounts(unknownMountPoints, result.removed()));
        for (String d : result.directoriesLeft()) {
          warnings.add("left directory \"" + d + "\" in the stage1 rootfs: kvmount created it for a mount point the"
              + " pod no longer has, but it is not empty; remove it by hand if it is no longer needed");
        }
        for (String f : result.backedUp()) {
          warnings.add("--force: replaced \"" + f + "\"; the earlier file is kept as \""
              + result.backupDirectory().orElseThrow() + "/" + f + "\"");
        }
        log.step("applied to " + stage1Rootfs + ": " + result.written().size() + " written, "
            + result.unchanged().size() + " unchanged, " + result.removed().size() + " removed, "
            + result.directoriesCreated().size() + " director" + (result.directoriesCreated().size() == 1 ? "y" : "ies")
            + " created");
        if (verbose) { // not even the strings otherwise: 24,000 of them for a 1,000-app pod
          for (String f : result.written()) {
            log.detail("wrote " + f);
          }
          for (String f : result.unchanged()) {
            log.detail("unchanged " + f);
          }
          for (String f : result.removed()) {
            log.detail("removed " + f + " (no longer in the pod)");
          }
          for (String d : result.directoriesCreated()) {
            log.detail("created directory " + d);
          }
          for (String d : result.volumesCopied()) {
            log.detail("made volume directory " + d + " as a copy of the image's content");
          }
          for (String f : result.fileMountPointsCreated()) {
            log.detail("created file mount point " + f);
          }
          for (String d : result.directoriesRemoved()) {
            log.detail("removed directory " + d + " (no longer in the pod)");
          }
          for (String f : result.fileMountPointsRemoved()) {
            log.detail("removed file mount point " + f + " (no longer in the pod)");
          }
        }
      }
    } else {
      // The run's checks, in its order, without its writing and mounting: a missing stage1
      // rootfs (exit 1), a tree the writer refuses (exit 1; files in the way: exit 3, all named),
      // host mount points in a host tree that changed since planning (exit 3).
      if (!Files.isDirectory(stage1Rootfs)) {
        throw new IOException(notADirectory(stage1Rootfs));
      }
      if (!sealed) {
        changes = DryRunChanges.of(g.plan(), stage1Rootfs, force);
      }
      if (!g.plan().hostMountPointsToCreate().isEmpty()) {
        Kvmount.hostMountPointsMissing(g.plan());
      }
      log.step("dry run: nothing written");
    }
    // Buffered, not line-flushed: a 1,000-app report is 30,000 lines (one write(2) each before).
    PrintWriter out = new PrintWriter(new java.io.BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
    if (!quiet) {
      for (String w : warnings) {
        err.println("kvmount: warning: " + ExitCodes.oneLine(w));
      }
      err.flush();
    }
    switch (format) {
      case "json" -> Output.json(out, g, warnings, stage1Rootfs, dryRun, changes, hostShare, hostShareError);
      case "args" -> Output.args(out, g);
      case "dot" -> Output.dot(out, g);
      default -> {
        Output.TextReport text = report != null ? report.join() : Output.TextReport.render(g, stage1Rootfs, dryRun);
        text.print(out, result);
        Output.hostShareText(out, g, dryRun, hostShare, hostShareError);
        if (changes != null) {
          changes.printText(out);
        }
      }
    }
    out.flush();
    log.step("done");
    return ExitCodes.OK;
  }

  /**
   * A warning per app that has no {@code app} section and no {@code --image-manifest} in this run
   * while units an earlier run wrote for it were removed: most likely its image manifest was left
   * out this time, and with it the mount points its image declares.
   *
   * @param apps the apps whose image's mount points this run cannot know
   * @param removed the files the run removed, relative to the stage1 rootfs
   * @return one line per such app, in pod order
   */
  static List<String> droppedImageMounts(List<String> apps, List<String> removed) {
    List<String> out = new java.util.ArrayList<>();
    for (String app : apps) {
      String prefix = "opt-stage2-" + io.kvmount.systemd.SystemdEscape.escape(app) + "-rootfs";
      long n = removed.stream().map(f -> f.substring(f.lastIndexOf('/') + 1))
          .filter(f -> f.startsWith(prefix + "-") || f.equals(prefix + ".mount")).count();
      if (n > 0) {
        out.add("app \"" + app + "\" has no \"app\" section and no --image-manifest in this run, and " + n + " unit"
            + (n == 1 ? "" : "s") + " an earlier run wrote for its mounts " + (n == 1 ? "was" : "were") + " removed;"
            + " if its image declares mount points, run again with --image-manifest " + app + "=FILE");
      }
    }
    return out;
  }

  /** A conflict with the way to take kvmount's version added: {@code --force}. */
  static io.kvmount.apply.ConflictException withForceHint(io.kvmount.apply.ConflictException e) {
    io.kvmount.apply.ConflictException hinted = new io.kvmount.apply.ConflictException(e.getMessage()
        + " (to take kvmount's version, run again with --force: it keeps a copy of "
        + (e.paths().size() == 1 ? "the file" : "each file") + " in .kvmount/backup/)", e.paths());
    hinted.initCause(e);
    return hinted;
  }

  /** The message for a stage1 rootfs that is missing or not a directory (run and dry run). */
  static String notADirectory(Path stage1Rootfs) {
    return "stage1 rootfs \"" + stage1Rootfs + "\" does not exist or is not a directory";
  }

  /**
   * Whether {@code dir} is the host's root directory once symlinks are followed (a symlink to
   * {@code /}, {@code /tmp/..} through a link). False when it does not exist or cannot be
   * resolved: the writer reports that with its own message.
   */
  static boolean isHostRoot(Path dir) {
    try {
      return dir.toRealPath().getNameCount() == 0;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Plans with at least this many files render their text report beside the apply. */
  private static final int BACKGROUND_REPORT_FILES = 64;

  /** The output formats of {@code --format}. */
  static final List<String> FORMATS = List.of("text", "json", "args", "dot");

  /** Format names for help and completion. */
  static final class Formats implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return FORMATS.iterator();
    }
  }
}
