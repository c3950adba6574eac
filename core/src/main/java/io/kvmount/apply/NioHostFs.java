package io.kvmount.apply;

import io.kvmount.plan.GuestFs;
import io.kvmount.plan.HostFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The planner's view of the host through {@code java.nio.file}: what a bind source is (following
 * symlinks, as a bind mount does) and a {@link NioGuestFs} over a bundle's root filesystem or a
 * bind source. Reads only; thread-safe.
 */
public final class NioHostFs implements HostFs {

  /** Creates the view. */
  public NioHostFs() {}

  /**
   * Tells what a host path is, following symlinks.
   *
   * @param hostPath an absolute host path
   * @return {@link HostFs.SourceKind#MISSING} for nothing or a dangling link, else its kind
   * @throws IOException if it cannot be read for another reason than its absence
   */
  @Override
  public SourceKind kind(String hostPath) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(Path.of(hostPath), BasicFileAttributes.class);
    } catch (java.nio.file.NoSuchFileException | InvalidPathException e) {
      return SourceKind.MISSING;
    } catch (java.nio.file.FileSystemException e) {
      // A component that is a file, or a link loop: nothing a bind could use.
      if (e.getReason() != null && (e.getReason().contains("Not a directory") || e.getReason().contains("symbolic links"))) {
        return SourceKind.MISSING;
      }
      throw e;
    }
    return a.isDirectory() ? SourceKind.DIRECTORY : a.isRegularFile() ? SourceKind.FILE : SourceKind.OTHER;
  }

  /**
   * A view of a host directory, paths relative to it.
   *
   * @param hostDir an absolute host directory
   * @return a {@link NioGuestFs} rooted there
   */
  @Override
  public GuestFs directory(String hostDir) {
    return new NioGuestFs(Path.of(hostDir));
  }
}
