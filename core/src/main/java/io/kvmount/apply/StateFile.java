package io.kvmount.apply;

import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The record of what kvmount owns in one stage1 rootfs, kept in {@code .kvmount/state}. Text, one
 * entry per line, sorted, so that the same plan always gives the same bytes:
 *
 * <pre>
 * # kvmount state 1: files kvmount wrote into this stage1 rootfs; do not edit
 * file &lt;sha256 hex&gt; &lt;path&gt;     a file kvmount wrote, with the SHA-256 of what it wrote
 * dir &lt;path&gt;                  a drop-in directory that holds such files (removed when empty)
 * mkdir &lt;path&gt;                a directory a run that did not finish was creating
 * staging &lt;path&gt;              a staging directory a run that did not finish was using
 * </pre>
 *
 * <p>Paths are relative to the stage1 rootfs. A file may be listed with several hashes while a run
 * is in progress (its old and its new content); {@code mkdir} and {@code staging} lines only appear
 * then. A completed run leaves {@code file} and {@code dir} lines only.
 *
 * <p>Immutable and thread-safe.
 *
 * @param files each managed file and the hashes of the contents kvmount wrote to it
 * @param dirs drop-in directories kvmount keeps for its files
 * @param mkdirs directories an interrupted run was creating
 * @param staging staging directories an interrupted run was using
 */
