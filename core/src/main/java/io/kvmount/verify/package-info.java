/**
 * Checks a stage1 rootfs that {@code kvmount generate} wrote: {@link io.kvmount.verify.Verifier}
 * reads the units kvmount wrote (with kvmount's own unit-file parser, {@link
 * io.kvmount.systemd.UnitFile#parse(String)}), kvmount's state file and the empty-volume
 * directories, optionally compares them with a {@link io.kvmount.plan.Plan} made from the pod
 * manifest, and reports every problem as a {@link io.kvmount.verify.Finding}.
 *
 * <p><b>This package touches the file system</b>, like {@code io.kvmount.apply}, but only reads
 * it: it never creates, changes or removes anything in the stage1 rootfs. Paths inside the
 * stage1 rootfs are walked component by component without following symbolic links. When asked
 * to, it also runs the real {@code systemd-analyze verify} on copies of the units in a temporary
 * directory (created under {@code java.io.tmpdir} and removed afterwards).
 *
 * <p>Allowed dependencies: {@code io.kvmount.plan}, {@code io.kvmount.systemd}, {@code
 * io.kvmount.path}, {@code io.kvmount.apply} (only {@link io.kvmount.apply.StateFile}, the owner of
 * the state file's format), {@code io.kvmount.digest}, {@code io.kvmount.error} and the JDK. Nothing in kvmount except the facade and the command line depends
 * on this package.
 */
package io.kvmount.verify;
