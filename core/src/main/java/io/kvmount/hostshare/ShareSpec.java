package io.kvmount.hostshare;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The desired pod share: the directory on the host that kvmount owns and the binds in it.
 * Immutable and thread-safe.
 *
 * @param shareDir the share directory, as the user gave it ({@code --share-dir}); {@link
 *     PodShare#analyse} requires it absolute and its parent existing
 * @param binds the binds, in the caller's order (the order of the report); names unique
 * @throws IllegalArgumentException when two binds have one name (a caller's bug)
 */
public record ShareSpec(Path shareDir, List<HostBind> binds) {

  /** Copies the list and checks that names are unique. */
  public ShareSpec {
    Objects.requireNonNull(shareDir, "shareDir");
    binds = List.copyOf(binds);
    Set<String> seen = new HashSet<>();
    for (HostBind b : binds) {
      if (!seen.add(b.name())) {
        throw new IllegalArgumentException("duplicate host bind name \"" + b.name() + "\"");
      }
    }
  }
}
