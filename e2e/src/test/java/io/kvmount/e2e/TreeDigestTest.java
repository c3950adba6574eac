package io.kvmount.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TreeDigest} sees every kind of change the sealed-image test must catch (no VM). */
class TreeDigestTest {
  @TempDir Path root;
  private Map<String, String> before;

  @BeforeEach
  void tree() throws IOException {
    Files.createDirectories(root.resolve("etc/sub"));
    Files.writeString(root.resolve("etc/a.conf"), "a=1");
    Files.createSymbolicLink(root.resolve("etc/link"), Path.of("a.conf"));
    Files.setLastModifiedTime(root.resolve("etc/a.conf"), FileTime.fromMillis(1_000_000_000_000L));
    before = TreeDigest.of(root);
  }

  @Test
  void anUntouchedTreeHasNoDifferences() throws IOException {
    assertThat(before).containsKeys(".", "etc", "etc/sub", "etc/a.conf", "etc/link");
    assertThat(TreeDigest.differences(before, TreeDigest.of(root))).isEmpty();
  }

  @Test
  void contentOfTheSameLengthAndTheSameMtimeIsAChange() throws IOException {
    FileTime t = Files.getLastModifiedTime(root.resolve("etc/a.conf"));
    Files.writeString(root.resolve("etc/a.conf"), "a=2");
    Files.setLastModifiedTime(root.resolve("etc/a.conf"), t);
    assertThat(TreeDigest.differences(before, TreeDigest.of(root))).singleElement().asString().startsWith("~ etc/a.conf: ");
  }

  @Test
  void modeOwnerLinkTargetAddedAndRemovedAreChanges() throws IOException {
    Files.setPosixFilePermissions(root.resolve("etc/sub"), PosixFilePermissions.fromString("rwx------"));
    Files.delete(root.resolve("etc/link"));
    Files.createSymbolicLink(root.resolve("etc/link"), Path.of("other"));
    Files.writeString(root.resolve("etc/new"), "");
    Files.delete(root.resolve("etc/a.conf"));
    assertThat(TreeDigest.differences(before, TreeDigest.of(root)))
        .anyMatch(l -> l.startsWith("~ etc/sub: "))
        .anyMatch(l -> l.startsWith("~ etc/link: ") && l.endsWith(" other"))
        .contains("+ etc/new", "- etc/a.conf");
    if ("root".equals(System.getProperty("user.name"))) {
      Map<String, String> now = TreeDigest.of(root);
      Files.setAttribute(root.resolve("etc/new"), "unix:uid", 4321);
      assertThat(TreeDigest.differences(now, TreeDigest.of(root))).singleElement().asString().startsWith("~ etc/new: ");
    }
  }
}
