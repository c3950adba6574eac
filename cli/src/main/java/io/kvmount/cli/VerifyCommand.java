package io.kvmount.cli;

import io.kvmount.Kvmount;
import io.kvmount.manifest.PodManifest;
import io.kvmount.path.GuestPath;
import io.kvmount.verify.Finding;
import io.kvmount.verify.VerifyOptions;
import io.kvmount.verify.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kvmount verify}: checks what {@code generate} wrote and reports every problem. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Checks what generate wrote into a stage1 rootfs and reports every problem.",
      "",
      "Prints one line per problem on stdout: \"<check>: <path>: <message>\", path relative to the stage1"
          + " rootfs, and a summary on stderr; on a clean tree, one \"ok:\" line on stdout.",
      "",
      "Checks: unit-name (a mount unit's file name is systemd's name for its Where=), missing-unit (a unit or"
          + " drop-in requires a unit that is not there), bind-source (a bind unit's What=/mnt/<volume> is mounted"
          + " by a share unit it requires, or is an empty-volume directory), tag (no two share units mount one tag),"
          + " modified and deleted (files changed or removed since kvmount wrote them, by the SHA-256 in"
          + " .kvmount/state), state, unreadable, and systemd-analyze (systemd-analyze verify --man=no"
          + " --generators=no, when installed).",
      "",
      "With --pod-manifest or --oci-bundle (and the same options as generate) also: missing-file, unexpected-file, content (the"
          + " files are exactly what generate writes), tag (each share unit mounts the manifest's tag),"
          + " empty-volume (mode and owner as in the manifest) and directory (mount points exist).",
      "",
      "Plan options not given here (--hypervisor, --transport, --units-dir, --9p-msize, --9p-cache, --reserve-tag,"
          + " --legacy-remount, --share, --share-dir, --oci-rootfs) are those the last generate recorded in"
          + " .kvmount/state; options given here win (giving --hypervisor or --transport drops the recorded other of"
          + " the two, as does --share or --share-dir). A state written before options were recorded uses the"
          + " defaults.",
      "",
      "With --emit credentials or cmdline (and --pod-manifest or --oci-bundle), checks a sealed image instead:"
          + " image-mount-point (every mount point the handed-over mounts need is there), image-service (each app's"
          + " service is there, not masked), image-units (no unit in /etc/systemd/system overrides a handed-over"
          + " mount, and no units of an --emit units run are left).",
      "",
      "Reads the stage1 rootfs, never writes to it.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      " 0:clean: no problem found",
      " 1:I/O failure (stage1 rootfs missing or unreadable)",
      " 2:usage error (bad options)",
      " 3:problems found (one line each on stdout), or the pod manifest is invalid",
      " 4:internal error (a bug: please report it)"
    })
