package io.kvmount.oci;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of one bundle's {@code config.json} kvmount uses (runtime-spec config.md, "Root" and
 * "Mounts"). Immutable.
 *
 * @param ociVersion the {@code ociVersion} text, as written ({@code 1.0.2-dev})
 * @param root the bundle's root filesystem
 * @param mounts the mounts, in listed order (the order the runtime must mount them in)
 * @param warnings what the reader accepted but the caller should show the user, one line each in
 *     the shape of {@link OciException}'s message (such as an {@code ociVersion} newer than 1.3);
 *     usually empty
 * @param linux the parts of {@code linux} kvmount applies to the app rootfs ({@link Linux#NONE}
 *     when absent)
 */
public record OciConfig(
    String ociVersion, Root root, List<OciMount> mounts, List<String> warnings, Linux linux) {

  /**
   * The parts of {@code linux} (runtime-spec config-linux.md) that concern the app rootfs.
   *
   * @param rootfsPropagation {@code linux.rootfsPropagation} ({@code shared}, {@code slave},
   *     {@code private}, {@code unbindable}, or one of their {@code r} forms); empty when absent
   * @param maskedPaths {@code linux.maskedPaths}: absolute container paths hidden from the app,
   *     in listed order
   * @param readonlyPaths {@code linux.readonlyPaths}: absolute container paths made read-only, in
   *     listed order
   */
  public record Linux(Optional<String> rootfsPropagation, List<String> maskedPaths, List<String> readonlyPaths) {
    /** No {@code linux} section, or one without these fields. */
    public static final Linux NONE = new Linux(Optional.empty(), List.of(), List.of());

    /**
     * Copies the lists.
     *
     * @param rootfsPropagation the rootfs propagation, if given
     * @param maskedPaths the masked paths
     * @param readonlyPaths the read-only paths
     */
    public Linux {
      Objects.requireNonNull(rootfsPropagation, "rootfsPropagation");
      maskedPaths = List.copyOf(maskedPaths);
      readonlyPaths = List.copyOf(readonlyPaths);
    }
  }

  /**
   * The {@code root} object.
   *
   * @param path {@code root.path}: absolute, or relative to the bundle directory; never empty
   * @param readOnly {@code root.readonly} (false when absent)
   */
  public record Root(String path, boolean readOnly) {
    /**
     * Checks the path.
     *
     * @param path {@code root.path}
     * @param readOnly {@code root.readonly}
     * @throws NullPointerException if {@code path} is null
     */
    public Root {
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * Copies the mounts and warnings.
   *
   * @param ociVersion the {@code ociVersion} text
   * @param root the root filesystem
   * @param mounts the mounts, in listed order
   * @param warnings the reader's warnings, one line each
   * @param linux the rootfs parts of {@code linux}
   */
  public OciConfig {
    Objects.requireNonNull(linux, "linux");
    Objects.requireNonNull(ociVersion, "ociVersion");
    Objects.requireNonNull(root, "root");
    mounts = List.copyOf(mounts);
    warnings = List.copyOf(warnings);
  }

  /**
   * Creates a configuration without warnings.
   *
   * @param ociVersion the {@code ociVersion} text
   * @param root the root filesystem
   * @param mounts the mounts, in listed order
   */
  public OciConfig(String ociVersion, Root root, List<OciMount> mounts) {
    this(ociVersion, root, mounts, List.of(), Linux.NONE);
  }

  /**
   * Creates a configuration without a {@code linux} section.
   *
   * @param ociVersion the {@code ociVersion} text
   * @param root the root filesystem
   * @param mounts the mounts, in listed order
   * @param warnings the reader's warnings
   */
  public OciConfig(String ociVersion, Root root, List<OciMount> mounts, List<String> warnings) {
    this(ociVersion, root, mounts, warnings, Linux.NONE);
  }

  /**
   * One entry of {@code mounts} (runtime-spec schema/defs.json {@code Mount}).
   *
   * @param destination {@code destination}: where the mount goes in the container, as written
   *     (absolute, or, deprecated since 1.2.0, relative to {@code /})
   * @param source {@code source}: a host path for bind mounts (absolute, or relative to the bundle
   *     directory), a device or a dummy word otherwise; {@code Optional.empty()} when absent or
   *     null
   * @param type {@code type}: a filesystem type, or a dummy for bind mounts; {@code
   *     Optional.empty()} when absent or null
   * @param options {@code options}, in listed order (an empty list when absent or null)
   * @param uidMappings {@code uidMappings}: {@code Optional.empty()} when absent or null, an
   *     empty list for {@code []} (allowed since runtime-spec 1.2.0); given if and only if {@code
   *     gidMappings} is, when read by {@link OciReader}
   * @param gidMappings {@code gidMappings}, like {@code uidMappings}
   */
  public record OciMount(
      String destination,
      Optional<String> source,
      Optional<String> type,
      List<String> options,
      Optional<List<IdMapping>> uidMappings,
      Optional<List<IdMapping>> gidMappings) {

    /**
     * Copies the lists.
     *
     * @param destination where the mount goes in the container
     * @param source the source, if given
     * @param type the type, if given
     * @param options the options in listed order
     * @param uidMappings the per-mount uid mappings, if given
     * @param gidMappings the per-mount gid mappings, if given
     */
    public OciMount {
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(type, "type");
      options = List.copyOf(options);
      uidMappings = uidMappings.map(List::copyOf);
      gidMappings = gidMappings.map(List::copyOf);
    }

    /**
     * Whether this is a bind mount: runtime-spec (since 1.0.2) says a mount is a bind mount if and
     * only if its options contain {@code bind} or {@code rbind}.
     *
     * @return true for a bind mount
     */
    public boolean isBind() {
      return options.contains("bind") || options.contains("rbind");
    }
  }

  /**
   * One entry of {@code uidMappings} or {@code gidMappings}.
   *
   * @param containerId first id in the mount (0 to 4294967295)
   * @param hostId first id on the host (0 to 4294967295)
   * @param size how many ids (0 to 4294967295)
   */
  public record IdMapping(long containerId, long hostId, long size) {}
}
