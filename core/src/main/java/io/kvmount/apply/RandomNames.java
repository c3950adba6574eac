package io.kvmount.apply;

import java.io.FileInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random names for temporary files and directories, unguessable so that no other process can
 * prepare a file at the name before kvmount creates it.
 *
 * <p>Thread-safe.
 */
final class RandomNames {

  private RandomNames() {}

  /**
   * A prefix followed by 16 random hex digits (eight bytes).
   *
   * @param prefix the start of the name, such as {@code .kvmount-staging-}
   * @return the name
   */
  static String withPrefix(String prefix) {
    return prefix + HexFormat.of().formatHex(randomBytes());
  }

  /**
   * Eight random bytes, read from {@code /dev/urandom} (the kernel's CSPRNG, as SecureRandom's
   * default uses it on Linux) without setting up the JCA providers, which cost about 10 ms of a
   * small pod's run; {@link SecureRandom} where that device cannot be read.
   */
  private static byte[] randomBytes() {
    byte[] b = new byte[8];
    try (FileInputStream in = new FileInputStream("/dev/urandom")) {
      if (in.readNBytes(b, 0, b.length) == b.length) {
        return b;
      }
    } catch (IOException e) {
      // fall through to SecureRandom
    }
    new SecureRandom().nextBytes(b);
    return b;
  }
}
