package io.kvmount.e2e;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class that runs {@link FstabGenerator} (reported as skipped, with the reason)
 * unless the e2e suite is enabled and the Debian 13 root is cached; see {@link
 * E2eEnvironment#requireFstabGenerator()}. In mode {@code required} it never disables: the class's
 * {@code @BeforeAll} then fails on a missing prerequisite.
 */
public final class FstabGeneratorCondition implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String reason = E2eEnvironment.fromSystemProperties().reasonToSkipFstabGenerator();
    if (reason == null) {
      return ConditionEvaluationResult.enabled("systemd 257 generator tests enabled");
    }
    if (context.getTestMethod().isEmpty()) {
      System.err.println(reason + " [" + context.getDisplayName() + "]");
    }
    return ConditionEvaluationResult.disabled(reason);
  }
}
