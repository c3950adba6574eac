package io.kvmount;

import io.kvmount.apply.ApplyOptions;
import io.kvmount.apply.ApplyResult;
import io.kvmount.apply.Changes;
import io.kvmount.apply.HostSources;
import io.kvmount.hostshare.HostBind;
import io.kvmount.hostshare.ReleaseResult;
import io.kvmount.hostshare.ShareChanges;
import io.kvmount.hostshare.ShareSpec;
import io.kvmount.apply.NioGuestFs;
import io.kvmount.apply.NioHostFs;
import io.kvmount.oci.OciBundle;
import io.kvmount.oci.OciReader;
import io.kvmount.plan.BundlePlanner;
import io.kvmount.apply.PlanWriter;
import io.kvmount.error.InvalidInputException;
import io.kvmount.error.IoErrors;
import io.kvmount.hypervisor.Arguments;
import io.kvmount.hypervisor.Hypervisor;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ImageManifest;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.GuestFs;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlanException;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.Planner;
import io.kvmount.plan.Transport;
import io.kvmount.verify.Verifier;
import io.kvmount.verify.VerifyOptions;
import io.kvmount.verify.VerifyReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.kvmount.plan.Route;
import io.kvmount.sealed.Fstab;
import io.kvmount.sealed.GuestSystemd;
import io.kvmount.sealed.Handover;
import io.kvmount.sealed.ImageCheck;
import io.kvmount.sealed.ImageEntry;
import io.kvmount.sealed.MountExtra;
import io.kvmount.sealed.SealedPlan;
import io.kvmount.sealed.SealedPlanner;
import java.util.Map;
import java.util.Optional;

/**
 * kvmount's library facade: manifest in, plan out, apply, hypervisor arguments, verify. The
 * command line is a thin layer over these methods; Java programs that start VM pods can call them
 * directly. A complete runnable example is {@code examples/java/EmbedKvmount.java} (compiled and
 * run by the tests):
 *
 * <pre>{@code
 * Path stage1 = Path.of("/var/lib/pod/stage1/rootfs");
 * PodManifest pod = Kvmount.readPod(Path.of("pod.json"));
 * Kvmount.Generation g = Kvmount.plan(pod, stage1);         // QEMU, 9p, default options
 * Kvmount.checkHostSources(g.plan());
 * Kvmount.apply(g.plan(), stage1);                          // the only call that writes
 * List<String> qemuArgs = g.arguments().args();             // one argv element each
 * VerifyReport report = Kvmount.verify(stage1, VerifyOptions.against(g.plan()));
 * }</pre>
 *
 * <p>{@link #plan}, {@link #changes}, {@link #checkHostSources} and {@link #verify} only read the file system;
 * {@link #apply} writes, confined to the stage1 rootfs. Failures a user can cause are checked
 * exceptions with one-line messages: {@link InvalidInputException} (a manifest or plan rejected;
 * {@link PlanException} and {@code ManifestException} are kinds of it) and {@link IOException}.
 * Stateless and thread-safe; concurrent {@link #apply} calls on one stage1 rootfs are serialised
 * by a lock.
 */
public final class Kvmount {

  /**
   * A planned pod and the hypervisor arguments that go with it.
   *
   * @param plan units, directories and shares
   * @param hypervisor the backend's name
   * @param transport the transport
   * @param arguments the backend's arguments for {@code plan.shares()}
   * @param warnings the plan's warnings followed by the backend's
   * @param handover with a sealed route ({@code --emit credentials} or {@code cmdline}), the
   *     rendered fstab lines or kernel words; empty for unit files
   */
  public record Generation(
      Plan plan, String hypervisor, Transport transport, Arguments arguments, List<String> warnings,
      Optional<Handover> handover) {
    /**
     * Copies the warnings.
     *
     * @param plan units, directories and shares
     * @param hypervisor the backend's name
     * @param transport the transport
     * @param arguments the backend's arguments for {@code plan.shares()}, with the credential's
     * @param warnings the plan's warnings followed by the backend's
     * @param handover the sealed route's rendering; empty for unit files
     */
    public Generation {
      warnings = List.copyOf(warnings);
      java.util.Objects.requireNonNull(handover, "handover");
    }

    /**
     * A generation for unit files.
     *
     * @param plan units, directories and shares
     * @param hypervisor the backend's name
     * @param transport the transport
     * @param arguments the backend's arguments for {@code plan.shares()}
     * @param warnings the plan's warnings followed by the backend's
     */
    public Generation(Plan plan, String hypervisor, Transport transport, Arguments arguments, List<String> warnings) {
      this(plan, hypervisor, transport, arguments, warnings, Optional.empty());
    }
  }

