package io.kvmount.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Lays out the hostile corpus for {@code bench/compare-cli.sh}, which runs two kvmount jars over
 * it and compares their output byte for byte. For every case of {@code cases.tsv} it builds, as
 * {@link HostileCorpusTest} does before a run, a directory {@code <out>/<case>/} holding {@code
 * host/} (the host directories and links the {@code @HOST@} placeholder names), {@code stage1/}
 * with the case's fixture ({@link StageFixtures}), {@code in/pod.json} (placeholder replaced), and
 * {@code args} (the case's extra arguments, one a line), {@code exit} (the expected exit code).
 *
 * <p>Usage: {@code java -cp cli/target/test-classes io.kvmount.cli.CompareCorpus CORPUS_DIR OUT}
 * with {@code CORPUS_DIR} the committed {@code cli/src/test/resources/hostile}.
 */
final class CompareCorpus {
  private CompareCorpus() {}

  /**
   * Writes the case directories.
   *
   * @param args the corpus directory and the output directory (created; must not hold the cases)
   * @throws IOException if reading the corpus or writing a case fails
   */
  public static void main(String[] args) throws IOException {
    Path corpus = Path.of(args[0]);
    Path out = Files.createDirectories(Path.of(args[1]));
    int n = 0;
    for (String line : Files.readAllLines(corpus.resolve("cases.tsv"), StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", 5);
      String file = f[0];
      Path dir = Files.createDirectories(out.resolve(file.substring(0, file.length() - ".json".length())));
      Path host = Files.createDirectories(dir.resolve("host"));
      Files.createDirectories(host.resolve("data"));
      Files.createDirectories(host.resolve("a,b"));
      Files.writeString(host.resolve("file"), "not a directory\n");
      Files.createSymbolicLink(host.resolve("dangling"), dir.resolve("nowhere"));
      Files.createSymbolicLink(host.resolve("link-to-data"), host.resolve("data"));
      Path stage1 = Files.createDirectories(dir.resolve("stage1"));
      StageFixtures.build(f[2], stage1, dir);
      byte[] json = HostileCorpusTest.replace(Files.readAllBytes(corpus.resolve(file)), "@HOST@", host.toString());
      Files.write(Files.createDirectories(dir.resolve("in")).resolve("pod.json"), json);
      List<String> extra = f[3].equals("-") ? List.of() : List.of(f[3].split(" "));
      Files.write(dir.resolve("args"), extra, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("exit"), f[1] + "\n");
      n++;
    }
    System.out.println(n + " cases in " + out);
  }
}
