package io.kvmount.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OciReader#readBundle} on real directories in a temp dir: the bundle it returns, and one
 * line naming the path and what to pass for each way the directory or its {@code config.json} can
 * be missing or wrong.
 */
class OciReadBundleTest {

  private static final String CONFIG =
      "{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
          + "\"mounts\":[{\"destination\":\"/data\",\"source\":\"data\",\"options\":[\"bind\"]}]}";

  @TempDir Path tmp;

  private Path bundle(String name, String config) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.writeString(dir.resolve("config.json"), config, StandardCharsets.UTF_8);
    return dir;
  }

  private static String error(Path dir) {
    OciException e =
        catchThrowableOfType(OciException.class, () -> OciReader.readBundle("web", dir));
    assertThat(e).as("must be refused").isNotNull();
    return e.getMessage();
  }

  @Test
  void readBundle_validBundle_hasAppDirFileAndConfig() throws Exception {
    Path dir = bundle("web", CONFIG);

    OciBundle b = OciReader.readBundle("web", dir);

    assertThat(b.app()).isEqualTo("web");
    assertThat(b.dir()).isEqualTo(dir);
    assertThat(b.configFile()).isEqualTo(dir.resolve("config.json"));
    assertThat(b.config().ociVersion()).isEqualTo("1.0.2-dev");
    assertThat(b.config().root()).isEqualTo(new OciConfig.Root("rootfs", true));
    assertThat(b.config().mounts().get(0).source()).contains("data");
  }

  @Test
  void readBundle_unnormalisedDir_isMadeNormal() throws Exception {
    Path dir = bundle("web", CONFIG);
    Files.createDirectories(tmp.resolve("other"));

    OciBundle b = OciReader.readBundle("web", tmp.resolve("other/../web/."));

    assertThat(b.dir()).isEqualTo(dir).isAbsolute();
    assertThat(b.configFile()).isEqualTo(dir.resolve("config.json"));
  }

  @Test
  void readBundle_relativeDir_isMadeAbsolute() throws Exception {
    Path cwd = Path.of("").toAbsolutePath();
    Path dir = bundle("rel", CONFIG);
    Path relative = cwd.relativize(dir);
    assertThat(relative.isAbsolute()).isFalse();

    assertThat(OciReader.readBundle("web", relative).dir()).isEqualTo(dir);
  }

  @Test
  void readBundle_configSymlinkToAFile_isFollowed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("web"));
    Path real = Files.writeString(tmp.resolve("real.json"), CONFIG, StandardCharsets.UTF_8);
    Files.createSymbolicLink(dir.resolve("config.json"), real);

    assertThat(OciReader.readBundle("web", dir).config().mounts()).hasSize(1);
  }

  @Test
  void readBundle_missingDirectory_saysWhatToPass() {
    Path dir = tmp.resolve("nope");

    assertThat(error(dir))
        .isEqualTo(
            dir
                + ": no such bundle directory (pass the directory that holds the bundle's"
                + " config.json)");
  }

  @Test
  void readBundle_fileInsteadOfDirectory_saysWhatToPass() throws Exception {
    Path file = bundle("web", CONFIG).resolve("config.json");

    assertThat(error(file))
        .isEqualTo(
            file
                + ": not a directory (pass the bundle directory that holds config.json, not a"
                + " file in it)");
  }

  @Test
  void readBundle_noConfigJson_saysWhatToPass() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty"));

    assertThat(error(dir))
        .isEqualTo(
            dir.resolve("config.json")
                + ": no such file (an OCI bundle directory holds config.json; \"runc spec\""
                + " writes one)");
  }

  @Test
  void readBundle_danglingConfigSymlink_isRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("web"));
    Files.createSymbolicLink(dir.resolve("config.json"), tmp.resolve("missing.json"));

    assertThat(error(dir))
        .isEqualTo(
            dir.resolve("config.json")
                + ": a symbolic link to a missing file (config.json must be the bundle's JSON"
                + " document)");
  }

  @Test
  void readBundle_configJsonIsADirectory_isRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("web/config.json")).getParent();

    assertThat(error(dir))
        .isEqualTo(
            dir.resolve("config.json")
                + ": not a regular file (config.json must be a file holding the JSON document)");
  }

  @Test
  void readBundle_badContent_namesTheAbsoluteFileAndField() throws Exception {
    Path dir =
        bundle(
            "web",
            "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                + "\"mounts\":[{\"destination\":\"/d\",\"options\":[\"bind\",\"r\\no\"]}]}");

    assertThat(error(dir))
        .isEqualTo(
            dir.resolve("config.json")
                + ": mounts[0].options[1]: \"r\\no\" contains a control character (\\n)");
  }

  @Test
  void readBundle_newerVersion_warningNamesTheAbsoluteFile() throws Exception {
    Path dir = bundle("web", "{\"ociVersion\":\"1.5.0\",\"root\":{\"path\":\"rootfs\"}}");

    assertThat(OciReader.readBundle("web", dir).config().warnings())
        .isEqualTo(
            List.of(
                dir.resolve("config.json")
                    + ": ociVersion: \"1.5.0\" is newer than the runtime-spec versions kvmount"
                    + " knows (1.0.0 to 1.3.x); read as 1.3"));
  }

  @Test
  void readBundle_configOverTheSizeLimit_isRefusedWithoutReadingItAll() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("big"));
    Path file = dir.resolve("config.json");
    long size = OciReader.MAX_DOCUMENT_BYTES + 4096L;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {' '}), size - 1); // sparse: no 64 MiB on disk
    }

    assertThat(error(dir))
        .isEqualTo(
            file + ": document of " + size + " bytes is larger than the limit of 67108864 bytes");
  }
}