  private Kvmount() {}

  /**
   * Reads and validates a pod manifest file.
   *
   * @param file the JSON file
   * @return the manifest
   * @throws InvalidInputException if the file cannot be read or is not a valid pod manifest (the
   *     message names the file, the field and the reason)
   */
  public static PodManifest readPod(Path file) throws InvalidInputException {
    return ManifestReader.readPod(readInput(file, "pod manifest"), file.toString());
  }

  /**
   * Reads and validates an image manifest file.
   *
   * @param file the JSON file
   * @return the manifest
   * @throws InvalidInputException if the file cannot be read or is not a valid image manifest
   */
  public static ImageManifest readImage(Path file) throws InvalidInputException {
    return ManifestReader.readImage(readInput(file, "image manifest"), file.toString());
  }

  /**
   * Reads at most {@link ManifestReader#MAX_DOCUMENT_BYTES} bytes of a manifest. The size is
   * checked while reading, not only with {@code stat}, so that a file whose size says nothing
   * ({@code /dev/zero}, a pipe, {@code /proc} files) is also refused within bounded time and
   * memory instead of being read to the end.
   */
  private static byte[] readInput(Path file, String what) throws InvalidInputException {
    int max = ManifestReader.MAX_DOCUMENT_BYTES;
    String tooLarge = what + " \"" + file + "\": larger than " + max + " bytes";
    try {
      if (Files.isRegularFile(file) && Files.size(file) > max) {
        throw new InvalidInputException(tooLarge);
      }
      try (java.io.InputStream in = Files.newInputStream(file)) {
        byte[] bytes = in.readNBytes(max);
        if (bytes.length == max && in.read() != -1) {
          throw new InvalidInputException(tooLarge);
        }
        return bytes;
      }
    } catch (IOException e) {
      throw new InvalidInputException(what + " \"" + file + "\": cannot read: " + IoErrors.ofInput(e), e);
    }
  }

  /**
   * Plans a pod for QEMU over 9p with the default options ({@link PlanOptions#defaults()}, {@link
   * HypervisorOptions#defaults()}) and no extra image manifests, as {@code kvmount generate} does
   * without options.
   *
   * @param pod the pod manifest
   * @param stage1Root the stage1 rootfs, read (never written) to resolve symlinks in app rootfs;
   *     {@code null} or a missing directory plans as if it were empty
   * @return the plan, the QEMU arguments and the warnings
   * @throws PlanException if the pod cannot be planned (the message names the field)
   * @throws IOException if the stage1 rootfs cannot be read
   */
  public static Generation plan(PodManifest pod, Path stage1Root) throws PlanException, IOException {
    return plan(pod, Map.of(), Hypervisors.byName("qemu"), Transport.NINE_P, PlanOptions.defaults(),
        HypervisorOptions.defaults(), stage1Root);
  }

  /**
   * Plans a pod for one backend and transport and builds its arguments.
   *
   * @param pod the pod manifest
   * @param images image manifests by app name (for apps without an {@code app} section)
   * @param hypervisor the backend
   * @param transport the transport
   * @param options plan options; the tag limit is replaced by the backend's
   * @param hvOptions backend options
   * @param stage1Root the stage1 rootfs, read (never written) to resolve symlinks in app rootfs;
   *     {@code null} or a missing directory plans as if it were empty
   * @return the plan, arguments and warnings
   * @throws PlanException if the pod cannot be planned for this backend, or a host source is the
   *     stage1 rootfs, lies inside it or holds it
   * @throws IOException if the stage1 rootfs cannot be read
   */
  public static Generation plan(
      PodManifest pod,
      Map<String, ImageManifest> images,
      Hypervisor hypervisor,
      Transport transport,
      PlanOptions options,
      HypervisorOptions hvOptions,
      Path stage1Root)
      throws PlanException, IOException {
    int limit = hypervisor.maxTagBytes(transport);
    GuestFs fs = stage1Root != null && Files.isDirectory(stage1Root) ? new NioGuestFs(stage1Root) : GuestFs.EMPTY;
    Plan plan = Planner.plan(pod, images, options.withTransport(transport, limit), fs, HostSources::isFile);
    return generation(plan, options.route(), hypervisor, transport, hvOptions, stage1Root);
  }

