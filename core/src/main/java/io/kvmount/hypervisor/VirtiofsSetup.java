package io.kvmount.hypervisor;

import io.kvmount.plan.Share;
import java.util.ArrayList;
import java.util.List;

/**
 * What a virtio-fs VM needs besides its devices: the guest memory it shares with virtiofsd, and one
 * virtiofsd socket per share. Reports print it so a user can merge the memory arguments with the
 * VM's own and knows which sockets the daemons create.
 *
 * @param runtimeDir the directory of the sockets (absolute; {@code --runtime-dir})
 * @param guestMemory the guest's memory in the hypervisor's size syntax ({@code 1G}); the VM's own
 *     memory size ({@code -m}, {@code --memory size=}) must be the same
 * @param memoryArgs the argv elements, among the hypervisor arguments, that set up the shared
 *     memory ({@code -object memory-backend-memfd,...,share=on -numa node,memdev=...} for QEMU,
 *     {@code --memory size=...,shared=on} for cloud-hypervisor)
 * @param sockets one per share, in share order: the socket its virtiofsd creates and the device
 *     connects to
 */
public record VirtiofsSetup(String runtimeDir, String guestMemory, List<String> memoryArgs, List<Socket> sockets) {

  /**
   * Copies the lists.
   *
   * @param runtimeDir the directory of the sockets
   * @param guestMemory the guest's memory size
   * @param memoryArgs the argv elements that set up the shared memory
   * @param sockets one per share, in share order
   */
  public VirtiofsSetup {
    memoryArgs = List.copyOf(memoryArgs);
    sockets = List.copyOf(sockets);
  }

  /**
   * One virtiofsd socket.
   *
   * @param tag the share's mount tag
   * @param path the socket's path, {@code <runtimeDir>/<tag>.sock}; virtiofsd creates it
   * @param sharedDir the host directory virtiofsd serves
   * @param readOnly whether virtiofsd serves it read-only ({@code --readonly})
   */
  public record Socket(String tag, String path, String sharedDir, boolean readOnly) {}

  /**
   * QEMU's shared guest memory: a memfd backend shared with the daemons, made the guest's RAM
   * through one NUMA node.
   *
   * @param size the guest memory size ({@code 1G})
   * @return {@code -object memory-backend-memfd,id=kvmount-mem,size=SIZE,share=on -numa node,memdev=kvmount-mem}
   */
  static List<String> qemuMemoryArgs(String size) {
    return List.of("-object", "memory-backend-memfd,id=kvmount-mem,size=" + size + ",share=on",
        "-numa", "node,memdev=kvmount-mem");
  }

  /**
   * cloud-hypervisor's shared guest memory.
   *
   * @param size the guest memory size ({@code 1G})
   * @return {@code --memory size=SIZE,shared=on}
   */
  static List<String> cloudHypervisorMemoryArgs(String size) {
    return List.of("--memory", "size=" + size + ",shared=on");
  }

  /**
   * Builds the setup of a virtio-fs VM.
   *
   * @param shares the shares, in plan order (not empty)
   * @param options the runtime directory and guest memory
   * @param memoryArgs the backend's memory arguments ({@link #qemuMemoryArgs} or {@link
   *     #cloudHypervisorMemoryArgs})
   * @return the setup
   */
  static VirtiofsSetup of(List<Share> shares, HypervisorOptions options, List<String> memoryArgs) {
    List<Socket> sockets = new ArrayList<>();
    for (Share s : shares) {
      sockets.add(new Socket(s.tag(), options.socketPath(s.tag()), s.source(), s.readOnly()));
    }
    return new VirtiofsSetup(options.runtimeDir(), options.guestMemory(), memoryArgs, sockets);
  }
}
