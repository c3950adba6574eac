package io.kvmount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The skipped-tests block names every skipped test under its reason, and is silent otherwise. */
class SkippedTestsReportTest {

  /** Run only through the launcher below (surefire leaves nested classes out). */
  static class SkippingExamples {
    @Test
    void needsDot() {
      assumeTrue(false, "Graphviz 'dot' is not installed\n(apt-get install graphviz)");
    }

    @Test
    void alsoNeedsDot() {
      assumeTrue(false, "Graphviz 'dot' is not installed\n(apt-get install graphviz)");
    }

    @Disabled("needs root")
    @Test
    void needsRoot() {}

    @Test
    void runs() {}
  }

  /** Always runs. */
  static class PassingExamples {
    @Test
    void runs() {}
  }

  private static String report(Class<?> examples) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    // Without the listeners the service file registers: this JVM's own report must not list the examples.
    LauncherConfig config = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build();
    LauncherFactory.create(config).execute(
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(examples)).build(),
        new SkippedTestsReport(out));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void namesEachSkippedTestUnderItsOneLineReason() {
    assertThat(report(SkippingExamples.class)).isEqualTo(String.join("\n",
        "kvmount: 3 tests skipped, by reason:",
        "  Graphviz 'dot' is not installed (apt-get install graphviz) (2):",
        "    SkippedTestsReportTest$SkippingExamples > alsoNeedsDot()",
        "    SkippedTestsReportTest$SkippingExamples > needsDot()",
        "  needs root (1):",
        "    SkippedTestsReportTest$SkippingExamples > needsRoot()",
        ""));
  }

  @Test
  void saysNothingWhenNothingWasSkipped() {
    assertThat(report(PassingExamples.class)).isEmpty();
  }
}
