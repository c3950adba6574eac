package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.plan.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every unit kvmount generates for the golden cases is accepted by the real {@code systemd-analyze
 * verify} (exit 0 and empty stderr), and every mount unit's file name is what the real {@code
 * systemd-escape --path --suffix=mount} gives for its {@code Where=}. Drop-ins are verified through
 * a stand-in {@code <app>.service} in the same directory, so a required unit that does not exist
 * fails the test.
 */
class SystemdAcceptsGoldenUnitsTest {

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> goldenUnits() throws IOException {
    return Golden.cases().stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
  }

  private void check(Path caseDir) throws Exception {
    Map<String, String> out = GoldenTest.render(caseDir);
    verifySet(out, "units/", tmp.resolve(caseDir.getFileName().toString()));
    verifySet(out, "virtiofs-units/", tmp.resolve(caseDir.getFileName() + "-virtiofs"));
  }

  private void verifySet(Map<String, String> out, String prefix, Path dir) throws Exception {
    Files.createDirectories(dir);
    List<String> unitFiles = new ArrayList<>();
    List<String> wheres = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, String> e : out.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      String rel = e.getKey().substring(prefix.length());
      Path p = dir.resolve(rel);
      Files.createDirectories(p.getParent());
      Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
      if (rel.endsWith(".mount")) {
        unitFiles.add(p.toString());
        names.add(rel);
        wheres.add(e.getValue().lines().filter(l -> l.startsWith("Where=")).findFirst().orElseThrow()
            .substring("Where=".length()).replace("%%", "%"));
      } else if (rel.contains(".service.d/")) {
        String service = rel.substring(0, rel.indexOf(".service.d/")) + ".service";
        Path sp = dir.resolve(service);
        if (!Files.exists(sp)) {
          Files.writeString(sp, "[Service]\nExecStart=/bin/true\n");
          unitFiles.add(sp.toString());
        }
      }
    }
    if (unitFiles.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no", "--generators=no"));
    cmd.addAll(unitFiles);
    Result r = run(cmd);
    assertThat(r.stderr).as("systemd-analyze verify stderr").isEmpty();
    assertThat(r.exit).as("systemd-analyze verify exit").isZero();

    if (!wheres.isEmpty()) {
      List<String> esc = new ArrayList<>(List.of("systemd-escape", "--path", "--suffix=mount", "--"));
      esc.addAll(wheres);
      Result e = run(esc);
      assertThat(e.exit).isZero();
      assertThat(List.of(e.stdout.strip().split(" "))).isEqualTo(names); // systemd-escape joins outputs with spaces
    }
  }

  record Result(int exit, String stdout, String stderr) {}

  static Result run(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    int code = p.waitFor();
    return new Result(code, new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }
}
