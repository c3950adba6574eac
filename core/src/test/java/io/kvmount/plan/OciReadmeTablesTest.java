package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's tables of OCI mount options and filesystem types (section "OCI runtime bundles",
 * between {@code <!-- oci-options-table -->} and {@code <!-- oci-types-table -->} markers) say
 * what {@link OciMountOptions} and {@link BundlePlanner} do: every word in the options table is
 * checked against the code by its row's kind, every word the code knows is in the table, and the
 * types table is exactly {@link BundlePlanner#FS_TYPES} with {@link OciMountOptions#DATA}.
 */
class OciReadmeTablesTest {

  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  static Path readme() {
    String p = System.getProperty("kvmount.repo");
    Path repo = p != null && Files.exists(Path.of(p, "README.md")) ? Path.of(p) : Path.of("..").toAbsolutePath().normalize();
    return repo.resolve("README.md");
  }

  /** The rows (cells, trimmed) of the table between the markers, without header and rule. */
  static List<String[]> table(String marker) throws IOException {
    String text = Files.readString(readme(), StandardCharsets.UTF_8);
    int from = text.indexOf("<!-- " + marker + " -->");
    int to = text.indexOf("<!-- /" + marker + " -->");
    assertThat(from).as("README.md has the marker %s", marker).isNotNegative();
    assertThat(to).isGreaterThan(from);
    List<String[]> rows = new ArrayList<>();
    for (String line : text.substring(from, to).split("\n")) {
      if (!line.startsWith("|") || line.startsWith("| ---")) {
        continue;
      }
      String[] cells = line.substring(1, line.length() - 1).split("\\|");
      for (int i = 0; i < cells.length; i++) {
        cells[i] = cells[i].trim();
      }
      rows.add(cells);
    }
    return rows.subList(1, rows.size()); // the header
  }

  static List<String> words(String cell) {
    List<String> r = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      r.add(m.group(1));
    }
    return r;
  }

  @Test
  void optionsTable_isTrueToTheCode() throws Exception {
    Map<String, Set<String>> byKind = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (String[] row : table("oci-options-table")) {
      assertThat(row).as("three cells: %s", String.join("|", row)).hasSize(3);
      String kind = row[1];
      List<String> ws = words(row[0]);
      assertThat(ws).as("words of row %s", row[0]).isNotEmpty();
      for (String w : ws) {
        if (!kind.equals("data")) {
          assertThat(seen.add(w)).as("%s is in one row only", w).isTrue();
        }
        byKind.computeIfAbsent(kind, k -> new TreeSet<>()).add(w);
        check(kind, w);
      }
    }
    assertThat(byKind.keySet()).containsExactlyInAnyOrder(
        "bind", "access", "flag", "recursive flag", "propagation", "ignored", "copy-up", "refused", "data");
    assertThat(byKind.get("flag")).as("the flags row lists exactly OciMountOptions.FLAGS")
        .isEqualTo(new TreeSet<>(OciMountOptions.FLAGS));
    assertThat(byKind.get("propagation")).as("the propagation row lists exactly OciMountOptions.PROPAGATION")
        .isEqualTo(new TreeSet<>(OciMountOptions.PROPAGATION));
    Set<String> refused = new TreeSet<>(OciMountOptions.REFUSED.keySet());
    assertThat(byKind.get("copy-up")).containsExactly("tmpcopyup");
    assertThat(byKind.get("refused")).as("the refused rows list exactly the refused words").isEqualTo(refused);
    assertThat(byKind.get("bind")).containsExactlyInAnyOrder("bind", "rbind");
    assertThat(byKind.get("access")).containsExactlyInAnyOrder("ro", "rro", "rw", "rrw");
  }

  /** Checks one word against what {@link OciMountOptions#parse} does with it. */
  private static void check(String kind, String w) throws Exception {
    String why = "README says \"" + w + "\" is " + kind;
    switch (kind) {
      case "bind" -> {
        OciMountOptions.Parsed p = OciMountOptions.parse(List.of(w), null);
        assertThat(p.bind()).as(why).isTrue();
        assertThat(p.recursive()).as(why).isEqualTo(w.equals("rbind"));
        assertThat(p.guestOptions()).as(why).isEmpty();
      }
      case "access" -> {
        boolean ro = w.equals("ro") || w.equals("rro");
        assertThat(OciMountOptions.parse(List.of(w), null).readOnly()).as(why).isEqualTo(ro);
        assertThat(OciMountOptions.parse(List.of(ro ? "rw" : "ro", w), "tmpfs").readOnly()).as(why + ", last wins")
            .isEqualTo(ro);
        assertThat(OciMountOptions.parse(List.of(w), "tmpfs").guestOptions()).as(why).isEmpty();
      }
      case "flag", "propagation" -> {
        assertThat(OciMountOptions.parse(List.of(w), null).guestOptions()).as(why).containsExactly(w);
        assertThat(OciMountOptions.parse(List.of(w), "proc").guestOptions()).as(why).containsExactly(w);
      }
      case "recursive flag" -> {
        assertThat(w).startsWith("r");
        assertThat(OciMountOptions.FLAGS).as(why).contains(w.substring(1));
        assertThat(OciMountOptions.parse(List.of(w), null).guestOptions()).as(why).containsExactly(w.substring(1));
      }
      case "ignored" -> {
        OciMountOptions.Parsed p = OciMountOptions.parse(List.of(w), "tmpfs");
        assertThat(p.guestOptions()).as(why).isEmpty();
        assertThat(p.bind() || p.readOnly() || p.tmpcopyup()).as(why).isFalse();
      }
      case "refused" -> {
        for (String type : new String[] {null, "proc", "cgroup2"}) {
          assertThatThrownBy(() -> OciMountOptions.parse(List.of("nosuid", w), type)).as(why + " (" + type + ")")
              .isInstanceOf(OciMountOptions.Refusal.class)
              .satisfies(e -> assertThat(((OciMountOptions.Refusal) e).index).isEqualTo(1));
        }
        assertThatThrownBy(() -> OciMountOptions.parse(List.of(w), "tmpfs")).as(why)
            .isInstanceOf(OciMountOptions.Refusal.class);
      }
      case "copy-up" -> {
        // Honoured on a tmpfs (a copy-up service), refused on anything else.
        assertThat(OciMountOptions.parse(List.of(w), "tmpfs").tmpcopyup()).as(why).isTrue();
        assertThat(OciMountOptions.parse(List.of(w), "tmpfs").guestOptions()).as(why).isEmpty();
        for (String type : new String[] {null, "proc", "cgroup2"}) {
          assertThatThrownBy(() -> OciMountOptions.parse(List.of("nosuid", w), type)).as(why + " (" + type + ")")
              .isInstanceOf(OciMountOptions.Refusal.class);
        }
      }
      case "data" -> {
        // Examples: each is accepted by some type's data and refused on a bind mount.
        String key = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
        assertThat(OciMountOptions.DATA.values().stream().anyMatch(s -> s.contains(key))).as(why).isTrue();
        assertThatThrownBy(() -> OciMountOptions.parse(List.of(w), null)).as(why)
            .isInstanceOf(OciMountOptions.Refusal.class);
      }
      default -> throw new AssertionError("unknown kind \"" + kind + "\" in the README's options table");
    }
  }

  @Test
  void optionsTable_anythingElseIsRefused() {
    for (String type : new String[] {null, "tmpfs", "sysfs"}) {
      assertThatThrownBy(() -> OciMountOptions.parse(List.of("frobnicate"), type))
          .isInstanceOf(OciMountOptions.Refusal.class);
    }
  }

  /** A valid word for each data key that takes a value (the others are taken bare). */
  private static final Map<String, String> SAMPLES = Map.ofEntries(
      Map.entry("mode", "mode=1777"), Map.entry("ptmxmode", "ptmxmode=0666"), Map.entry("uid", "uid=1"),
      Map.entry("gid", "gid=5"), Map.entry("size", "size=1m"), Map.entry("nr_blocks", "nr_blocks=1k"),
      Map.entry("nr_inodes", "nr_inodes=1k"), Map.entry("huge", "huge=never"), Map.entry("mpol", "mpol=default"),
      Map.entry("hidepid", "hidepid=2"), Map.entry("subset", "subset=pid"), Map.entry("max", "max=1"));

  @Test
  void typesTable_isFsTypesWithTheirData() throws Exception {
    Map<String, String> types = new LinkedHashMap<>();
    for (String[] row : table("oci-types-table")) {
      assertThat(row).hasSize(3);
      String oci = words(row[0]).get(0);
      String unit = words(row[1]).get(0);
      assertThat(types.put(oci, unit)).as("%s listed once", oci).isNull();
      Set<String> data = new TreeSet<>(words(row[2]));
      if (row[2].equals("none")) {
        assertThat(data).isEmpty();
      }
      assertThat(data).as("data options of %s", oci)
          .isEqualTo(new TreeSet<>(OciMountOptions.DATA.getOrDefault(unit, Set.of())));
      for (String key : data) {
        String word = SAMPLES.getOrDefault(key, key);
        assertThat(OciMountOptions.parse(List.of(word), unit).guestOptions()).containsExactly(word);
      }
    }
    assertThat(types).isEqualTo(BundlePlanner.FS_TYPES);
  }
}
