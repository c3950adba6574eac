package io.kvmount.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GuestPath against a plain model: the path as a list of strings, split on {@code /} with empty
 * and {@code .} components dropped, compared element by element. The shared-prefix
 * representation must agree with the model for every operation, whichever way a path was made.
 */
class GuestPathTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/, /",
    "//, /",
    "/./, /",
    "/var//lib/./db/, /var/lib/db",
    "/a/.../b, /a/.../b",
    "/.hidden/x., /.hidden/x.",
    "/opt/stage2/app/rootfs, /opt/stage2/app/rootfs"
  })
  void parse_normalisesAsSystemd(String text, String normalised) {
    assertThat(GuestPath.parse(text)).hasToString(normalised);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''| path is empty",
        "var/lib| path is not absolute",
        "/a/../b| path contains a \"..\" component",
        "/..| path contains a \"..\" component",
        "/a/..| path contains a \"..\" component"
      })
  void problem_namesTheFirstFault(String text, String problem) {
    assertThat(GuestPath.problem(text)).isEqualTo(problem);
    assertThatThrownBy(() -> GuestPath.parse(text)).hasMessage(problem);
  }

  @Test
  void problem_countsUtf8Bytes() {
    String name255 = "é".repeat(127) + "a"; // 255 bytes
    assertThat(GuestPath.problem("/" + name255)).isNull();
    assertThat(GuestPath.problem("/" + name255 + "a")).isEqualTo("path component is longer than 255 bytes");
    String lone = "\ud800".repeat(255); // a lone surrogate encodes as one byte ('?')
    assertThat(GuestPath.problem("/" + lone)).isNull();
    assertThat(GuestPath.problem("/" + "😀".repeat(64))).isEqualTo("path component is longer than 255 bytes");
    String deep = "/abc".repeat(1023) + "/ab"; // 4,095 bytes
    assertThat(deep.getBytes(StandardCharsets.UTF_8)).hasSize(4095);
    assertThat(GuestPath.problem(deep)).isNull();
    assertThat(GuestPath.problem(deep + "c")).isEqualTo("path is longer than 4095 bytes");
    assertThat(GuestPath.problem("/a\0b")).isEqualTo("path contains a NUL byte");
    // the first fault in path order wins, as before: a long component before a ".."
    assertThat(GuestPath.problem("/" + "x".repeat(256) + "/..")).isEqualTo("path component is longer than 255 bytes");
  }

  @Test
  void constructor_refusesInvalidComponents() {
    for (String bad : List.of("", ".", "..", "a/b", "a\0b")) {
      assertThatThrownBy(() -> new GuestPath(List.of("ok", bad))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> GuestPath.ROOT.resolve(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  static Stream<Long> seeds() {
    return IntStream.range(0, 40).mapToObj(i -> 0x6b766d6fL + i);
  }

  /** Random path text over a small alphabet so that equal and prefix-sharing paths are common. */
  private static String randomText(Random r) {
    String[] parts = {"a", "b", "ab", "é", "x.y", ".", "", "data", "m1", "\u4e2d"};
    StringBuilder sb = new StringBuilder("/");
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      sb.append(parts[r.nextInt(parts.length)]);
      if (i + 1 < n || r.nextBoolean()) {
        sb.append('/');
      }
    }
    return sb.toString();
  }

  private static List<String> model(String text) {
    List<String> out = new ArrayList<>();
    for (String c : text.split("/", -1)) {
      if (!c.isEmpty() && !c.equals(".")) {
        out.add(c);
      }
    }
    return out;
  }

  private static int modelCompare(List<String> x, List<String> y) {
    for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
      int c = x.get(i).compareTo(y.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.size(), y.size());
  }

  /** The same path made four ways: parsed, from the list, by resolve, by resolve(RelativePath). */
  private static List<GuestPath> makings(List<String> m) {
    GuestPath byResolve = GuestPath.ROOT;
    for (String c : m) {
      byResolve = byResolve.resolve(c);
    }
    GuestPath half = new GuestPath(m.subList(0, m.size() / 2));
    RelativePath rest = RelativePath.of(m.subList(m.size() / 2, m.size()));
    return List.of(
        GuestPath.parse("/" + String.join("/", m)), new GuestPath(m), byResolve, half.resolve(rest));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void agreesWithTheListModel(long seed) {
    Random r = new Random(seed);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      texts.add(randomText(r));
    }
    for (String tx : texts) {
      List<String> mx = model(tx);
      GuestPath x = GuestPath.parse(tx);
      assertThat(x.components()).isEqualTo(mx);
      assertThat(x.hashCode()).isEqualTo(mx.hashCode());
      assertThat(x.depth()).isEqualTo(mx.size());
      assertThat(x.isRoot()).isEqualTo(mx.isEmpty());
      assertThat(x).hasToString("/" + String.join("/", mx));
      assertThat(x.relativeString()).isEqualTo(String.join("/", mx));
      assertThat(x.fileName()).isEqualTo(mx.isEmpty() ? "" : mx.get(mx.size() - 1));
      assertThat(x.parent().components()).isEqualTo(mx.isEmpty() ? mx : mx.subList(0, mx.size() - 1));
      for (int k = 0; k <= mx.size(); k++) {
        assertThat(x.ancestor(k).components()).isEqualTo(mx.subList(0, k));
      }
      for (GuestPath made : makings(mx)) {
        assertThat(made).isEqualTo(x).hasSameHashCodeAs(x).hasToString(x.toString());
        assertThat(made.compareTo(x)).isZero();
      }
      for (String ty : texts) {
        List<String> my = model(ty);
        GuestPath y = GuestPath.parse(ty);
        assertThat(x.equals(y)).as("%s equals %s", tx, ty).isEqualTo(mx.equals(my));
        assertThat(Integer.signum(x.compareTo(y)))
            .as("%s compareTo %s", tx, ty)
            .isEqualTo(Integer.signum(modelCompare(mx, my)));
        boolean contains = my.size() >= mx.size() && my.subList(0, mx.size()).equals(mx);
        assertThat(x.contains(y)).as("%s contains %s", tx, ty).isEqualTo(contains);
        if (contains) {
          assertThat(x.relativize(y).components()).isEqualTo(my.subList(mx.size(), my.size()));
          assertThat(x.resolve(x.relativize(y))).isEqualTo(y);
        } else {
          assertThatThrownBy(() -> x.relativize(y)).isInstanceOf(IllegalArgumentException.class);
        }
      }
    }
    // sorting agrees with the model's order
    List<GuestPath> sorted = new ArrayList<>();
    for (String t : texts) {
      sorted.add(GuestPath.parse(t));
    }
    Collections.sort(sorted);
    List<List<String>> models = new ArrayList<>();
    for (String t : texts) {
      models.add(model(t));
    }
    models.sort(GuestPathTest::modelCompare);
    assertThat(sorted).extracting(GuestPath::components).containsExactlyElementsOf(models);
  }

  @Test
  void componentsAreUnmodifiable() {
    GuestPath p = GuestPath.parse("/a/b");
    assertThatThrownBy(() -> p.components().add("c")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(GuestPath.ROOT.parent()).isSameAs(GuestPath.ROOT);
    assertThat(GuestPath.ROOT.components()).isEmpty();
  }
}
