package io.kvmount.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile {@code config.json} corpus of the OCI reader (issue 20), committed under {@code
 * core/src/test/resources/oci-hostile/}: one {@code NNN-name.json} per case, written by hand, and
 * {@code expected.tsv} with the exact message {@link OciReader#read} must give for each (the file
 * name is the source). Like the appc corpus ({@code cli/src/test/resources/hostile/cases.tsv}),
 * every file is listed and every listed file exists. Cases too large to commit (a string over the
 * limit, deep nesting, too many mounts, a document over the size limit) are generated here.
 *
 * <p>After changing the reader's messages on purpose: run with {@code -Doci.hostile.update=true},
 * which rewrites {@code expected.tsv} in the source tree, and read the diff.
 */
class OciHostileCorpusTest {

  private static final String UPDATE = "oci.hostile.update";

  static Path corpusDir() {
    try {
      return Path.of(OciHostileCorpusTest.class.getResource("/oci-hostile/expected.tsv").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** File name to expected message, in file order. */
  static Map<String, String> expectations() throws IOException {
    Map<String, String> r = new LinkedHashMap<>();
    for (String line :
        Files.readAllLines(corpusDir().resolve("expected.tsv"), StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", 2);
      assertThat(r.put(f[0], f[1])).as("%s listed twice", f[0]).isNull();
    }
    return r;
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> r = new ArrayList<>();
    for (Map.Entry<String, String> e : expectations().entrySet()) {
      r.add(Arguments.of(e.getKey(), e.getValue()));
    }
    return r.stream();
  }

  private static String message(String file) throws IOException {
    byte[] json = Files.readAllBytes(corpusDir().resolve(file));
    OciException e = catchThrowableOfType(OciException.class, () -> OciReader.read(json, file));
    assertThat(e).as("%s must be refused", file).isNotNull();
    return e.getMessage();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void read_hostileFile_isRefusedWithTheExpectedMessage(String file, String expected)
      throws Exception {
    String message = message(file);

    assertThat(message).isEqualTo(expected);
    assertThat(message).startsWith(file + ": ").doesNotContain("\n", "\r", "Exception");
  }

  @Test
  void corpus_everyFileIsListedAndEveryListedFileExists() throws Exception {
    Set<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(corpusDir())) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .forEach(files::add);
    }
    if (Boolean.getBoolean(UPDATE)) {
      StringBuilder sb =
          new StringBuilder("# file\texact message of OciReader.read(bytes, file)\n");
      for (String f : files) {
        sb.append(f).append('\t').append(message(f)).append('\n');
      }
      Files.writeString(
          Path.of("src/test/resources/oci-hostile/expected.tsv"), sb, StandardCharsets.UTF_8);
      Files.writeString(corpusDir().resolve("expected.tsv"), sb, StandardCharsets.UTF_8);
    }

    assertThat(new TreeSet<>(expectations().keySet())).isEqualTo(files);
    assertThat(files).hasSizeGreaterThanOrEqualTo(50);
    for (String f : files) {
      assertThat(Files.size(corpusDir().resolve(f))).as("%s stays small", f).isLessThan(1024);
    }
  }
}
