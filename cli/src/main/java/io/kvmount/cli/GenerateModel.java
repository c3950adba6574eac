package io.kvmount.cli;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.PicocliException;

/**
 * picocli's model of {@code kvmount generate}, built in code, for the start-up path of {@code
 * kvmount generate ...}.
 *
 * <p>Why: building the same model from {@link GenerateCommand}'s annotations makes the JDK parse
 * every annotation and spin a proxy class per annotation type, which cannot be kept in a JDK 17
 * class-data archive; in a fresh JVM that was the largest single cost of a small pod's run (see
 * BENCHMARKS.md, start-up). The annotations stay the reference: they feed the full command tree
 * ({@code kvmount --help}, completion, the man page), and {@code GenerateModelTest} checks that this
 * model has the same options with the same names, labels, types, arity, defaults, descriptions and
 * order, and prints byte-identical usage help.
 *
 * <p>The options write into the fields of the {@link GenerateCommand} (and its {@link PlanArgs})
 * given to {@link #commandLine}, exactly as the annotated model does.
 */
final class GenerateModel {

  private GenerateModel() {}

  /**
   * Builds a command line for {@code generate} named {@code name}, bound to {@code command}.
   *
   * @param command the command whose fields receive the option values; its {@code spec} field is
   *     set to the model built here
   * @param name the command name shown in usage and messages ({@code "kvmount generate"})
   * @return the command line, without kvmount's exception handlers (see {@link ExitCodes#install})
   */
  static CommandLine commandLine(GenerateCommand command, String name) {
    if (command.planArgs == null) {
      command.planArgs = new PlanArgs();
    }
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
    spec.name(name);
    spec.versionProvider(new VersionProvider());
    spec.usageMessage()
        .sortOptions(false)
        .description(
            "Reads an appc pod manifest (or OCI runtime bundles) and writes into the pod's stage1 rootfs the systemd units that give every"
                + " app its volumes, then prints the hypervisor arguments that share the host volumes.",
            "",
            "For each host volume: a share unit mounting its mount tag at /mnt/<volume> (9p or virtio-fs). For each"
                + " empty volume: the directory /mnt/<volume> with its mode and owner. For each app mount: a bind"
                + " unit at /opt/stage2/<app>/rootfs/<path> (read-only where asked) and a drop-in that makes"
                + " <app>.service require its mounts. Files are written atomically; re-running changes nothing.",
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
            "")
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(exitCodes());

    Object g = command;
    Object p = command.planArgs;
    add(spec, option("--pod-manifest", "FILE", Path.class), g, "podManifest",
        "The appc pod manifest (JSON). Give it, or --oci-bundle for each app.");
    add(spec, option("--stage1-rootfs", "DIR", Path.class).required(true), g, "stage1Rootfs",
        "The stage1 rootfs: the directory that becomes the guest's root filesystem.");
    add(spec, option("--format", "F", String.class).defaultValue("text")
            .completionCandidates(new GenerateCommand.Formats()), g, "format",
        "Output: text (a report), json (machine-readable), args (hypervisor arguments, one per line),"
            + " dot (a Graphviz graph: volumes, share units, bind units, app services) (default: ${DEFAULT-VALUE}).");
    add(spec, flag("--dry-run"), g, "dryRun", "Print the plan and what a run would change; write nothing.");
    // PlanArgs, in its field order (the mixin's place in GenerateCommand).
    add(spec, option("--hypervisor", "NAME", String.class).defaultValue("qemu")
            .completionCandidates(new PlanArgs.HypervisorNames()), p, "hypervisor",
        "The hypervisor that runs the VM: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); generate prints"
          + " its arguments.");
    add(spec, option("--transport", "T", String.class)
            .completionCandidates(new PlanArgs.TransportNames()), p, "transport",
        "How host volumes reach the guest: ${COMPLETION-CANDIDATES} (default: " + PlanArgs.TRANSPORT_DEFAULT + ").");
    add(spec, option("--qemu-machine", "M", String.class).defaultValue("pc")
            .completionCandidates(new PlanArgs.QemuMachines()), p, "qemuMachine", PlanArgs.QEMU_MACHINE_HELP);
    add(spec, option("--share", "S", String.class), p, "share",
        "How host volumes are shared: per-volume (one 9p or virtio-fs device per volume; no host"
            + " privileges) or pod (every volume, single files too, is bind-mounted on the host into --share-dir,"
            + " and that one directory is shared; needs root) (default: per-volume, or pod with --share-dir).");
    add(spec, option("--share-dir", "DIR", Path.class), p, "shareDir",
        "The pod share's host directory, which kvmount owns: generate creates it if missing and refuses it"
            + " if it holds anything kvmount did not put there, verify checks its host binds, `kvmount release"
            + " --share-dir DIR` takes it down. Implies --share pod.");
    add(spec, option("--units-dir", "REL", String.class).defaultValue("usr/lib/systemd/system"), p, "unitsDir",
        "Where the unit files are, relative to the stage1 rootfs (default: ${DEFAULT-VALUE}).");
    add(spec, option("--image-manifest", "APP=FILE", Map.class).auxiliaryTypes(String.class, Path.class),
        p, "imageManifests",
        "The image manifest of app APP: its mount points, when the pod entry has no \"app\" section, and"
            + " its Docker annotation (appc.io/docker/repository: implicit volumes start as a copy of the image)."
            + " Input, not recorded: give it to verify and to every later generate too."
            + " Repeatable.");
    add(spec, option("--oci-bundle", "NAME=DIR", List.class).auxiliaryTypes(String.class), p, "ociBundles",
        "An OCI runtime bundle (a directory with config.json) as the app NAME of the pod, in place of"
            + " --pod-manifest. Repeatable: one per app, in pod order.");
    add(spec, option("--oci-rootfs", "R", String.class).defaultValue("share"), p, "ociRootfs",
        "With --oci-bundle, where each app rootfs comes from: share (the bundle's root.path, shared"
            + " and mounted at /opt/stage2/NAME/rootfs, read-only with root.readonly) or stage1 (already in the"
            + " stage1 rootfs there) (default: ${DEFAULT-VALUE}).");
    add(spec, option("--emit", "ROUTE", String.class).defaultValue("units")
            .completionCandidates(new PlanArgs.Routes()), p, "emit", PlanArgs.EMIT_HELP);
    add(spec, option("--security-model", "M", String.class).defaultValue("none"), p, "securityModel",
        "QEMU 9p security_model: none, passthrough, mapped-xattr, mapped-file (default: ${DEFAULT-VALUE}:"
            + " files keep their host owner and mode).");
    add(spec, option("--runtime-dir", "DIR", String.class), p, "runtimeDir", PlanArgs.RUNTIME_DIR_HELP);
    add(spec, option("--guest-memory", "SIZE", String.class).defaultValue("1G"), p, "guestMemory",
        "virtio-fs: the guest's memory, shared with virtiofsd; must equal the VM's memory"
            + " (default: ${DEFAULT-VALUE}).");
    add(spec, option("--virtiofsd", "PROGRAM", String.class).defaultValue("virtiofsd"), p, "virtiofsd",
        "virtio-fs: the virtiofsd program that serves the shares (generate prints its command lines)"
          + " (default: ${DEFAULT-VALUE}).");
    add(spec, option("--virtiofsd-sandbox", "MODE", String.class).defaultValue("namespace"), p, "virtiofsdSandbox",
        "virtio-fs: virtiofsd --sandbox: namespace (needs root), chroot or none (default: ${DEFAULT-VALUE}).");
    add(spec, option("--virtiofsd-cache", "POLICY", String.class).defaultValue("auto"), p, "virtiofsdCache",
        "virtio-fs: virtiofsd --cache: auto, always, never or metadata (default: ${DEFAULT-VALUE}).");
    add(spec, option("--9p-msize", "BYTES", int.class).defaultValue("512000"), p, "msize",
        "9p msize in bytes, 4096..512000 (default: ${DEFAULT-VALUE}, the virtio maximum).");
    add(spec, option("--9p-cache", "MODE", String.class).defaultValue("mmap"), p, "cache",
        "9p cache mode: none, loose, fscache, mmap (default: ${DEFAULT-VALUE}).");
    add(spec, option("--reserve-tag", "TAG", List.class).auxiliaryTypes(String.class), p, "reservedTags",
        "A mount tag already used by the VM (e.g. its root share); never given to a volume. Repeatable."
            + " Always reserved: kvm_9p, hostfs, rootfs, root, /dev/root.");
    add(spec, flag("--legacy-remount"), p, "legacyRemount",
        "For guests with util-linux < 2.27 (which ignores ro on bind mounts): read-only binds are made"
            + " read-only by a remount service (mount -o remount,bind,ro) that the app requires.");
    // GenerateCommand again, after the mixin.
    add(spec, flag("--force"), g, "force",
        "Take kvmount's version of files it would otherwise refuse to change (a file it did not write at"
            + " a path it writes, or one it wrote that was changed since): each is first copied to"
            + " <stage1 rootfs>/.kvmount/backup/<UTC time>/<its path> (a new directory each run, never an existing"
            + " backup), then replaced or removed. Nothing else is touched.");
    add(spec, flag("--allow-missing-sources"), g, "allowMissingSources",
        "Warn instead of failing when a host volume's source directory does not exist.");
    add(spec, flag("-q", "--quiet"), g, "quiet", "Print no warnings.");
    add(spec, flag("-v", "--verbose"), g, "verbose",
        "Also print to stderr what happens step by step: what was read, planned and written (each"
            + " file and directory), with timings.");
    add(spec, flag("--stacktrace"), g, "stacktrace", "Print a stack trace with errors (for bug reports).");
    // What mixinStandardHelpOptions adds, last as there (not through it: it reads annotations).
    add(spec, flag("-h", "--help").usageHelp(true).paramLabel("<helpRequested>")
            .descriptionKey("mixinStandardHelpOptions.help"), null, null, "Show this help message and exit.");
    add(spec, flag("-V", "--version").versionHelp(true).paramLabel("<versionRequested>")
            .descriptionKey("mixinStandardHelpOptions.version"), null, null, "Print version information and exit.");

    CommandLine cl = new CommandLine(spec);
    command.spec = cl.getCommandSpec();
    return cl;
  }

