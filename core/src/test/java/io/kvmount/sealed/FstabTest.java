package io.kvmount.sealed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmount.path.GuestPath;
import io.kvmount.plan.MountSpec;
import io.kvmount.plan.PlanException;
import io.kvmount.systemd.UnitName;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fstab.extra lines and the systemd.mount-extra= words, escaped as systemd 257 reads them
 * (e2e/FSTAB-FACTS.md: getmntent decodes only {@code \040 \011 \012 \134}; mount-extra fields
 * decode C escapes; both proven against the real generator by the e2e differential test).
 */
class FstabTest {

  static FstabEntry entry(String what, String where, String type, String... options) throws Exception {
    GuestPath w = GuestPath.parse(where);
    return new FstabEntry(UnitName.mount(w), new MountSpec(what, w, type, List.of(options)), List.of(options));
  }

  @Test
  void fstabEscapesSpaceTabAndBackslashOnly() throws Exception {
    String text = Fstab.render(List.of(
        entry("/run/kvmount/data", "/opt/stage2/web/rootfs/my data\tdir\\x", "none", "bind", "x-systemd.requires=a\\x2db.mount"),
        entry("tag", "/mnt/a#b:c%d/é/日本", "9p", "trans=virtio"),
        entry("tmpfs", "/run/kvmount/e", "tmpfs")));
    assertThat(text).isEqualTo(
        "/run/kvmount/data /opt/stage2/web/rootfs/my\\040data\\011dir\\134x none bind,x-systemd.requires=a\\134x2db.mount 0 0\n"
            + "tag /mnt/a#b:c%d/é/日本 9p trans=virtio 0 0\n"
            + "tmpfs /run/kvmount/e tmpfs defaults 0 0\n");
  }

  @Test
  void mountExtraEscapesEverythingOutsideTheSafeSet() throws Exception {
    List<String> words = MountExtra.words(List.of(
        entry("/run/kvmount/data", "/opt/a b:c\\\"'é", "none", "bind", "x-systemd.requires=a\\x2db.mount"),
        entry("tmpfs", "/run/kvmount/e", "tmpfs")));
    assertThat(words).containsExactly(
        "systemd.mount-extra=/run/kvmount/data:/opt/a\\x20b\\x3ac\\x5c\\x22\\x27\\xc3\\xa9:none:"
            + "bind,x-systemd.requires=a\\x5cx2db.mount",
        "systemd.mount-extra=tmpfs:/run/kvmount/e:tmpfs:defaults");
    assertThat(MountExtra.size(words)).isEqualTo(words.get(0).length() + 1 + words.get(1).length());
    assertThat(MountExtra.size(List.of())).isZero();
    assertThat(String.join("", words)).matches("[\\x21-\\x7e]*"); // no whitespace, no quote, ASCII only
  }

  @Test
  void controlCharactersAndEmptyFieldsAreRefusedByBoth() throws Exception {
    for (String bad : new String[] {"/mnt/a\nb", "/mnt/a\rb", "/mnt/a\u0001b", "/mnt/a\u007fb"}) {
      FstabEntry e = entry("tag", bad, "9p");
      assertThatThrownBy(() -> Fstab.render(List.of(e))).isInstanceOf(PlanException.class)
          .hasMessageContaining("control character").hasMessageContaining("--emit units").hasMessageNotContaining("\n");
      assertThatThrownBy(() -> MountExtra.words(List.of(e))).isInstanceOf(PlanException.class)
          .hasMessageContaining("control character");
    }
    FstabEntry empty = entry("", "/mnt/x", "9p");
    assertThatThrownBy(() -> Fstab.render(List.of(empty))).hasMessageContaining("source is empty");
    FstabEntry comment = entry("#tag", "/mnt/x", "9p");
    assertThatThrownBy(() -> Fstab.render(List.of(comment))).hasMessageContaining("starts with #");
  }

  @Test
  void aCommentSourceWithANewlineIsRefusedOnOneLine() throws Exception {
    // found by SealedRenderFuzzTest: the source was put into the message raw, newline and all
    FstabEntry comment = entry("#\n", "/mnt/x", "9p");
    assertThatThrownBy(() -> Fstab.render(List.of(comment)))
        .hasMessage("mnt-x.mount: the source \"#\\n\" starts with #, which makes an fstab line a comment; use --emit units");
  }

  @Test
  void tooLongForTheCommandLineIsRefusedWithBothSizes() throws Exception {
    List<FstabEntry> entries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      entries.add(entry("/run/kvmount/v" + i, "/opt/stage2/app/rootfs/data" + i, "none", "bind", "rslave"));
    }
    List<String> few = MountExtra.words(entries.subList(0, 20));
    assertThat(MountExtra.size(few)).isLessThanOrEqualTo(MountExtra.MAX_CMDLINE_BYTES);
    List<String> twice = new ArrayList<>(few);
    twice.addAll(few);
    int size = MountExtra.size(twice);
    assertThat(size).isGreaterThan(MountExtra.MAX_CMDLINE_BYTES);
    assertThatThrownBy(() -> MountExtra.words(entries)).isInstanceOf(PlanException.class)
        .hasMessageMatching("the 40 systemd.mount-extra= words take \\d+ bytes, but the kernel command line holds at"
            + " most 2047 bytes .*use --emit credentials");
  }

  @Test
  void exactly2047BytesFit() throws Exception {
    // One entry whose word is exactly the limit, and one byte more.
    String prefix = "systemd.mount-extra=tmpfs:/x:tmpfs:";
    String fill = "a".repeat(MountExtra.MAX_CMDLINE_BYTES - prefix.length());
    assertThat(MountExtra.words(List.of(entry("tmpfs", "/x", "tmpfs", fill))).get(0)).hasSize(2047);
    assertThatThrownBy(() -> MountExtra.words(List.of(entry("tmpfs", "/x", "tmpfs", fill + "a"))))
        .hasMessageContaining("take 2048 bytes");
  }

  @Test
  void aCredentialOverOneMebibyteIsRefused() throws Exception {
    List<FstabEntry> entries = new ArrayList<>();
    String longOption = "x-systemd.requires=" + "d".repeat(200) + ".mount";
    for (int i = 0; i < 5000; i++) {
      entries.add(entry("/run/kvmount/v", "/opt/stage2/app/rootfs/d" + i, "none", "bind", longOption));
    }
    assertThat(Fstab.render(entries.subList(0, 3000)).length()).isLessThan(Fstab.MAX_CREDENTIAL_BYTES);
    assertThatThrownBy(() -> Fstab.render(entries)).isInstanceOf(PlanException.class)
        .hasMessageContaining("at most 1048576 bytes per credential");
  }
}
