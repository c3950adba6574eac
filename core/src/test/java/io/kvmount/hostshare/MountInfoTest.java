package io.kvmount.hostshare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Parsing of {@code /proc/self/mountinfo} lines (format from proc(5)). */
class MountInfoTest {

  private static final String TABLE =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
          // proc(5)'s example line: one optional field.
          + "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
          // No optional field; space, tab, newline and backslash escaped in root and mount point.
          + "40 22 0:41 /a\\040b\\011c /srv/x\\012y\\134z ro,nosuid - tmpfs tmpfs rw\n"
          // Two optional fields; a stacked mount on /srv/data.
          + "41 22 8:1 /data /srv/data rw shared:5 master:2 - ext4 /dev/sda1 rw\n"
          + "42 22 8:2 /other /srv/data ro - ext4 /dev/sda2 rw\n";

  @Test
  void parse_decodesEscapesAndOptionalFields() throws IOException {
    MountInfo mi = MountInfo.parse(TABLE);
    assertThat(mi.mounts()).hasSize(5);
    MountInfo.Mount m = mi.mounts().get(2);
    assertThat(m.root()).isEqualTo("/a b\tc");
    assertThat(m.mountPoint()).isEqualTo("/srv/x\ny\\z");
    assertThat(m.optional()).isEmpty();
    assertThat(m.readOnly()).isTrue();
    assertThat(m.fsType()).isEqualTo("tmpfs");
    assertThat(mi.mounts().get(1).optional()).containsExactly("master:1");
    assertThat(mi.mounts().get(1).shared()).isFalse();
    assertThat(mi.mounts().get(3).optional()).containsExactly("shared:5", "master:2");
    assertThat(mi.mounts().get(3).shared()).isTrue();
    assertThat(mi.mounts().get(0).device()).isEqualTo("8:1");
  }

  @Test
  void originOf_usesLongestMountPointAndTopOfStack() throws IOException {
    MountInfo mi = MountInfo.parse(TABLE);
    assertThat(mi.originOf(Path.of("/etc/hosts")).orElseThrow())
        .isEqualTo(new MountInfo.Origin("/etc/hosts", "8:1"));
    // /srv/data has two mounts stacked: the later (top) one is what a path lookup reaches.
    assertThat(mi.originOf(Path.of("/srv/data/f")).orElseThrow())
        .isEqualTo(new MountInfo.Origin("/other/f", "8:2"));
    assertThat(mi.at(Path.of("/srv/data"))).hasSize(2);
    assertThat(mi.below(Path.of("/srv")).stream().map(MountInfo.Mount::id).toList())
        .containsExactly(40, 41, 42);
    assertThat(mi.below(Path.of("/srv/dat"))).isEmpty();
  }

  @Test
  void unescape_leavesLoneBackslashes() {
    assertThat(MountInfo.unescape("a\\b\\12")).isEqualTo("a\\b\\12");
    assertThat(MountInfo.unescape("\\303\\251")).isEqualTo("é");
  }

  @Test
  void parse_malformedLine_fails() {
    assertThatThrownBy(() -> MountInfo.parse("1 2 3:4 / / rw shared:1 ext4 x rw\n"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("malformed line");
  }

  @Test
  void read_thisProcess_hasARootMount() throws IOException {
    assertThat(MountInfo.read().containing(Path.of("/"))).isPresent();
  }
}
