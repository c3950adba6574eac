package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden tests of the sealed routes for every appc golden case: the report of {@code generate
 * --dry-run --emit credentials} (the fstab.extra lines and the SMBIOS argument) and {@code --emit
 * cmdline} (the kernel words), on an image that holds the case's mount points. Files {@code
 * credentials.txt} and {@code cmdline.txt} beside each case; a case a sealed route refuses records
 * its exit code and message. Update with {@code -Dgolden.update=true} and read the diff.
 */
class SealedGoldenTest {

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> credentialsAndCmdline() throws IOException {
    List<Path> cases = GoldenOutputTest.cases();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(5);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> {
      // The image: every mount point the unit route would make, as the image's builder would.
      Path image = Files.createDirectories(tmp.resolve(c.getFileName().toString()));
      CliRunner.Result units = GoldenOutputTest.run(c, "json");
      assertThat(units.exit()).as(units.err()).isZero();
      for (JsonNode m : new ObjectMapper().readTree(units.out()).get("mounts")) {
        Files.createDirectories(image.resolve(m.get("where").asText().substring(1)));
      }
      for (String route : List.of("credentials", "cmdline")) {
        CliRunner.Result r = GoldenOutputTest.run(c, "text", image.toString(), "--emit", route);
        String out = r.exit() == 0
            ? r.out()
            : "exit " + r.exit() + "\n" + r.err();
        GoldenOutputTest.compare(c.resolve(route + ".txt"), out.replace(image.toString(), "@IMAGE@"));
        if (r.exit() == 0) {
          assertThat(r.out()).contains(route.equals("credentials") ? "Credential fstab.extra" : "Kernel command line (");
        }
      }
    }));
  }
}
