package io.kvmount.sealed;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a sealed route hands the guest, rendered: the {@code fstab.extra} credential's text
 * ({@code --emit credentials}) or the kernel command line words ({@code --emit cmdline}), with the
 * plan they came from. Immutable and thread-safe.
 *
 * @param plan the fstab entries and what the image must contain
 * @param fstab the credential's text, present with {@code --emit credentials}
 * @param cmdline the {@code systemd.mount-extra=} words, non-empty only with {@code --emit cmdline}
 * @param guestSystemd the image's systemd version, when it could be found
 */
public record Handover(SealedPlan plan, Optional<String> fstab, List<String> cmdline, OptionalInt guestSystemd) {

  /**
   * Copies the words.
   *
   * @param plan the fstab entries and what the image must contain
   * @param fstab the credential's text, with {@code --emit credentials}
   * @param cmdline the kernel command line words, with {@code --emit cmdline}
   * @param guestSystemd the image's systemd version, when found
   */
  public Handover {
    cmdline = List.copyOf(cmdline);
  }
}
