package io.kvmount;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says in the build output which tests were skipped and why. Surefire's summary counts skipped
 * tests but names neither them nor the reason (a missing {@code dot}, no root); the reason was only
 * in the XML reports. At the end of each test run this prints one block to standard output: every
 * reason, then the tests it skipped. Nothing is printed when nothing was skipped.
 *
 * <p>Registered through {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}
 * in core's test resources; the cli module gets it with core's test jar. Counts both kinds of
 * skip: a disabled test ({@code executionSkipped}) and a failed assumption ({@code ABORTED}).
 */
public final class SkippedTestsReport implements TestExecutionListener {
  private final Map<String, List<String>> byReason = new TreeMap<>();
  private final PrintStream out;
  private TestPlan plan;

  /** Creates the listener printing to standard output; JUnit's launcher does this through the service file. */
  public SkippedTestsReport() {
    this(System.out);
  }

  /** Creates the listener printing to {@code out}. */
  SkippedTestsReport(PrintStream out) {
    this.out = out;
  }

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    plan = testPlan;
    byReason.clear();
  }

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    record(test, reason == null || reason.isBlank() ? "disabled" : reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      String reason = result.getThrowable().map(Throwable::getMessage).orElse(null);
      record(test, reason == null || reason.isBlank() ? "an assumption did not hold" : reason);
    }
  }

  private synchronized void record(TestIdentifier test, String reason) {
    String oneLine = reason.replaceAll("\\s+", " ").replaceFirst("^Assumption failed: ", "").strip();
    byReason.computeIfAbsent(oneLine, r -> new ArrayList<>()).add(name(test));
  }

  private String name(TestIdentifier test) {
    List<String> parts = new ArrayList<>();
    for (TestIdentifier t = test; t != null; t = plan == null ? null : plan.getParent(t).orElse(null)) {
      if (t.getParentId().isEmpty()) {
        break; // the engine's own node
      }
      parts.add(0, t.getDisplayName());
    }
    return String.join(" > ", parts);
  }

  @Override
  public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
    if (byReason.isEmpty()) {
      return;
    }
    int total = byReason.values().stream().mapToInt(List::size).sum();
    out.println("kvmount: " + total + " test" + (total == 1 ? "" : "s") + " skipped, by reason:");
    byReason.forEach((reason, tests) -> {
      out.println("  " + reason + " (" + tests.size() + "):");
      tests.stream().limit(5).forEach(t -> out.println("    " + t));
      if (tests.size() > 5) {
        out.println("    ... and " + (tests.size() - 5) + " more");
      }
    });
    out.flush();
  }
}
