package io.kvmount.systemd;

/** SipHash-2-4 (Aumasson and Bernstein), 64-bit output; package-private. */
final class SipHash {
  private SipHash() {}

  private static long rotl(long x, int b) {
    return (x << b) | (x >>> (64 - b));
  }

  private static long le64(byte[] b, int off) {
    long r = 0;
    for (int i = 7; i >= 0; i--) {
      r = (r << 8) | (b[off + i] & 0xffL);
    }
    return r;
  }

  /**
   * Hashes bytes with a 16-byte key.
   *
   * @param key 16 bytes
   * @param in the message
   * @return the 64-bit hash (to be written in little-endian byte order)
   */
  static long hash24(byte[] key, byte[] in) {
    long k0 = le64(key, 0);
    long k1 = le64(key, 8);
    long v0 = 0x736f6d6570736575L ^ k0;
    long v1 = 0x646f72616e646f6dL ^ k1;
    long v2 = 0x6c7967656e657261L ^ k0;
    long v3 = 0x7465646279746573L ^ k1;
    int end = in.length - (in.length % 8);
    long[] v = {v0, v1, v2, v3};
    for (int i = 0; i < end; i += 8) {
      long m = le64(in, i);
      v[3] ^= m;
      round(v);
      round(v);
      v[0] ^= m;
    }
    long b = ((long) in.length) << 56;
    for (int i = in.length % 8 - 1; i >= 0; i--) {
      b |= (in[end + i] & 0xffL) << (8 * i);
    }
    v[3] ^= b;
    round(v);
    round(v);
    v[0] ^= b;
    v[2] ^= 0xff;
    round(v);
    round(v);
    round(v);
    round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
  }

  private static void round(long[] v) {
    v[0] += v[1];
    v[1] = rotl(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl(v[2], 32);
  }
}
