package io.kvmount.e2e;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a VM test class (reported as skipped, with the reason) unless the suite is enabled and
 * its prerequisites are present; see {@link E2eEnvironment}. In mode {@code required} it never
 * disables: the class's {@code @BeforeAll} then fails on a missing prerequisite.
 */
public final class E2eCondition implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String reason = E2eEnvironment.fromSystemProperties().reasonToSkip();
    if (reason == null) {
      return ConditionEvaluationResult.enabled("kvmount e2e suite enabled");
    }
    if (context.getTestMethod().isEmpty()) {
      System.err.println(reason + " [" + context.getDisplayName() + "]");
    }
    return ConditionEvaluationResult.disabled(reason);
  }
}
