package io.kvmount.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What kvmount does with each word of an OCI mount's {@code options} in a VM guest. Pure.
 *
 * <p>The words are runtime-spec's (config.md, "Linux mount options") and those runc and crun
 * accept:
 *
 * <ul>
 *   <li>{@code bind}, {@code rbind}: make the mount a bind mount (non-recursive, recursive);
 *   <li>{@code ro}/{@code rw}: the last one wins; read-only is also applied on the host side of
 *       the share;
 *   <li>{@link #FLAGS} (nosuid, nodev, noexec, the atime family, sync...): passed to the guest's
 *       mount as written;
 *   <li>the recursive {@code r} forms ({@code rro}, {@code rnosuid}...): the plain flag. In the
 *       guest a mount has no submounts when it is made (every mount below it is a unit ordered
 *       after it), and a share is one filesystem there, so the plain flag covers the whole tree;
 *   <li>{@link #PROPAGATION} ({@code rprivate}, {@code rslave}...): passed to the guest's mount,
 *       which applies them after mounting (util-linux mount(8) takes them as options);
 *   <li>{@code defaults}: nothing;
 *   <li>anything else is filesystem data, allowed per filesystem type ({@link #DATA}); a bind
 *       mount takes none.
 * </ul>
 *
 * Refused, with the reason: {@code remount} (there is nothing to remount), {@code idmap}/{@code
 * ridmap} (no per-mount id mapping in the guest), {@code copy-symlink}, {@code src-nofollow},
 * {@code dest-nofollow} (crun extensions kvmount cannot honour through a share), {@code
 * tmpcopyup} on anything but a tmpfs.
 */
public final class OciMountOptions {

  /** Flags passed to the guest's mount unchanged; each is also accepted with an {@code r} before it. */
  public static final Set<String> FLAGS = Set.of(
      "nosuid", "suid", "nodev", "dev", "noexec", "exec", "sync", "async", "dirsync",
      "noatime", "atime", "nodiratime", "diratime", "relatime", "norelatime", "strictatime",
      "nostrictatime", "lazytime", "nolazytime", "iversion", "noiversion", "nosymfollow", "symfollow",
      "silent", "loud", "mand", "nomand");

  /** Propagation words, passed to the guest's mount (which applies them after mounting). */
  public static final Set<String> PROPAGATION = Set.of(
      "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable");

  /**
   * Filesystem data each guest filesystem type takes (key before {@code =}, or the whole word),
   * as its kernel documentation lists them. A type not listed takes none.
   */
  public static final Map<String, Set<String>> DATA = Map.of(
      "tmpfs", Set.of("size", "nr_blocks", "nr_inodes", "mode", "uid", "gid", "huge", "mpol", "inode32", "inode64"),
      "devtmpfs", Set.of("size", "nr_inodes", "mode"),
      "devpts", Set.of("newinstance", "ptmxmode", "mode", "gid", "uid", "max"),
      "proc", Set.of("hidepid", "gid", "subset"),
      "cgroup2", Set.of("nsdelegate", "memory_recursiveprot", "favordynmods", "memory_localevents"));

  /** Words refused with their reason (besides {@code tmpcopyup}, refused where it does not apply); read by tests. */
  static final Map<String, String> REFUSED = Map.of(
      "remount", "a remount changes an existing mount, and kvmount makes each mount anew in the guest",
      "idmap", "per-mount id mapping is not supported: the guest's mounts of a share cannot map ids",
      "ridmap", "per-mount id mapping is not supported: the guest's mounts of a share cannot map ids",
      "copy-symlink", "a share carries the files a symlink points to, not the symlink itself",
      "src-nofollow", "a share follows the source's symlinks on the host",
      "dest-nofollow", "kvmount resolves the destination through the rootfs's symlinks, confined to it");

  private OciMountOptions() {}

  /**
   * The options of one mount, sorted out.
   *
   * @param bind whether {@code bind} or {@code rbind} is given
   * @param recursive whether {@code rbind} is given
   * @param readOnly the last of {@code ro}/{@code rw} (and their {@code r} forms) is read-only
   * @param guestOptions what the guest's mount gets besides {@code bind} and {@code ro}, in order
   *     (flags, propagation, data)
   * @param tmpcopyup whether {@code tmpcopyup} is given
   */
  public record Parsed(boolean bind, boolean recursive, boolean readOnly, List<String> guestOptions, boolean tmpcopyup) {
    /**
     * Copies the list.
     *
     * @param bind whether it is a bind mount
     * @param recursive whether {@code rbind} is given
     * @param readOnly whether the mount is read-only
     * @param guestOptions the guest mount's other options
     * @param tmpcopyup whether {@code tmpcopyup} is given
     */
    public Parsed {
      guestOptions = List.copyOf(guestOptions);
    }
  }

  /** A refused word: which one (index into the options) and why. */
  public static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    /** Index of the refused word in {@code options}. */
    public final int index;

    Refusal(int index, String reason) {
      super(reason);
      this.index = index;
    }
  }

  /**
   * Sorts out a mount's options.
   *
   * @param options the {@code options} array, in order
   * @param fsType the guest filesystem type ({@code tmpfs}, {@code cgroup2}...), or {@code null}
   *     for a bind mount (whose kind is known only once the options are read: pass {@code null}
   *     when {@link OciMountOptions#isBind} says so)
   * @return the sorted options
   * @throws Refusal for the first word kvmount cannot honour, with its index and the reason
   */
  public static Parsed parse(List<String> options, String fsType) throws Refusal {
    boolean bind = false;
    boolean recursive = false;
    boolean ro = false;
    boolean tmpcopyup = false;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < options.size(); i++) {
      String w = options.get(i);
      if (w.isEmpty()) {
        throw new Refusal(i, "an empty option; remove it");
      }
      if (w.indexOf(',') >= 0) {
        throw new Refusal(i, "an option with a comma inside; give each option as its own string");
      }
      if (w.equals("bind") || w.equals("rbind")) {
        bind = true;
        recursive |= w.equals("rbind");
        continue;
      }
      if (w.equals("ro") || w.equals("rro")) {
        ro = true;
        continue;
      }
      if (w.equals("rw") || w.equals("rrw")) {
        ro = false;
        continue;
      }
      if (w.equals("defaults")) {
        continue;
      }
      if (w.equals("tmpcopyup")) {
        if (!"tmpfs".equals(fsType)) {
          throw new Refusal(i, "\"tmpcopyup\" applies to a tmpfs only (it fills a new tmpfs from the rootfs); remove it");
        }
        tmpcopyup = true;
        continue;
      }
      String refused = REFUSED.get(w);
      if (refused != null) {
        throw new Refusal(i, "\"" + w + "\" cannot be honoured in a VM: " + refused + "; remove it");
      }
      if (FLAGS.contains(w)) {
        out.add(w);
        continue;
      }
      // w is not empty (refused above), and no flag is empty: a lone "r" is no flag's r form.
      if (w.charAt(0) == 'r' && FLAGS.contains(w.substring(1))) {
        out.add(w.substring(1));
        continue;
      }
      if (PROPAGATION.contains(w)) {
        out.add(w);
        continue;
      }
      int eq = w.indexOf('=');
      String key = eq < 0 ? w : w.substring(0, eq);
      if (fsType == null) {
        throw new Refusal(i, "\"" + w + "\" is neither a mount flag nor a propagation word, and a bind mount"
            + " takes no filesystem data; remove it, or correct its spelling");
      }
      Set<String> allowed = DATA.getOrDefault(fsType, Set.of());
      if (!allowed.contains(key)) {
        throw new Refusal(i, "\"" + w + "\" is not a mount flag, and " + fsType + " takes "
            + (allowed.isEmpty() ? "no filesystem data" : "only the data " + String.join(", ", new java.util.TreeSet<>(allowed)))
            + "; remove it, or correct its spelling");
      }
      String bad = valueProblem(key, eq < 0 ? null : w.substring(eq + 1));
      if (bad != null) {
        throw new Refusal(i, "\"" + w + "\": " + bad + ", or the guest's mount fails at boot; correct it");
      }
      out.add(w);
    }
    return new Parsed(bind, recursive, ro, out, tmpcopyup);
  }

  private static final java.util.regex.Pattern OCTAL = java.util.regex.Pattern.compile("0?[0-7]{1,4}");
  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[0-9]{1,10}");
  private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("[0-9]{1,19}[kKmMgGtTpPeE]?");
  private static final Set<String> NO_VALUE = Set.of("newinstance", "inode32", "inode64", "nsdelegate",
      "memory_recursiveprot", "favordynmods", "memory_localevents");

  /**
   * Checks a data option's value where the kernel's format is simple (its filesystem's
   * documentation): modes octal, ids and counts decimal, sizes a number with an optional {@code
   * k}/{@code m}/{@code g}... suffix (tmpfs {@code size} also a percentage). {@code mpol} is passed
   * on unchecked.
   *
   * @return what is wrong, or {@code null}
   */
  static String valueProblem(String key, String value) {
    if (NO_VALUE.contains(key)) {
      return value == null ? null : key + " takes no value";
    }
    if (key.equals("mpol")) {
      return value == null || value.isEmpty() ? "mpol needs a value (such as interleave)" : null;
    }
    if (value == null || value.isEmpty()) {
      return key + " needs a value";
    }
    switch (key) {
      case "mode", "ptmxmode" -> {
        return OCTAL.matcher(value).matches() ? null : key + " is an octal mode (such as 1777)";
      }
      case "uid", "gid" -> {
        return ID.matcher(value).matches() && Long.parseLong(value) <= 4294967294L
            ? null : key + " is a number from 0 to 4294967294";
      }
      case "max" -> {
        return ID.matcher(value).matches() ? null : key + " is a number";
      }
      case "size" -> {
        return SIZE.matcher(value).matches() || value.matches("[0-9]{1,3}%")
            ? null : "size is a number of bytes with an optional k, m or g (such as 64m), or a percentage";
      }
      case "nr_blocks", "nr_inodes" -> {
        return SIZE.matcher(value).matches() ? null : key + " is a number with an optional k, m or g";
      }
      case "huge" -> {
        return Set.of("never", "always", "within_size", "advise", "deny", "force").contains(value)
            ? null : "huge is one of never, always, within_size, advise";
      }
      case "hidepid" -> {
        return Set.of("0", "1", "2", "4", "off", "noaccess", "invisible", "ptraceable").contains(value)
            ? null : "hidepid is one of 0, 1, 2, 4, off, noaccess, invisible, ptraceable";
      }
      case "subset" -> {
        return value.equals("pid") ? null : "subset is pid";
      }
      default -> {
        return null;
      }
    }
  }

  /**
   * Whether options make a bind mount: runtime-spec (1.0.2 on) says a mount is a bind mount if and
   * only if its options contain {@code bind} or {@code rbind}.
   *
   * @param options the options
   * @return true for a bind mount
   */
  public static boolean isBind(List<String> options) {
    return options.contains("bind") || options.contains("rbind");
  }
}