  /**
   * The part of planning after the planner, whatever the input: refuses host sources in or
   * around the stage1 rootfs, then builds the backend's arguments and gathers the warnings.
   */
  private static Generation generation(
      Plan plan, Route route, Hypervisor hypervisor, Transport transport, HypervisorOptions hvOptions, Path stage1Root)
      throws PlanException, IOException {
    try {
      HostSources.checkOutsideStage1(plan, stage1Root);
    } catch (InvalidInputException e) {
      throw new PlanException(e.getMessage(), e);
    }
    Arguments args = hypervisor.arguments(plan.shares(), transport, hvOptions);
    List<String> warnings = new ArrayList<>(plan.warnings());
    Optional<Handover> handover = Optional.empty();
    if (route.sealed()) {
      SealedPlan sealed = SealedPlanner.plan(plan, route);
      java.util.OptionalInt systemd = stage1Root != null && Files.isDirectory(stage1Root)
          ? GuestSystemd.version(stage1Root) : java.util.OptionalInt.empty();
      if (systemd.isPresent() && systemd.getAsInt() < GuestSystemd.MIN_VERSION) {
        throw new PlanException("--emit " + route.id() + ": the guest image has systemd " + systemd.getAsInt()
            + ", which ignores " + (route == Route.CREDENTIALS ? "the fstab.extra credential" : "systemd.mount-extra=")
            + " without a word (systemd " + GuestSystemd.MIN_VERSION + " or newer reads it); use --emit units");
      }
      if (systemd.isEmpty()) {
        warnings.add("--emit " + route.id() + " needs systemd " + GuestSystemd.MIN_VERSION + " or newer in the guest"
            + " (older versions ignore it without a word), and no libsystemd-shared-<version>.so was found in the"
            + " stage1 rootfs to check");
      }
      if (route == Route.CREDENTIALS) {
        String fstab = Fstab.render(sealed.entries());
        args = hypervisor.withCredential(args, Fstab.CREDENTIAL, fstab.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        handover = Optional.of(new Handover(sealed, Optional.of(fstab), List.of(), systemd));
      } else {
        handover = Optional.of(new Handover(sealed, Optional.empty(), MountExtra.words(sealed.entries()), systemd));
      }
    }
    warnings.addAll(args.warnings());
    return new Generation(plan, hypervisor.name(), transport, args, warnings, handover);
  }

  /**
   * Lists what in a sealed image would override or add to the mounts a sealed route hands over:
   * units of the same names in {@code /etc/systemd/system}, and drop-ins an {@code --emit units}
   * run left. Reads the stage1 rootfs only.
   *
   * @param g a generation with a sealed route
   * @param stage1Root the stage1 rootfs (the image)
   * @return one line per conflict, {@code <guest path>: <why>}
   * @throws IOException if the image cannot be read
   * @throws IllegalArgumentException if {@code g} has no sealed route
   */
  public static List<String> imageConflicts(Generation g, Path stage1Root) throws IOException {
    Handover h = g.handover().orElseThrow(() -> new IllegalArgumentException("not a sealed route"));
    return ImageCheck.conflicts(h.plan(), new NioGuestFs(stage1Root), g.plan().unitsDir(), Planner.DROP_IN_NAME);
  }

  /**
   * Whether an earlier {@code generate --emit units} left its records in the stage1 rootfs: its
   * unit files would then sit in the image beside the mounts a sealed route hands over.
   *
   * @param stage1Root the stage1 rootfs
   * @return true if {@code .kvmount/state} exists there (not followed if it is a symlink)
   */
  public static boolean hasUnitsRouteState(Path stage1Root) {
    return Files.exists(stage1Root.resolve(".kvmount").resolve("state"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Lists what a sealed image lacks for its pod: mount points always, app services when asked.
   * Reads the stage1 rootfs only.
   *
   * @param g a generation with a sealed route
   * @param stage1Root the stage1 rootfs (the image)
   * @param services whether to check the app services too ({@code verify} does; {@code generate}
   *     does not, as unit files do not need them either)
   * @return the missing entries, mount points first, in plan order; empty when the image is ready
   * @throws IOException if the image cannot be read
   * @throws IllegalArgumentException if {@code g} has no sealed route
   */
  public static List<ImageEntry> imageLacks(Generation g, Path stage1Root, boolean services) throws IOException {
    Handover h = g.handover().orElseThrow(() -> new IllegalArgumentException("not a sealed route"));
    GuestFs fs = new NioGuestFs(stage1Root);
    List<ImageEntry> out = new ArrayList<>(ImageCheck.missingMountPoints(h.plan(), fs));
    if (services) {
      out.addAll(ImageCheck.missingServices(h.plan(), fs, g.plan().unitsDir()));
    }
    return out;
  }

  /**
   * Reads one OCI runtime bundle as an app of the pod.
   *
   * @param app the app name the bundle runs under (checked when planning)
   * @param bundleDir the bundle directory, holding {@code config.json}
   * @return the bundle with its parsed configuration
   * @throws InvalidInputException if the directory or its {@code config.json} is missing or the
   *     configuration is invalid (the message names the file and the JSON path)
   * @throws IOException if it cannot be read
   */
  public static OciBundle readBundle(String app, Path bundleDir) throws InvalidInputException, IOException {
    return OciReader.readBundle(app, bundleDir);
  }

  /**
   * Plans a pod of OCI bundles, one per app, for one backend and transport and builds its
   * arguments: the same plan and arguments an appc pod gets, plus mount units for the guest's
   * own filesystems.
   *
   * @param bundles the bundles, in pod order
   * @param hypervisor the backend
   * @param transport the transport
   * @param options plan options; the tag limit is replaced by the backend's
   * @param hvOptions backend options
   * @param root where each app rootfs comes from: shared from {@code root.path}, or already in
   *     the stage1 rootfs
   * @param stage1Root the stage1 rootfs, read (never written); {@code null} or a missing directory
   *     plans as if it were empty
   * @return the plan, arguments and warnings
   * @throws PlanException if a host source is the stage1 rootfs, lies inside it or holds it, or
   *     the pod cannot be planned (the message names the bundle's {@code
   *     config.json} and the JSON path)
   * @throws IOException if the host or the stage1 rootfs cannot be read
   */
  public static Generation planBundles(
      List<OciBundle> bundles,
      Hypervisor hypervisor,
      Transport transport,
      PlanOptions options,
      HypervisorOptions hvOptions,
      BundlePlanner.RootSource root,
      Path stage1Root)
      throws PlanException, IOException {
    int limit = hypervisor.maxTagBytes(transport);
    GuestFs fs = stage1Root != null && Files.isDirectory(stage1Root) ? new NioGuestFs(stage1Root) : GuestFs.EMPTY;
    Plan plan = BundlePlanner.plan(bundles, options.withTransport(transport, limit), root, fs, new NioHostFs());
    return generation(plan, options.route(), hypervisor, transport, hvOptions, stage1Root);
  }

  /**
   * Lists the mount points an OCI pod's plan would create on the host (inside bundles' rootfs and
   * bind sources), reading only.
   *
   * @param plan the plan
   * @return the host paths that are missing, parents first
   * @throws InvalidInputException if the host tree changed since planning
   * @throws IOException if the host cannot be read
   */
  public static List<String> hostMountPointsMissing(Plan plan) throws InvalidInputException, IOException {
    return io.kvmount.apply.HostMountPoints.missing(plan.hostMountPointsToCreate());
  }

  /**
   * Creates the mount points an OCI pod needs on the host (inside bundles' rootfs and bind
   * sources), as runc creates them in the rootfs; what exists is left as it is.
   *
   * @param plan the plan
   * @return the host paths created, parents first
   * @throws InvalidInputException if the host tree changed since planning
   * @throws IOException if a path cannot be created
   */
  public static List<String> createHostMountPoints(Plan plan) throws InvalidInputException, IOException {
    return io.kvmount.apply.HostMountPoints.create(plan.hostMountPointsToCreate());
  }

  /**
   * Checks that every host volume's source exists and is a directory (with the pod share: a
   * directory or the single file it was planned as), and that the host mount points exist.
   *
   * @param plan the plan
   * @throws InvalidInputException naming the first volume whose source is missing or of the wrong
   *     kind
   */
  public static void checkHostSources(Plan plan) throws InvalidInputException {
    HostSources.check(plan);
  }

  /**
   * The host side of a plan's pod share, as {@link io.kvmount.hostshare.PodShare} takes it: the
   * share directory and one host bind per entry.
   *
   * @param plan the plan
   * @return the share spec, or empty when the plan has one share per volume
   */
  public static Optional<ShareSpec> podShareSpec(Plan plan) {
    if (plan.podShare().isEmpty()) {
      return Optional.empty();
    }
    io.kvmount.plan.PodShare ps = plan.podShare().get();
    List<HostBind> binds = new ArrayList<>(ps.entries().size());
    for (io.kvmount.plan.PodShare.Entry e : ps.entries()) {
      binds.add(new HostBind(e.name(), e.label(), Path.of(e.source()), e.file(), e.readOnly(), e.recursive()));
    }
    return Optional.of(new ShareSpec(Path.of(ps.shareDir()), binds));
  }

  /**
   * Decides what setting up a plan's pod share changes on the host, and changes nothing: the
   * sources' real paths and the binds to make or undo. See {@link
   * io.kvmount.hostshare.PodShare#analyse}.
   *
   * @param plan the plan
   * @param stage1Root the stage1 rootfs, which the share directory must not lie in
   * @return the changes, or empty when the plan has one share per volume
   * @throws InvalidInputException if the share directory or a source is refused (the message says
   *     which and why)
   * @throws IOException if the host cannot be read
   */
  public static Optional<ShareChanges> podShareChanges(Plan plan, Path stage1Root)
      throws InvalidInputException, IOException {
    Optional<ShareSpec> spec = podShareSpec(plan);
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(io.kvmount.hostshare.PodShare.analyse(spec.get(), List.of(stage1Root.toAbsolutePath())));
  }

  /**
   * Carries out {@link #podShareChanges}: mounts the host binds of the pod share (as root).
   *
   * @param changes the changes, just analysed
   * @throws IOException if not root, or a mount fails or shows another source than planned
   */
  public static void applyPodShare(ShareChanges changes) throws IOException {
    io.kvmount.hostshare.PodShare.apply(changes);
  }

  /**
   * Takes a pod share down: unmounts every host bind kvmount made in {@code shareDir} and removes
   * it; idempotent. See {@link io.kvmount.hostshare.PodShare#release}.
   *
   * @param shareDir the share directory (absolute)
   * @return what was unmounted and removed
   * @throws InvalidInputException if {@code shareDir} is not absolute
   * @throws IOException if it holds something kvmount did not make, or an unmount fails
   */
  public static ReleaseResult release(Path shareDir) throws InvalidInputException, IOException {
    return io.kvmount.hostshare.PodShare.release(shareDir);
  }

  /**
   * Checks the host side of a plan's pod share; reads only.
   *
   * @param plan the plan
   * @return findings, one line each; empty when the share is as planned or the plan has none
   */
  public static List<String> verifyPodShare(Plan plan) {
    Optional<ShareSpec> spec = podShareSpec(plan);
    return spec.isEmpty() ? List.of() : io.kvmount.hostshare.PodShare.verify(spec.get());
  }

  /**
   * Writes a plan into a stage1 rootfs: atomically, idempotently, confined to the rootfs; see
   * {@link PlanWriter}.
   *
   * @param plan the plan
   * @param stage1Root the stage1 rootfs directory
   * @return what changed
   * @throws IOException if the tree holds something kvmount must not overwrite or use (a file it
   *     did not write, a file changed since it wrote it, a symlink or non-directory on a path;
   *     nothing is written then), another run holds the lock, or writing fails (the earlier
   *     files are left in place and a re-run completes the job)
   * @throws InvalidInputException if the plan itself is inconsistent (a path planned twice, a
   *     path inside {@code .kvmount}, an id out of range); nothing is written
   */
  public static ApplyResult apply(Plan plan, Path stage1Root) throws IOException, InvalidInputException {
    return PlanWriter.apply(plan, stage1Root);
  }

  /**
   * Writes a plan into a stage1 rootfs as {@link #apply(Plan, Path)}, recording option words in
   * its state and, with {@link ApplyOptions#force()}, replacing conflicting files after copying
   * them to {@code .kvmount/backup/<UTC time>/}.
   *
   * @param plan the plan
   * @param stage1Root the stage1 rootfs directory
   * @param options the words to record ({@link #recordedOptions}) and whether to force
   * @return what changed, with the backups made
   * @throws io.kvmount.apply.ConflictException without force, naming every file kvmount would
   *     overwrite or remove that it did not write or that was changed since; nothing is written
   * @throws IOException as {@link #apply(Plan, Path)}
   * @throws InvalidInputException as {@link #apply(Plan, Path)}, or an option word cannot be
   *     recorded (empty, a line break, NUL)
   */
  public static ApplyResult apply(Plan plan, Path stage1Root, ApplyOptions options)
      throws IOException, InvalidInputException {
    return PlanWriter.apply(plan, stage1Root, PlanWriter.DEFAULT_LOCK_WAIT, options);
  }

  /**
   * The option words the last completed {@link #apply(Plan, Path, ApplyOptions)} recorded in a
   * stage1 rootfs, in its order; {@code kvmount verify} plans with them when not given others.
   *
   * @param stage1Root the stage1 rootfs directory
   * @return the words; empty when there is no state, an older state without them, or none were
   *     recorded
   * @throws IOException if the state file cannot be read
   */
  public static List<String> recordedOptions(Path stage1Root) throws IOException {
    return io.kvmount.apply.StateFile.recordedOptions(stage1Root);
  }

  /**
   * Decides what {@link #apply} would change in a stage1 rootfs, and writes nothing (no lock file
   * either): for {@code --dry-run}. See {@link PlanWriter#changes}.
   *
   * @param plan the plan
   * @param stage1Root the stage1 rootfs directory
   * @return the changes, each a path relative to the stage1 rootfs and what would happen to it
   * @throws IOException if {@link #apply} would refuse the tree before writing (the stage1 rootfs
   *     missing included), or reading fails
   * @throws InvalidInputException if the plan itself is inconsistent
   */
  public static Changes changes(Plan plan, Path stage1Root) throws IOException, InvalidInputException {
    return PlanWriter.changes(plan, stage1Root);
  }

  /**
   * Decides what {@link #apply(Plan, Path, ApplyOptions)} would change with or without force,
   * and writes nothing; see {@link PlanWriter#changes(Plan, Path, boolean)}.
   *
   * @param plan the plan
   * @param stage1Root the stage1 rootfs directory
   * @param force whether conflicting files would be backed up and replaced
   * @return the changes
   * @throws io.kvmount.apply.ConflictException without force, naming every conflicting file
   * @throws IOException as {@link #changes(Plan, Path)}
   * @throws InvalidInputException if the plan itself is inconsistent
   */
  public static Changes changes(Plan plan, Path stage1Root, boolean force) throws IOException, InvalidInputException {
    return PlanWriter.changes(plan, stage1Root, force);
  }

  /**
   * Checks a stage1 rootfs that {@link #apply} wrote: unit names, required units, bind sources,
   * mount tags, files changed since they were written and, when {@code options} carry the plan
   * for the pod manifest, the whole file set, contents and empty-volume modes and owners. Reads
   * the stage1 rootfs and never writes to it; see {@link Verifier}.
   *
   * @param stage1Root the stage1 rootfs directory
   * @param options the units directory and the expected plan, if known ({@link
   *     VerifyOptions#against(Plan)})
   * @return every problem found; {@link VerifyReport#clean()} when there is none
   * @throws IOException if the stage1 rootfs does not exist or cannot be read
   */
  public static VerifyReport verify(Path stage1Root, VerifyOptions options) throws IOException {
    return Verifier.verify(stage1Root, options);
  }
}
