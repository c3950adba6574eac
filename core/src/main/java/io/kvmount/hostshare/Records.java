package io.kvmount.hostshare;

import io.kvmount.error.IoErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * kvmount's records of one share directory, kept beside it in {@code <parent>/.<name>.kvmount/}
 * (never inside it: the guest can write the share directory): the journal {@code journal}, one
 * {@code entry <name>} line per entry kvmount owns in the share directory, written before any
 * entry is made (intent) and replaced atomically (write, fsync, rename, fsync the directory); and
 * {@code stage/}, the mount point of the private staging tmpfs for read-only binds.
 */
final class Records {

  private static final String HEADER = "kvmount host share journal 1";

  private Records() {}

  /** The records directory of a share directory. */
  static Path dirOf(Path shareDir) {
    return shareDir.resolveSibling("." + shareDir.getFileName() + ".kvmount");
  }

  static Path journal(Path records) {
    return records.resolve("journal");
  }

  /** The temporary fstab file of {@code mount --all} (see {@link HostMounts#mountAll}). */
  static Path fstab(Path records) {
    return records.resolve("fstab.tmp");
  }

  static Path stage(Path records) {
    return records.resolve("stage");
  }

  /**
   * Reads the journal.
   *
   * @return the entry names, empty when there is no journal
   * @throws IOException when it cannot be read (the JDK's exception is the cause: {@link
   *     java.nio.file.AccessDeniedException} when not root) or is not kvmount's
   */
  static Optional<List<String>> read(Path records) throws IOException {
    Path j = journal(records);
    List<String> lines;
    if (Files.isSymbolicLink(j)) {
      throw new IOException("read kvmount's journal \"" + j + "\": is a symlink");
    }
    try {
      lines = Files.readAllLines(j, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IOException("read kvmount's journal \"" + j + "\": " + IoErrors.reason(e), e);
    }
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new IOException("read kvmount's journal \"" + j + "\": not kvmount's (bad header)");
    }
    List<String> names = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      if (!l.startsWith("entry ") || !l.substring(6).matches("[a-z0-9._-]{1,64}")) {
        throw new IOException("read kvmount's journal \"" + j + "\": malformed line \"" + l + "\"");
      }
      names.add(l.substring(6));
    }
    return Optional.of(names);
  }

  /**
   * Creates the records directory (mode 0700) when missing and replaces the journal atomically.
   *
   * @param records the records directory
   * @param names the entry names
   * @throws IOException when writing fails
   */
  static void write(Path records, List<String> names) throws IOException {
    try {
      if (!Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(
            records,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      StringBuilder sb = new StringBuilder(HEADER).append('\n');
      for (String n : names) {
        sb.append("entry ").append(n).append('\n');
      }
      Path tmp = records.resolve("journal.tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, journal(records), StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel d = FileChannel.open(records, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new IOException(
          "write kvmount's journal in \"" + records + "\": " + IoErrors.reason(e), e);
    }
  }

  /**
   * Removes the records directory: the journal, a temporary journal and the (unmounted) staging
   * mount point. Anything else in it is left, and the directory with it.
   *
   * @return the paths removed
   * @throws IOException when a removal fails
   */
  static List<Path> remove(Path records) throws IOException {
    List<Path> removed = new ArrayList<>();
    for (Path p : List.of(stage(records), fstab(records), records.resolve("journal.tmp"), journal(records), records)) {
      try {
        if (Files.deleteIfExists(p)) {
          removed.add(p);
        }
      } catch (IOException e) {
        throw new IOException("remove \"" + p + "\": " + IoErrors.reason(e), e);
      }
    }
    return removed;
  }
}
