package io.kvmount.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RelativePath}: what it accepts, how it prints, equality and order. */
class RelativePathTest {

  @Test
  void parse_components_printWithoutLeadingSlash() {
    RelativePath p = RelativePath.parse("web.service.d/10-kvmount-volumes.conf");
    assertThat(p.components()).containsExactly("web.service.d", "10-kvmount-volumes.conf");
    assertThat(p.depth()).isEqualTo(2);
    assertThat(p.fileName()).isEqualTo("10-kvmount-volumes.conf");
    assertThat(p.parent()).isEqualTo(RelativePath.of("web.service.d"));
    assertThat(p.parent().parent()).isSameAs(RelativePath.EMPTY);
    assertThat(p).hasToString("web.service.d/10-kvmount-volumes.conf");
    assertThat(p.isEmpty()).isFalse();
  }

  @Test
  void empty_isTheBaseItself() {
    assertThat(RelativePath.parse("")).isSameAs(RelativePath.EMPTY);
    assertThat(RelativePath.of(List.of())).isSameAs(RelativePath.EMPTY);
    assertThat(RelativePath.EMPTY).hasToString("");
    assertThat(RelativePath.EMPTY.isEmpty()).isTrue();
    assertThat(RelativePath.EMPTY.depth()).isZero();
    assertThat(RelativePath.EMPTY.fileName()).isEmpty();
    assertThat(RelativePath.EMPTY.parent()).isSameAs(RelativePath.EMPTY);
    assertThat(RelativePath.EMPTY.components()).isEmpty();
    assertThat(RelativePath.EMPTY.hashCode()).isEqualTo(List.of().hashCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a", "/", "a//b", "a/", "./a", "a/.", "a/../b", "..", ".", "a/b\0c"})
  void parse_absoluteEmptyDotOrNulComponent_isRefused(String path) {
    assertThatThrownBy(() -> RelativePath.parse(path)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_absolute_saysSo() {
    assertThatThrownBy(() -> RelativePath.parse("/usr/lib"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("relative path \"/usr/lib\" is absolute");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "a/b", "/", "nul\0"})
  void of_invalidComponent_isRefused(String component) {
    assertThatThrownBy(() -> RelativePath.of(component)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid relative path component");
    assertThatThrownBy(() -> RelativePath.of("a").resolve(component))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelativePath.of(List.of("a", component)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dotDotComponent_message() {
    assertThatThrownBy(() -> RelativePath.parse("a/../b"))
        .hasMessage("invalid relative path component \"..\": dot component");
    assertThatThrownBy(() -> RelativePath.parse("a//b"))
        .hasMessage("invalid relative path component \"\": empty");
  }

  @Test
  void sameComponents_equalWhateverTheMaking() {
    List<String> c = List.of("a", "b.d", "c\\x2d.mount");
    List<RelativePath> made = new ArrayList<>();
    made.add(RelativePath.parse("a/b.d/c\\x2d.mount"));
    made.add(RelativePath.of(c));
    made.add(RelativePath.of("a").resolve("b.d").resolve("c\\x2d.mount"));
    made.add(RelativePath.of("a").resolve(RelativePath.parse("b.d/c\\x2d.mount")));
    made.add(RelativePath.parse("a/b.d").resolve(RelativePath.of("c\\x2d.mount")));
    made.add(GuestPath.ROOT.relativize(GuestPath.parse("/a/b.d/c\\x2d.mount")));
    made.add(GuestPath.parse("/x").relativize(GuestPath.parse("/x/a/b.d/c\\x2d.mount")));
    for (RelativePath p : made) {
      assertThat(p).isEqualTo(made.get(0)).hasSameHashCodeAs(c).hasToString("a/b.d/c\\x2d.mount");
      assertThat(p.components()).isEqualTo(c);
      assertThat(p.compareTo(made.get(0))).isZero();
    }
    assertThat(RelativePath.parse("a/b")).isNotEqualTo(RelativePath.parse("a/c")).isNotEqualTo(RelativePath.parse("a"));
    assertThat(RelativePath.parse("a/b")).isNotEqualTo(GuestPath.parse("/a/b"));
  }

  @Test
  void resolve_empty_isIdentity() {
    RelativePath a = RelativePath.parse("a/b");
    assertThat(a.resolve(RelativePath.EMPTY)).isSameAs(a);
    assertThat(RelativePath.EMPTY.resolve(a)).isSameAs(a);
    GuestPath g = GuestPath.parse("/usr/lib/systemd/system");
    assertThat(g.resolve(RelativePath.EMPTY)).isSameAs(g);
    assertThat(g.relativize(g)).isSameAs(RelativePath.EMPTY);
  }

  @Test
  void guestPath_resolveAndRelativize_areInverse() {
    GuestPath units = GuestPath.parse("/usr/lib/systemd/system");
    RelativePath dropIn = RelativePath.parse("web.service.d/10-kvmount-volumes.conf");
    GuestPath full = units.resolve(dropIn);
    assertThat(full).hasToString("/usr/lib/systemd/system/web.service.d/10-kvmount-volumes.conf");
    assertThat(units.relativize(full)).isEqualTo(dropIn);
    assertThat(GuestPath.ROOT.resolve(dropIn).relativeString()).isEqualTo(dropIn.toString());
  }

  @Test
  void compareTo_isComponentWise_parentFirst() {
    // As text "a-b" < "a/b" ('-' is 0x2d, '/' 0x2f); component-wise a/b comes first ("a" < "a-b").
    List<RelativePath> sorted = new ArrayList<>(List.of(
        RelativePath.parse("a-b"), RelativePath.parse("a/b"), RelativePath.parse("a"), RelativePath.parse("b")));
    sorted.sort(null);
    assertThat(sorted).extracting(RelativePath::toString).containsExactly("a", "a/b", "a-b", "b");
  }

  @Test
  void text_isMadeOnce_andOneComponentIsItsOwnText() {
    String name = new String("mnt-data.mount");
    RelativePath one = RelativePath.of(name);
    assertThat(one.toString()).isSameAs(name);
    RelativePath two = RelativePath.parse("web.service.d/10-kvmount-volumes.conf");
    assertThat(two.toString()).isSameAs(two.toString());
  }
}
