package io.kvmount.e2e;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Nested mounts where the host's read-only config directory has no {@code secrets} directory: the
 * child mount point cannot be made inside the read-only parent in the guest, so kvmount has to
 * provide it (or refuse the manifest clearly; the test expects it to work).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NestedMountsInGuestTest extends NestedMountsInGuestBase {
  @BeforeAll
  void boot() throws IOException {
    bootPod("nested", false);
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
