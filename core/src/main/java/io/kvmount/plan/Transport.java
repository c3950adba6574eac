package io.kvmount.plan;

/** How a host directory reaches the guest. */
public enum Transport {
  /** virtio-9p: the guest mounts with {@code Type=9p} and {@code trans=virtio}. */
  NINE_P("9p"),
  /** virtio-fs: a virtiofsd daemon per share; the guest mounts with {@code Type=virtiofs}. */
  VIRTIOFS("virtiofs");

  private final String id;

  Transport(String id) {
    this.id = id;
  }

  /**
   * Returns the name used on the command line and in JSON: {@code 9p} or {@code virtiofs}.
   *
   * @return the name used on the command line and in JSON: {@code 9p} or {@code virtiofs}
   */
  public String id() {
    return id;
  }

  /**
   * Looks a transport up by its {@link #id()}.
   *
   * @param id {@code 9p} or {@code virtiofs}
   * @return the transport
   * @throws IllegalArgumentException for any other text
   */
  public static Transport of(String id) {
    for (Transport t : values()) {
      if (t.id.equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown transport \"" + id + "\" (expected 9p or virtiofs)");
  }
}
