package io.kvmount.hypervisor;

import java.util.Set;

/**
 * Backend options that do not come from the manifest.
 *
 * @param securityModel QEMU 9p {@code security_model}: {@code none} (the default: files keep their
 *     host owner and mode, and the guest's chown/chmod reach the host when QEMU runs as root and
 *     are otherwise ignored without an error), {@code passthrough} (the same, but failures are
 *     errors), {@code mapped-xattr} or {@code mapped-file} (guest ownership kept in extended
 *     attributes or hidden files; host files stay owned by QEMU's user)
 * @param runtimeDir absolute directory for virtio-fs sockets ({@code <runtimeDir>/<tag>.sock}); use
 *     one per pod
 * @param guestMemory guest memory size for virtio-fs's shared memory backend, in QEMU/cloud-
 *     hypervisor size syntax: a number with an optional {@code K}, {@code M} or {@code G} suffix
 *     ({@code 1G}); it must equal the VM's memory ({@code -m} / {@code --memory size=})
 * @param virtiofsd the virtiofsd program to run (a path or a name looked up in {@code PATH})
 * @param virtiofsdSandbox virtiofsd {@code --sandbox}: {@code namespace} (default: needs root;
 *     pivot_root into the shared directory), {@code chroot}, or {@code none}
 * @param virtiofsdCache virtiofsd {@code --cache}: {@code auto} (default), {@code always},
 *     {@code never} or {@code metadata}
 * @param qemuMachine the QEMU machine type the VM runs, {@code pc} (the default, what QEMU uses
 *     without {@code -M}) or {@code q35}; it decides the PCI bus and bridge kind {@link Qemu}
 *     places many shares on. kvmount never prints {@code -M}: the VM's command line owns it
 */
public record HypervisorOptions(
    String securityModel,
    String runtimeDir,
    String guestMemory,
    String virtiofsd,
    String virtiofsdSandbox,
    String virtiofsdCache,
    String qemuMachine) {

  /** QEMU's 9p security models. */
  public static final Set<String> SECURITY_MODELS = Set.of("none", "passthrough", "mapped-xattr", "mapped-file");

  /** virtiofsd sandbox modes. */
  public static final Set<String> SANDBOXES = Set.of("namespace", "chroot", "none");

  /** virtiofsd cache policies. */
  public static final Set<String> CACHES = Set.of("auto", "always", "never", "metadata");

  /** The QEMU machine types kvmount can place devices on. */
  public static final Set<String> QEMU_MACHINES = Set.of("pc", "q35");

  /**
   * Validates the options.
   *
   * @param securityModel QEMU 9p {@code security_model}: {@code none} (the default: files keep their host owner and mode, and the guest's chown/chmod reach the host when QEMU runs as root and are otherwise ignored without an error), {@code passthrough} (the same, but failures are errors), {@code mapped-xattr} or {@code mapped-file} (guest ownership kept in extended attributes or hidden files; host files stay owned by QEMU's user)
   * @param runtimeDir absolute directory for virtio-fs sockets ({@code <runtimeDir>/<tag>.sock}); use one per pod
   * @param guestMemory guest memory size for virtio-fs's shared memory backend, in QEMU/cloud- hypervisor size syntax: a number with an optional {@code K}, {@code M} or {@code G} suffix ({@code 1G}); it must equal the VM's memory ({@code -m} / {@code --memory size=})
   * @param virtiofsd the virtiofsd program to run (a path or a name looked up in {@code PATH})
   * @param virtiofsdSandbox virtiofsd {@code --sandbox}: {@code namespace} (default: needs root; pivot_root into the shared directory), {@code chroot}, or {@code none}
   * @param virtiofsdCache virtiofsd {@code --cache}: {@code auto} (default), {@code always}, {@code never} or {@code metadata}
   * @param qemuMachine the QEMU machine type, {@code pc} or {@code q35}
   * @throws IllegalArgumentException with a one-line reason for an unknown security model,
   *     sandbox, cache or QEMU machine, a relative runtime directory, or a malformed memory size
   */
  public HypervisorOptions {
    check(SECURITY_MODELS, securityModel, "security model");
    check(QEMU_MACHINES, qemuMachine, "QEMU machine");
    check(SANDBOXES, virtiofsdSandbox, "virtiofsd sandbox");
    check(CACHES, virtiofsdCache, "virtiofsd cache");
    if (!runtimeDir.startsWith("/") || runtimeDir.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("runtime directory \"" + runtimeDir + "\" must be an absolute path");
    }
    if (!guestMemory.matches("[1-9][0-9]{0,9}[KMG]?")) {
      throw new IllegalArgumentException(
          "guest memory \"" + guestMemory + "\" must be a number with an optional K, M or G suffix, such as 1G");
    }
    if (virtiofsd.isEmpty()) {
      throw new IllegalArgumentException("virtiofsd program must not be empty");
    }
  }

  /**
   * The options with QEMU machine {@code pc}, as before {@code --qemu-machine} existed.
   *
   * @param securityModel QEMU 9p {@code security_model}
   * @param runtimeDir absolute directory for virtio-fs sockets
   * @param guestMemory guest memory size for virtio-fs's shared memory backend
   * @param virtiofsd the virtiofsd program
   * @param virtiofsdSandbox virtiofsd {@code --sandbox}
   * @param virtiofsdCache virtiofsd {@code --cache}
   * @throws IllegalArgumentException as the canonical constructor
   */
  public HypervisorOptions(
      String securityModel,
      String runtimeDir,
      String guestMemory,
      String virtiofsd,
      String virtiofsdSandbox,
      String virtiofsdCache) {
    this(securityModel, runtimeDir, guestMemory, virtiofsd, virtiofsdSandbox, virtiofsdCache, "pc");
  }

  /**
   * Returns these options with another QEMU machine type.
   *
   * @param machine {@code pc} or {@code q35}
   * @return a copy with {@link #qemuMachine()} set
   * @throws IllegalArgumentException for any other machine type
   */
  public HypervisorOptions withQemuMachine(String machine) {
    return new HypervisorOptions(
        securityModel, runtimeDir, guestMemory, virtiofsd, virtiofsdSandbox, virtiofsdCache, machine);
  }

  private static void check(Set<String> allowed, String value, String what) {
    if (!allowed.contains(value)) {
      throw new IllegalArgumentException(
          what + " \"" + value + "\" is not one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
    }
  }

  /**
   * Returns the defaults.
   *
   * @return security model {@code none}, runtime directory {@code /run/kvmount}, guest memory
   *     {@code 1G}, {@code virtiofsd} with sandbox {@code namespace} and cache {@code auto}, QEMU
   *     machine {@code pc}
   */
  public static HypervisorOptions defaults() {
    return new HypervisorOptions("none", "/run/kvmount", "1G", "virtiofsd", "namespace", "auto", "pc");
  }

  /**
   * Returns the virtio-fs socket path for a tag.
   *
   * @param tag the mount tag
   * @return {@code <runtimeDir>/<tag>.sock}
   */
  public String socketPath(String tag) {
    return (runtimeDir.endsWith("/") ? runtimeDir : runtimeDir + "/") + tag + ".sock";
  }
}
