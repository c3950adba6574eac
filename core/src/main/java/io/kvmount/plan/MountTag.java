package io.kvmount.plan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one function that gives each shared volume its mount tag. The tag is what the hypervisor
 * argument announces and what the guest's mount unit names in {@code What=}, so both are built
 * from the value this returns (fault class: tag and {@code What=} disagree).
 *
 * <p>Rules: a volume name that fits the backend's limit (in UTF-8 bytes) and is not reserved is
 * used as is, so {@code --9p=src1,foo} keeps rkt's shape. A longer name becomes a readable prefix
 * of the name, a {@code -}, and 8 hex digits of the SHA-256 of the name. After deriving, every tag
 * is checked against the reserved tags and the tags already given; on a collision the hash input
 * gets a counter until the tag is free. Deterministic: the same names in the same order give the
 * same tags.
 */
public final class MountTag {

  /** Tags the guest or hypervisors commonly use for themselves and never given to a volume. */
  public static final Set<String> DEFAULT_RESERVED = Set.of("kvm_9p", "hostfs", "rootfs", "root", "/dev/root");

  private static final int HASH_HEX = 8;

  private MountTag() {}

  /**
   * Assigns tags to volumes.
   *
   * @param volumeNames the names of the shared volumes, in manifest order, unique
   * @param maxBytes the backend's longest tag in bytes (QEMU 9p 31, kvmtool 32, virtio-fs 36);
   *     at least 12
   * @param reserved tags that must not be used
   * @return volume name to tag, in the input order
   * @throws IllegalArgumentException if {@code maxBytes} is below 12
   */
  public static Map<String, String> assign(List<String> volumeNames, int maxBytes, Set<String> reserved) {
    if (maxBytes < HASH_HEX + 4) {
      throw new IllegalArgumentException("tag limit " + maxBytes + " is too small");
    }
    Map<String, String> out = new LinkedHashMap<>();
    Set<String> used = new HashSet<>(reserved);
    List<String> needHash = new ArrayList<>();
    // First pass: names that fit keep themselves, so a short name is never displaced by a hash.
    for (String name : volumeNames) {
      if (bytes(name) <= maxBytes && !reserved.contains(name) && used.add(name)) {
        out.put(name, name);
      } else {
        needHash.add(name);
      }
    }
    for (String name : needHash) {
      String tag = hashed(name, maxBytes, 0);
      for (int n = 1; used.contains(tag); n++) {
        tag = hashed(name, maxBytes, n);
      }
      used.add(tag);
      out.put(name, tag);
    }
    // Restore manifest order.
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String name : volumeNames) {
      ordered.put(name, out.get(name));
    }
    return ordered;
  }

  private static String hashed(String name, int maxBytes, int attempt) {
    String input = attempt == 0 ? name : name + "#" + attempt;
    String hex = sha256Hex(input).substring(0, HASH_HEX);
    int room = maxBytes - HASH_HEX - 1;
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      String ch = new String(Character.toChars(cp));
      if (bytes(prefix.toString()) + bytes(ch) > room) {
        break;
      }
      prefix.append(ch);
      i += Character.charCount(cp);
    }
    int end = prefix.length();
    while (end > 0 && prefix.charAt(end - 1) == '-') {
      end--; // "name-" + "-" + hash would read as a doubled separator
    }
    return prefix.substring(0, end) + "-" + hex;
  }

  static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String sha256Hex(String s) {
    return io.kvmount.digest.Sha256.hexOfUtf8(s);
  }
}