record StateFile(
    Map<GuestPath, SortedSet<String>> files,
    Set<GuestPath> dirs,
    Set<GuestPath> mkdirs,
    Set<GuestPath> staging) {

  static final String HEADER =
      "# kvmount state 1: files kvmount wrote into this stage1 rootfs; do not edit";

  static final StateFile EMPTY =
      new StateFile(new HashMap<>(), new HashSet<>(), new HashSet<>(), new HashSet<>());

  /**
   * Wraps the collections read-only. They are taken over, not copied (a 1,000-app state has
   * 11,000 entries, built twice per run): callers, all in this package, hand over collections
   * they never change afterwards. Any kind of map and set will do: {@link #toBytes()} sorts.
   */
  StateFile {
    files = Collections.unmodifiableMap(files);
    dirs = Collections.unmodifiableSet(dirs);
    mkdirs = Collections.unmodifiableSet(mkdirs);
    staging = Collections.unmodifiableSet(staging);
  }

  /** Returns whether {@code sha} is one of the contents kvmount wrote to {@code path}. */
  boolean wrote(GuestPath path, String sha) {
    Set<String> s = files.get(path);
    return s != null && s.contains(sha);
  }

  /** Serialises the state, entries sorted by path; same state, same bytes. */
  byte[] toBytes() {
    return serialize(true);
  }

  /**
   * Serialises the state with the entries of each kind in the collections' own iteration order,
   * not sorted: for the record a run writes before it changes anything (the journal), which only
   * {@link #parse} reads back and which a completed run always replaces with {@link #toBytes()}.
   * {@link #parse} gives the same state from either.
   */
  byte[] toJournalBytes() {
    return serialize(false);
  }

  private byte[] serialize(boolean sort) {
    // Sized by an estimate (no extra pass): 100 bytes per entry covers typical paths.
    int size = (int) Math.min(1L << 26, 64 + 100L * (files.size() + dirs.size() + mkdirs.size() + staging.size()));
    StringBuilder sb = new StringBuilder(size).append(HEADER).append('\n');
    for (GuestPath f : sort ? sorted(files.keySet()) : files.keySet().toArray(new GuestPath[0])) {
      fileLines(sb, f, files.get(f));
    }
    lines(sb, "dir ", sort ? sorted(dirs) : dirs.toArray(new GuestPath[0]));
    lines(sb, "mkdir ", sort ? sorted(mkdirs) : mkdirs.toArray(new GuestPath[0]));
    lines(sb, "staging ", sort ? sorted(staging) : staging.toArray(new GuestPath[0]));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The lines of one file. Its own method, as is {@link #line}: called once per entry, it is
   * compiled early, where the body of a loop over 10,000 entries would run interpreted.
   */
  private static void fileLines(StringBuilder sb, GuestPath f, Set<String> shas) {
    for (String sha : shas) {
      sb.append("file ").append(sha).append(' ').append(f.relativeString()).append('\n');
    }
  }

  private static void lines(StringBuilder sb, String kind, GuestPath[] paths) {
    for (GuestPath d : paths) {
      line(sb, kind, d);
    }
  }

  private static void line(StringBuilder sb, String kind, GuestPath d) {
    sb.append(kind).append(d.relativeString()).append('\n');
  }

  /**
   * Parses a state file.
   *
   * @param bytes the file's content
   * @param where the file's name for messages
   * @return the state
   * @throws IOException if a line is malformed (the message names the line and says how to recover)
   */
  static StateFile parse(byte[] bytes, String where) throws IOException {
    Map<GuestPath, SortedSet<String>> files = new HashMap<>();
    Set<GuestPath> dirs = new HashSet<>();
    Set<GuestPath> mkdirs = new HashSet<>();
    Set<GuestPath> staging = new HashSet<>();
    String text = new String(bytes, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sp = line.indexOf(' ');
      String kind = sp < 0 ? line : line.substring(0, sp);
      String rest = sp < 0 ? "" : line.substring(sp + 1);
      try {
        switch (kind) {
          case "file":
            {
              int sp2 = rest.indexOf(' ');
              if (sp2 != 64 || !rest.substring(0, 64).matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("expected a SHA-256 in hex");
              }
              files
                  .computeIfAbsent(path(rest.substring(65)), k -> new TreeSet<>())
                  .add(rest.substring(0, 64));
              break;
            }
          case "dir":
            dirs.add(path(rest));
            break;
          case "mkdir":
            mkdirs.add(path(rest));
            break;
          case "staging":
            staging.add(path(rest));
            break;
          default:
            throw new IllegalArgumentException("unknown entry \"" + kind + "\"");
        }
      } catch (IllegalArgumentException e) {
        throw new IOException(
            "read kvmount state \""
                + where
                + "\": line "
                + (i + 1)
                + " is malformed ("
                + e.getMessage()
                + "); remove the file to make kvmount forget which files it wrote");
      }
    }
    return new StateFile(files, dirs, mkdirs, staging);
  }

  /**
   * The paths in {@link GuestPath} order. Callers mostly hand over paths already in that order
   * (one pass checks it); otherwise they are sorted by their text with {@code /} read as the
   * smallest character, which is the same order (components never contain NUL), and cheaper to
   * compare than component by component.
   */
  static GuestPath[] sorted(Set<GuestPath> paths) {
    GuestPath[] a = paths.toArray(new GuestPath[0]);
    boolean inOrder = true;
    for (int i = 1; i < a.length && inOrder; i++) {
      inOrder = a[i - 1].compareTo(a[i]) < 0;
    }
    if (!inOrder) {
      Keyed[] k = new Keyed[a.length];
      for (int i = 0; i < a.length; i++) {
        k[i] = new Keyed(a[i].relativeString().replace('/', '\0'), a[i]);
      }
      Arrays.sort(k);
      for (int i = 0; i < a.length; i++) {
        a[i] = k[i].path;
      }
    }
    return a;
  }

  /** A path with its sort key. */
  private static final class Keyed implements Comparable<Keyed> {
    final String key;
    final GuestPath path;

    Keyed(String key, GuestPath path) {
      this.key = key;
      this.path = path;
    }

    @Override
    public int compareTo(Keyed o) {
      return key.compareTo(o.key);
    }
  }

  private static GuestPath path(String rel) {
    if (rel.isEmpty()) {
      throw new IllegalArgumentException("empty path");
    }
    GuestPath p = GuestPath.parse("/" + rel);
    if (p.isRoot() || !p.relativeString().equals(rel)) {
      throw new IllegalArgumentException("path \"" + rel + "\" is not normalised");
    }
    return p;
  }
}
