package io.kvmount.plan.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Helpers for golden-file trees: discovery, reading, writing and a readable diff. */
public final class Golden {
  private Golden() {}

  /** Whether {@code -Dgolden.update=true} asks to rewrite expectations. */
  public static boolean update() {
    return Boolean.getBoolean("golden.update");
  }

  /** The golden case directories (test resources on the class path), sorted. */
  public static List<Path> cases() throws IOException {
    Path root;
    try {
      root = Path.of(Golden.class.getResource("/golden").toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  /** Maps a case directory under target/test-classes back to src/test/resources. */
  public static Path sourceDir(Path caseDir) {
    String s = caseDir.toString().replace("/target/test-classes/", "/src/test/resources/");
    return Path.of(s);
  }

  /** Reads every file under {@code dir} into a sorted map of relative path to UTF-8 text. */
  public static Map<String, String> readTree(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Replaces {@code dir} with exactly the given files. */
  public static void writeTree(Path dir, Map<String, String> files) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.delete(p);
        }
      }
    }
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
    }
  }

  /** Lists missing, extra and differing files, with the first differing line of each. */
  public static List<String> diff(Map<String, String> expected, Map<String, String> actual) {
    List<String> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    for (String k : keys) {
      String e = expected.get(k);
      String a = actual.get(k);
      if (e == null) {
        out.add("+ extra file " + k + ":\n" + indent(a));
      } else if (a == null) {
        out.add("- missing file " + k);
      } else if (!e.equals(a)) {
        String[] el = e.split("\n", -1);
        String[] al = a.split("\n", -1);
        int n = Math.max(el.length, al.length);
        for (int i = 0; i < n; i++) {
          String x = i < el.length ? el[i] : "<end>";
          String y = i < al.length ? al[i] : "<end>";
          if (!x.equals(y)) {
            out.add("~ " + k + " line " + (i + 1) + ":\n    expected: " + x + "\n    actual:   " + y);
            break;
          }
        }
      }
    }
    return out;
  }

  private static String indent(String s) {
    return "    " + s.replace("\n", "\n    ");
  }
}
