package io.kvmount.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 (FIPS 180-4) of bytes, as 64 lower-case hex digits.
 *
 * <p>Thread-safe: each thread has a {@link MessageDigest} of its own, made on its first call.
 * Looking the algorithm up through the JCA providers for each of 10,000 files cost more than
 * hashing them, and a digest object cannot be shared between threads.
 */
public final class Sha256 {

  /** One digest per thread (see the class description). */
  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java platform has SHA-256", e);
            }
          });

  private static final HexFormat HEX = HexFormat.of();

  private Sha256() {}

  /**
   * Hashes bytes.
   *
   * @param bytes the input; not changed
   * @return the SHA-256 of {@code bytes}, 64 lower-case hex digits
   */
  public static String hex(byte[] bytes) {
    MessageDigest md = DIGEST.get();
    md.reset();
    return HEX.formatHex(md.digest(bytes));
  }

  /**
   * Hashes the UTF-8 encoding of a string.
   *
   * @param text the input (a lone surrogate is encoded as {@code ?}, as {@link String#getBytes}
   *     does)
   * @return the SHA-256 of the UTF-8 bytes of {@code text}, 64 lower-case hex digits
   */
  public static String hexOfUtf8(String text) {
    return hex(text.getBytes(StandardCharsets.UTF_8));
  }
}
