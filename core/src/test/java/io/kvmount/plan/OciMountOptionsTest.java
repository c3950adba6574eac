package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link OciMountOptions} word by word: runtime-spec config.md "Linux mount options" and the
 * kernel's data formats (tmpfs, devpts, proc), as /work/shared/spec/oci-mounts.md §4 lists them.
 */
class OciMountOptionsTest {

  private static OciMountOptions.Refusal refusal(List<String> options, String fsType) {
    OciMountOptions.Refusal r =
        catchThrowableOfType(OciMountOptions.Refusal.class, () -> OciMountOptions.parse(options, fsType));
    assertThat(r).as("refused: %s", options).isNotNull();
    return r;
  }

  @Test
  void parse_emptyWord_isRefusedWithItsIndex() {
    OciMountOptions.Refusal r = refusal(List.of("nosuid", ""), "tmpfs");
    assertThat(r.index).isEqualTo(1);
    assertThat(r).hasMessage("an empty option; remove it");
  }

  @Test
  void parse_commaInsideAWord_isRefused_whereverTheCommaIs() {
    for (String w : List.of(",ro", "ro,nosuid", "nodev,")) {
      OciMountOptions.Refusal r = refusal(List.of("rbind", w), null);
      assertThat(r.index).isEqualTo(1);
      assertThat(r).hasMessage("an option with a comma inside; give each option as its own string");
    }
  }

  @Test
  void parse_bindRbindRoRw_areSortedOut_lastOfRoRwWins() throws Exception {
    assertThat(OciMountOptions.parse(List.of("bind", "ro"), null))
        .isEqualTo(new OciMountOptions.Parsed(true, false, true, List.of(), false));
    assertThat(OciMountOptions.parse(List.of("rbind", "rro", "rrw"), null))
        .isEqualTo(new OciMountOptions.Parsed(true, true, false, List.of(), false));
    assertThat(OciMountOptions.parse(List.of("rw", "defaults", "ro"), "tmpfs"))
        .isEqualTo(new OciMountOptions.Parsed(false, false, true, List.of(), false));
    // A later plain bind does not undo an earlier rbind.
    assertThat(OciMountOptions.parse(List.of("rbind", "bind"), null).recursive()).isTrue();
  }

  @Test
  void parse_recursiveFlagForms_becomeThePlainFlag_propagationPassesAsWritten() throws Exception {
    assertThat(OciMountOptions.parse(List.of("rnosuid", "rnoatime", "nodev", "rslave", "private"), null).guestOptions())
        .containsExactly("nosuid", "noatime", "nodev", "rslave", "private");
    // A lone "r" is no flag's recursive form, and a bind mount takes no data.
    assertThat(refusal(List.of("r"), null)).hasMessage("\"r\" is neither a mount flag nor a propagation word, and a"
        + " bind mount takes no filesystem data; remove it, or correct its spelling");
  }

  @Test
  void parse_dataWord_onATypeThatTakesNone_saysSo() {
    OciMountOptions.Refusal r = refusal(List.of("nosuid", "size=1m"), "sysfs");
    assertThat(r.index).isEqualTo(1);
    assertThat(r).hasMessage("\"size=1m\" is not a mount flag, and sysfs takes no filesystem data; remove it, or correct"
        + " its spelling");
    assertThat(refusal(List.of("hidepid=2"), "devtmpfs")).hasMessage("\"hidepid=2\" is not a mount flag, and devtmpfs"
        + " takes only the data mode, nr_inodes, size; remove it, or correct its spelling");
  }

  @Test
  void parse_dataValues_checkedPerKey() throws Exception {
    assertThat(refusal(List.of("size="), "tmpfs")).hasMessage("\"size=\": size needs a value, or the guest's mount"
        + " fails at boot; correct it");
    assertThat(refusal(List.of("mode"), "tmpfs")).hasMessage("\"mode\": mode needs a value, or the guest's mount fails"
        + " at boot; correct it");
    assertThat(refusal(List.of("ro", "mpol"), "tmpfs")).hasMessage("\"mpol\": mpol needs a value (such as interleave),"
        + " or the guest's mount fails at boot; correct it");
    assertThat(OciMountOptions.parse(List.of("mpol=interleave", "inode64", "nr_blocks=10k"), "tmpfs").guestOptions())
        .containsExactly("mpol=interleave", "inode64", "nr_blocks=10k");
  }

  /** Ids are 32-bit, and (uid_t) -1 is no id: 0 to 4294967294 (tmpfs, devpts uid=/gid=). */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "uid, 0,                    ",
    "uid, 4294967294,           ",
    "gid, 4294967294,           ",
    "uid, 4294967295, uid is a number from 0 to 4294967294",
    "gid, 4294967295, gid is a number from 0 to 4294967294",
    "gid, 99999999999, gid is a number from 0 to 4294967294",
    "mpol, '', mpol needs a value (such as interleave)",
    "size, '', size needs a value",
    "max, 1024,                 ",
    "max, x, max is a number",
    "subset, pid,               ",
    "subset, all, subset is pid",
    "huge, force,               ",
    "huge, sometimes, 'huge is one of never, always, within_size, advise'",
    "hidepid, invisible,        ",
    "ptmxmode, 0666,            ",
    "ptmxmode, 0999, ptmxmode is an octal mode (such as 1777)",
    "nr_inodes, 1m,             ",
    "nr_inodes, many, 'nr_inodes is a number with an optional k, m or g'",
    "size, 50%,                 ",
  })
  void valueProblem_perKey(String key, String value, String problem) {
    assertThat(OciMountOptions.valueProblem(key, value)).isEqualTo(problem);
  }

  @Test
  void valueProblem_absentValues_andFlagsWithoutValues() {
    assertThat(OciMountOptions.valueProblem("mpol", null)).isEqualTo("mpol needs a value (such as interleave)");
    assertThat(OciMountOptions.valueProblem("uid", null)).isEqualTo("uid needs a value");
    assertThat(OciMountOptions.valueProblem("newinstance", null)).isNull();
    assertThat(OciMountOptions.valueProblem("nsdelegate", "1")).isEqualTo("nsdelegate takes no value");
    // A key without a format of its own is passed on unchecked.
    assertThat(OciMountOptions.valueProblem("other", "anything")).isNull();
  }

  @Test
  void isBind_onlyWithBindOrRbind() {
    assertThat(OciMountOptions.isBind(List.of("ro", "rbind"))).isTrue();
    assertThat(OciMountOptions.isBind(List.of("bind"))).isTrue();
    assertThat(OciMountOptions.isBind(List.of("ro", "rro", "bindx"))).isFalse();
  }
}
