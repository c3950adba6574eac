package io.kvmount.e2e;

import java.util.List;

/**
 * The pod share over virtio-fs: one {@code vhost-user-fs-pci} device and one virtiofsd (the real
 * 1.13.2) for the whole pod; 16 host volumes besides the named ones keep the boot short.
 */
class PodShareVirtiofsInGuestTest extends PodShareInGuestBase {
  @Override
  String workName() {
    return "pod-share-virtiofs";
  }

  @Override
  void requireReady() {
    ENV.requireVirtiofs();
  }

  @Override
  int many() {
    return 16;
  }

  @Override
  String fstype() {
    return "virtiofs";
  }

  @Override
  List<String> transportOptions(GuestPod pod) {
    return List.of("--transport", "virtiofs", "--runtime-dir", pod.work().resolve("run").toString(),
        "--virtiofsd", ENV.virtiofsd().toString());
  }
}