final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--stage1-rootfs",
      required = true,
      paramLabel = "DIR",
      description = "The stage1 rootfs kvmount generate wrote into.")
  Path stage1Rootfs;

  @Option(
      names = "--pod-manifest",
      paramLabel = "FILE",
      description = "The appc pod manifest (JSON): compare the tree with what generate writes for it.")
  Path podManifest;

  @Mixin PlanArgs planArgs;

  @Option(names = "--no-systemd-analyze", description = "Do not run systemd-analyze verify.")
  boolean noSystemdAnalyze;

  @Option(names = {"-q", "--quiet"}, description = "Print the problems only: no summary, no notes.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Also list on stderr every file and directory checked.")
  boolean verbose;

  @Option(names = "--stacktrace", description = "Print a stack trace with errors (for bug reports).")
  boolean stacktrace;

  @Override
  public Integer call() throws Exception {
    if (quiet && verbose) {
      throw new ParameterException(spec.commandLine(), "--quiet and --verbose cannot be used together");
    }
    if (stage1Rootfs.toString().isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--stage1-rootfs must not be empty");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Verbose log = new Verbose(verbose ? err : null);
    VerifyOptions options;
    java.util.List<String> hostFindings = java.util.List.of();
    String hostShareDir = null;
    int hostBinds = 0;
    boolean bundles = !planArgs.ociBundles.isEmpty();
    if (podManifest == null && !bundles && (planArgs.shareDir != null || planArgs.share != null)) {
      throw new ParameterException(spec.commandLine(),
          "--share and --share-dir need --pod-manifest (or --oci-bundle): the host binds are checked against its plan");
    }
    String input = podManifest != null ? podManifest.toString() : bundles ? "the OCI bundles" : null;
    // Plan as the tree was generated: the options generate recorded, unless given here.
    java.util.List<String> adopted = PlanArgs.adoptRecorded(spec, Kvmount.recordedOptions(stage1Rootfs));
    if (!adopted.isEmpty()) {
      log.step("options from .kvmount/state: " + String.join(" ", adopted));
    }
    if (input != null) {
      PlanArgs.checkInput(spec.commandLine(), podManifest, planArgs);
      PlanArgs.Resolved r = planArgs.resolve(spec.commandLine(), stage1Rootfs, podManifest);
      if (!quiet) {
        for (String w : planArgs.ineffective(spec.commandLine(), r)) {
          err.println("kvmount: warning: " + ExitCodes.oneLine(w));
        }
      }
      Kvmount.Generation g;
      if (podManifest != null) {
        PodManifest pod = Kvmount.readPod(podManifest);
        g = Kvmount.plan(
            pod, planArgs.images(), r.hypervisor(), r.transport(), r.plan(), r.hypervisorOptions(), stage1Rootfs);
      } else {
        g = Kvmount.planBundles(planArgs.bundles(spec.commandLine()), r.hypervisor(), r.transport(), r.plan(),
            r.hypervisorOptions(), planArgs.rootSource(spec.commandLine()), stage1Rootfs);
      }
      if (g.handover().isPresent()) {
        return verifySealed(g, input, out, err, log);
      }
      log.step("planned " + input + " for " + g.hypervisor() + " over " + g.transport().id() + ": "
          + g.plan().files().size() + " file(s), " + g.plan().directories().size() + " directories");
      options = VerifyOptions.against(g.plan());
      if (g.plan().podShare().isPresent()) {
        hostShareDir = g.plan().podShare().get().shareDir();
        hostBinds = g.plan().podShare().get().entries().size();
        hostFindings = Kvmount.verifyPodShare(g.plan());
        log.step("checked the pod share " + hostShareDir + " on the host: " + hostFindings.size() + " problem(s)");
      }
    } else {
      if (!planArgs.emit.equals("units")) {
        throw new ParameterException(spec.commandLine(), "--emit " + planArgs.emit + " needs --pod-manifest (or"
            + " --oci-bundle): a sealed image is checked against the pod's plan");
      }
      GuestPath units;
      try {
        units = PlanArgs.unitsDir(planArgs.unitsDir);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      options = VerifyOptions.treeOnly(units);
    }
    options = options.withSystemdAnalyze(!noSystemdAnalyze);
    VerifyReport report = Kvmount.verify(stage1Rootfs, options);
    for (String f : report.filesChecked()) {
      log.detail("checked file " + f);
    }
    for (String d : report.directoriesChecked()) {
      log.detail("checked directory " + d);
    }
    log.step("verified " + stage1Rootfs);
    for (Finding f : report.findings()) {
      out.println(ExitCodes.oneLine(f.toString()));
    }
    for (String f : hostFindings) {
      out.println(ExitCodes.oneLine(f));
    }
    out.flush();
    boolean clean = report.clean() && hostFindings.isEmpty();
    if (!quiet) {
      for (String n : report.notes()) {
        err.println("kvmount: note: " + n);
      }
      if (clean) {
        out.println("ok: " + stage1Rootfs + ": " + report.filesChecked().size() + " file(s)"
            + (input == null
                ? " checked, no problems"
                : " and " + report.directoriesChecked().size() + " director"
                    + (report.directoriesChecked().size() == 1 ? "y" : "ies") + " match " + input)
            + (hostShareDir == null ? "" : "; pod share " + hostShareDir + ": " + hostBinds + " host bind(s) as planned"));
      } else {
        err.println("kvmount: " + (report.findings().size() + hostFindings.size()) + " problem(s) in " + stage1Rootfs
            + (hostShareDir == null ? "" : " and the pod share " + hostShareDir)
            + (input == null ? "" : " for " + input));
      }
      out.flush();
      err.flush();
    }
    return clean ? ExitCodes.OK : ExitCodes.INVALID;
  }

  /**
   * Verifies a sealed image ({@code --emit credentials} or {@code cmdline}): every mount point and
   * app service is there, and no unit files of an earlier {@code --emit units} run are (the image
   * needs nothing written). One line per problem, as for unit files.
   */
  private int verifySealed(Kvmount.Generation g, String input, PrintWriter out, PrintWriter err, Verbose log)
      throws java.io.IOException {
    if (!java.nio.file.Files.isDirectory(stage1Rootfs)) {
      throw new java.io.IOException(GenerateCommand.notADirectory(stage1Rootfs));
    }
    String route = g.handover().get().plan().route().id();
    java.util.List<String> problems = new java.util.ArrayList<>();
    for (io.kvmount.sealed.ImageEntry e : Kvmount.imageLacks(g, stage1Rootfs, true)) {
      problems.add(e.kind() == io.kvmount.sealed.ImageEntry.Kind.SERVICE
          ? "image-service: " + e.path() + ": not in /etc/systemd/system, /usr/lib/systemd/system or"
              + " /lib/systemd/system (or masked, or a dangling link); " + e.origin() + " runs as this unit, and its mounts are tied to it; add it to the image"
          : "image-mount-point: " + e.path() + ": no " + e.kind().word() + " there (for " + e.origin()
              + "); the image must hold it, kvmount writes nothing into a sealed image");
    }
    for (String c : Kvmount.imageConflicts(g, stage1Rootfs)) {
      problems.add("image-units: " + c);
    }
    if (Kvmount.hasUnitsRouteState(stage1Rootfs)) {
      problems.add("image-units: .kvmount/state: the image holds unit files written by generate --emit units; with"
          + " --emit " + route + " they would apply besides the handed-over mounts; build the image without them");
    }
    log.step("checked the sealed image " + stage1Rootfs + " for " + input + ": "
        + g.handover().get().plan().imageMustContain().size() + " entries");
    for (String p : problems) {
      out.println(ExitCodes.oneLine(p));
    }
    out.flush();
    if (!quiet) {
      for (String w : g.warnings()) {
        err.println("kvmount: note: " + ExitCodes.oneLine(w));
      }
      if (problems.isEmpty()) {
        out.println("ok: " + stage1Rootfs + ": the sealed image holds the " + g.handover().get().plan().imageMustContain().size()
            + " mount point(s) and service(s) " + input + " needs for --emit " + route + "; nothing to write");
      } else {
        err.println("kvmount: " + problems.size() + " problem(s) in the sealed image " + stage1Rootfs + " for " + input);
      }
      out.flush();
      err.flush();
    }
    return problems.isEmpty() ? ExitCodes.OK : ExitCodes.INVALID;
  }
}
