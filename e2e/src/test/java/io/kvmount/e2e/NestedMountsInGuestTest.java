package io.kvmount.e2e;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestInstance;

/**
 * Nested mounts (fault class 15) where the host's read-only config directory already holds an empty
 * {@code secrets} directory for the child mount point: the parent must be mounted before the child,
 * the parent read-only, the child writable.
 */
@ExtendWith(E2eCondition.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NestedMountsInGuestTest extends NestedMountsInGuestBase {
  @BeforeAll
  void boot() throws IOException {
    bootPod("nested", true);
  }

  @AfterAll
  void done() throws IOException {
    cleanUp();
  }

  @Test
  void readOnlyParentWithWritableChildMount() throws IOException {
    bothMountsWorkParentReadOnlyChildWritable();
  }
}
