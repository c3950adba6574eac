package io.kvmount.e2e;

import java.util.List;

/** The pod share over 9p: one {@code virtio-9p-pci} device for 128 host volumes and the rest. */
class PodShareInGuestTest extends PodShareInGuestBase {
  @Override
  String workName() {
    return "pod-share";
  }

  @Override
  void requireReady() {
    ENV.requireReady();
  }

  @Override
  int many() {
    return 128;
  }

  @Override
  String fstype() {
    return "9p";
  }

  @Override
  List<String> transportOptions(GuestPod pod) {
    return List.of();
  }
}
