package io.kvmount.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Edge values of the path types that the broader tests do not pin: UTF-8 length at the one-, two-
 * and three-byte boundaries, equality under hash collisions, the range checks of {@link FileMode}.
 * Each case was a surviving PIT mutant (see MUTATION.md).
 */
class PathEdgeCasesTest {

  /** {@code "zsjpxaJ".hashCode() == -30}, so {@code [x]} and {@code [zsjpxaJ, x]} share a list hash. */
  private static final String MINUS_30 = "zsjpxaJ";

  @Test
  void componentLength_countsUtf8BytesAtEachBoundary() {
    // U+0080 is the first two-byte character: 128 of them are 256 bytes, one too many.
    assertThat(GuestPath.problem("/" + "\u0080".repeat(128))).isEqualTo("path component is longer than 255 bytes");
    assertThat(GuestPath.problem("/" + "\u007f".repeat(255))).isNull();
    // U+0800 is the first three-byte character: 86 of them are 258 bytes, 85 are 255.
    assertThat(GuestPath.problem("/" + "\u0800".repeat(86))).isEqualTo("path component is longer than 255 bytes");
    assertThat(GuestPath.problem("/" + "\u0800".repeat(85))).isNull();
    assertThat(GuestPath.problem("/" + "\u4e00".repeat(86))).isEqualTo("path component is longer than 255 bytes");
    // A lone surrogate is one byte ('?'), as Java's encoder writes it.
    assertThat(GuestPath.problem("/" + "\ud800".repeat(256))).isEqualTo("path component is longer than 255 bytes");
    assertThat(GuestPath.problem("/" + "\ud800".repeat(255))).isNull();
  }

  @Test
  void resolve_namesWhyAComponentIsRefused() {
    assertThatThrownBy(() -> GuestPath.ROOT.resolve("a/b")).hasMessageContaining("contains '/'");
    assertThatThrownBy(() -> GuestPath.ROOT.resolve("\0a")).hasMessageContaining("contains NUL");
    assertThatThrownBy(() -> RelativePath.EMPTY.resolve("\0")).hasMessageContaining("contains NUL");
  }

  @Test
  void ancestor_refusesDepthsOutsideTheRange() {
    GuestPath p = GuestPath.parse("/a/b");
    assertThatThrownBy(() -> p.ancestor(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no ancestor of depth -1 for /a/b");
    assertThatThrownBy(() -> p.ancestor(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no ancestor of depth 3 for /a/b");
    assertThat(p.ancestor(2)).isSameAs(p);
  }

  @Test
  void resolveInside_withTheRootOnEitherSide() {
    GuestPath a = GuestPath.parse("/a/b");
    assertThat(GuestPath.ROOT.resolveInside(a)).isEqualTo(a);
    assertThat(a.resolveInside(GuestPath.ROOT)).isEqualTo(a);
  }

  @Test
  void resolveInside_appendsTheInnerComponents() {
    GuestPath app = GuestPath.parse("/opt/stage2/web/rootfs");
    GuestPath p = app.resolveInside(GuestPath.parse("/var/db"));
    assertThat(p).hasToString("/opt/stage2/web/rootfs/var/db");
    assertThat(p.depth()).isEqualTo(6);
    assertThat(p).isEqualTo(GuestPath.parse("/opt/stage2/web/rootfs/var/db"));
  }

  @Test
  void equals_isFalseForOtherTypes() {
    Object text = "/a"; // a String never equals a path, even with the same text
    assertThat(GuestPath.parse("/a").equals(text)).isFalse();
    Object relText = "a";
    assertThat(RelativePath.parse("a").equals(relText)).isFalse();
  }

  @Test
  void equals_comparesNamesWhenHashesCollide() {
    // "Aa" and "BB" have the same String hash, so the paths have the same hash and depth.
    assertThat(RelativePath.parse("Aa").hashCode()).isEqualTo(RelativePath.parse("BB").hashCode());
    assertThat(RelativePath.parse("Aa")).isNotEqualTo(RelativePath.parse("BB"));
    assertThat(RelativePath.parse("d/Aa")).isNotEqualTo(RelativePath.parse("d/BB"));
    assertThat(GuestPath.parse("/Aa")).isNotEqualTo(GuestPath.parse("/BB"));
  }

  @Test
  void equals_comparesDepthWhenHashesCollide() {
    assertThat(MINUS_30.hashCode()).isEqualTo(-30);
    RelativePath shallow = RelativePath.parse("x");
    RelativePath deep = RelativePath.parse(MINUS_30 + "/x");
    assertThat(shallow.hashCode()).isEqualTo(deep.hashCode());
    assertThat(shallow).isNotEqualTo(deep);
    assertThat(deep).isNotEqualTo(shallow);
    GuestPath gShallow = GuestPath.parse("/x");
    GuestPath gDeep = GuestPath.parse("/" + MINUS_30 + "/x");
    assertThat(gShallow.hashCode()).isEqualTo(gDeep.hashCode());
    assertThat(gShallow).isNotEqualTo(gDeep);
    assertThat(gDeep).isNotEqualTo(gShallow);
  }

  @Test
  void fileMode_rangeAndPrinting() {
    assertThatThrownBy(() -> new FileMode(-1)).hasMessage("mode -1 is outside 0..07777".replace("-1", Integer.toOctalString(-1)));
    assertThatThrownBy(() -> new FileMode(010000)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new FileMode(07777).bits()).isEqualTo(07777);
    assertThatThrownBy(() -> FileMode.parseOctal("10000")).hasMessage("mode \"10000\" is above 07777");
    assertThat(FileMode.parseOctal("07777")).hasToString("07777");
    assertThat(new FileMode(0777)).hasToString("0777");
    assertThat(new FileMode(01000)).hasToString("01000");
  }
}