  /** The exit-code list of the usage help, as the annotation's {@code exitCodeList} reads. */
  private static Map<String, String> exitCodes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(" 0", "success");
    m.put(" 1", "I/O or runtime failure (earlier state left intact)");
    m.put(" 2", "usage error (bad options)");
    m.put(" 3", "invalid input (manifest or plan rejected, or files in the way that kvmount must not change; nothing"
        + " written)");
    m.put(" 4", "internal error (a bug: please report it)");
    return m;
  }

  private static OptionSpec.Builder option(String name, String label, Class<?> type) {
    return OptionSpec.builder(name).paramLabel(label).type(type);
  }

  private static OptionSpec.Builder flag(String... names) {
    // Arity left unset, as in an annotation: picocli then also takes "--flag=true".
    return OptionSpec.builder(names).type(boolean.class);
  }

  /**
   * Adds an option bound to {@code owner.field} (or to nothing, for the help options).
   *
   * @throws IllegalStateException if the field does not exist (a bug, caught by the tests)
   */
  private static void add(CommandSpec spec, OptionSpec.Builder b, Object owner, String field, String description) {
    b.description(description);
    if (b.descriptionKey() == null) {
      b.descriptionKey(""); // an annotation's default
    }
    if (owner != null) {
      Binding binding = new Binding(owner, field);
      if (b.paramLabel() == null) {
        b.paramLabel("<" + field + ">"); // an annotated flag's label: its field name
      }
      // The field's value now is its initial value, as for an annotated field: picocli puts it
      // back before each parse (false, 0, null or the empty collection).
      b.getter(binding).setter(binding).initialValue(binding.get());
    }
    spec.addOption(b.build());
  }

  /** Reads and writes one field of a command object (same package: no access checks to lift). */
  private static final class Binding implements IGetter, ISetter {
    private final Object owner;
    private final Field field;

    Binding(Object owner, String name) {
      this.owner = owner;
      try {
        this.field = owner.getClass().getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException("no field " + name + " in " + owner.getClass().getName(), e);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
      try {
        return (T) field.get(owner);
      } catch (IllegalAccessException e) {
        throw new PicocliException("cannot read " + field.getName(), e);
      }
    }

    @Override
    public <T> T set(T value) {
      try {
        T old = get();
        field.set(owner, value);
        return old;
      } catch (IllegalAccessException e) {
        throw new PicocliException("cannot set " + field.getName(), e);
      }
    }
  }
}
