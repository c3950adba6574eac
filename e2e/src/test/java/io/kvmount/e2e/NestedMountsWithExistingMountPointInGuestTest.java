package io.kvmount.e2e;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Nested mounts where the host's read-only config directory already has an empty {@code secrets}
 * directory for the child mount point: the parent must be mounted before the child.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NestedMountsWithExistingMountPointInGuestTest extends NestedMountsInGuestBase {
  @BeforeAll
  void boot() throws IOException {
    bootPod("nested-existing", true);
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
