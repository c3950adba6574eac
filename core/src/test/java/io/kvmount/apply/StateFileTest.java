package io.kvmount.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.path.GuestPath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The state file's order and round trip, on seeded random paths. */
class StateFileTest {

  static Stream<Long> seeds() {
    return IntStream.range(0, 20).mapToObj(i -> 0x57a7eL + i);
  }

  /** Components with characters below and above '/' so that text and component order could differ. */
  private static List<GuestPath> randomPaths(Random r, int n) {
    String[] parts = {"a", "a-b", "a b", "a.b", "a!", "ab", "b", "é", "a\u0001", "z", "A", "0"};
    List<GuestPath> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GuestPath p = GuestPath.ROOT;
      int depth = 1 + r.nextInt(4);
      for (int k = 0; k < depth; k++) {
        p = p.resolve(parts[r.nextInt(parts.length)]);
      }
      out.add(p);
    }
    return out;
  }

  /** 200 random paths in random order. */
  private static List<GuestPath> shuffledPaths(Random r) {
    List<GuestPath> paths = randomPaths(r, 200);
    Collections.shuffle(paths, r);
    return paths;
  }

  /** A hash for each path (sometimes two, when {@code twoSometimes}: a run in progress). */
  private static Map<GuestPath, SortedSet<String>> randomFiles(Random r, List<GuestPath> paths, boolean twoSometimes) {
    Map<GuestPath, SortedSet<String>> files = new java.util.LinkedHashMap<>();
    for (GuestPath p : paths) {
      TreeSet<String> shas = new TreeSet<>();
      shas.add(String.format("%064x", r.nextInt(1000)));
      if (twoSometimes && r.nextBoolean()) {
        shas.add(String.format("%064x", 1000 + r.nextInt(1000)));
      }
      files.put(p, shas);
    }
    return files;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void sorted_isGuestPathOrder(long seed) {
    List<GuestPath> paths = randomPaths(new Random(seed), 300);
    Set<GuestPath> set = new LinkedHashSet<>(paths);
    GuestPath[] expected = set.toArray(new GuestPath[0]);
    Arrays.sort(expected);
    assertThat(StateFile.sorted(set)).containsExactly(expected);
    // already in order: returned as is
    assertThat(StateFile.sorted(new LinkedHashSet<>(Arrays.asList(expected)))).containsExactly(expected);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void toBytes_parse_roundTrip_sameBytesWhateverTheInsertionOrder(long seed) throws Exception {
    Random r = new Random(seed);
    List<GuestPath> paths = randomPaths(r, 200);
    Map<GuestPath, SortedSet<String>> files = new java.util.LinkedHashMap<>();
    for (GuestPath p : paths) {
      files.computeIfAbsent(p, k -> new TreeSet<>()).add(String.format("%064x", r.nextInt(1000)));
    }
    StateFile a = new StateFile(files, new LinkedHashSet<>(paths.subList(0, 20)), new LinkedHashSet<>(paths.subList(20, 40)),
        new LinkedHashSet<>(paths.subList(40, 60)));
    List<GuestPath> shuffled = new ArrayList<>(paths);
    Collections.shuffle(shuffled, r);
    Map<GuestPath, SortedSet<String>> files2 = new java.util.HashMap<>();
    for (GuestPath p : shuffled) {
      files2.put(p, files.get(p));
    }
    StateFile b = new StateFile(files2, new java.util.HashSet<>(paths.subList(0, 20)), new java.util.HashSet<>(paths.subList(20, 40)),
        new java.util.HashSet<>(paths.subList(40, 60)));
    assertThat(new String(b.toBytes(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(new String(a.toBytes(), java.nio.charset.StandardCharsets.UTF_8));
    StateFile back = StateFile.parse(a.toBytes(), "test");
    assertThat(back.toBytes()).isEqualTo(a.toBytes());
    assertThat(back.files()).isEqualTo(files);
    assertThat(back.staging()).containsExactlyInAnyOrderElementsOf(new LinkedHashSet<>(paths.subList(40, 60)));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void journalBytes_parseToTheSameState_inInsertionOrder(long seed) throws Exception {
    Random r = new Random(seed);
    List<GuestPath> paths = shuffledPaths(r);
    Map<GuestPath, SortedSet<String>> files = randomFiles(r, paths.subList(60, 200), true);
    StateFile a = new StateFile(files, new LinkedHashSet<>(paths.subList(0, 20)), new LinkedHashSet<>(paths.subList(20, 40)),
        new LinkedHashSet<>(paths.subList(40, 60)));
    byte[] journal = a.toJournalBytes();
    StateFile back = StateFile.parse(journal, "test");
    assertThat(back.files()).isEqualTo(files);
    assertThat(back.dirs()).isEqualTo(a.dirs());
    assertThat(back.mkdirs()).isEqualTo(a.mkdirs());
    assertThat(back.staging()).isEqualTo(a.staging());
    assertThat(back.toBytes()).isEqualTo(a.toBytes());
    // Not sorted: the lines of each kind come in the order the collections give them.
    List<String> mkdirLines = new ArrayList<>();
    for (String line : new String(journal, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("mkdir ")) {
        mkdirLines.add(line.substring("mkdir ".length()));
      }
    }
    List<String> expected = new ArrayList<>();
    for (GuestPath p : new LinkedHashSet<>(paths.subList(20, 40))) {
      expected.add(p.relativeString());
    }
    assertThat(mkdirLines).isEqualTo(expected);
  }

  /**
   * The journal of a run on a new stage1 rootfs is the final state's bytes followed by the new
   * directories and the staging directory ({@link StateFile#journalOf}): it must read back as the
   * same state as the journal written from the whole pending state.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void journalOfFinalBytes_parsesAsThePendingState(long seed) throws Exception {
    Random r = new Random(seed);
    List<GuestPath> paths = shuffledPaths(r);
    Map<GuestPath, SortedSet<String>> files = randomFiles(r, paths.subList(60, 200), false);
    Set<GuestPath> dirs = new LinkedHashSet<>(paths.subList(0, 20));
    Set<GuestPath> mkdirs = new LinkedHashSet<>(paths.subList(20, 40));
    Set<GuestPath> staging = r.nextBoolean() ? Set.of(paths.get(40)) : Set.of();
    StateFile pending = new StateFile(files, dirs, mkdirs, staging);
    byte[] finalBytes = new StateFile(files, dirs, Set.of(), Set.of()).toBytes();

    byte[] journal = StateFile.journalOf(finalBytes, mkdirs, staging);

    StateFile back = StateFile.parse(journal, "test");
    assertThat(back).isEqualTo(StateFile.parse(pending.toJournalBytes(), "test"));
    assertThat(back.mkdirs()).isEqualTo(mkdirs);
    assertThat(back.staging()).isEqualTo(staging);
    String text = new String(journal, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text).startsWith(StateFile.HEADER + "\n").endsWith("\n");
    assertThat(text.split(java.util.regex.Pattern.quote(StateFile.HEADER), -1)).hasSize(2); // one header
  }
  /**
   * File mount points kvmount created: their lines come last, sorted, so that a completed run's
   * state is the plan's state followed by them ({@link StateFile#finalBytes}); they read back from
   * both forms, and the lenient read for {@code kvmount verify} skips them without a finding.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void fileMountPoints_lastSortedLines_roundTrip_andLenientReadSkipsThem(long seed) throws Exception {
    Random r = new Random(seed);
    List<GuestPath> paths = shuffledPaths(r);
    Map<GuestPath, SortedSet<String>> files = randomFiles(r, paths.subList(60, 200), false);
    Set<GuestPath> dirs = new LinkedHashSet<>(paths.subList(0, 20));
    Set<GuestPath> fileMountPoints = new LinkedHashSet<>(paths.subList(20, 60));
    StateFile full = new StateFile(files, dirs, Set.of(), Set.of(), fileMountPoints);
    byte[] planBytes = new StateFile(files, dirs, Set.of(), Set.of()).toBytes();

    String text = new String(full.toBytes(), java.nio.charset.StandardCharsets.UTF_8);
    String planText = new String(planBytes, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text).startsWith(planText);
    List<String> rest = new ArrayList<>();
    for (String line : text.substring(planText.length()).split("\n")) {
      assertThat(line).startsWith("mount-point-file ");
      rest.add(line.substring("mount-point-file ".length()));
    }
    List<String> expected = new ArrayList<>();
    for (GuestPath p : StateFile.sorted(fileMountPoints)) {
      expected.add(p.relativeString());
    }
    assertThat(rest).isEqualTo(expected);

    assertThat(StateFile.parse(full.toBytes(), "test").fileMountPoints()).isEqualTo(fileMountPoints);
    assertThat(StateFile.parse(full.toJournalBytes(), "test").fileMountPoints()).isEqualTo(fileMountPoints);
    assertThat(StateFile.parse(full.toJournalBytes(), "test").toBytes()).isEqualTo(full.toBytes());
    List<String> findings = new ArrayList<>();
    StateFile lenient =
        StateFile.readLeniently(
            full.toBytes(),
            new StateFile.LineFindings() {
              @Override
              public void malformed(int line, String why) {
                findings.add(line + ": " + why);
              }

              @Override
              public void unfinished(int line, String entry) {
                findings.add(line + ": " + entry);
              }
            });
    assertThat(findings).isEmpty();
    assertThat(lenient.files()).isEqualTo(files);
  }
}
