/**
 * The only code in kvmount that writes files: {@link io.kvmount.apply.PlanWriter} applies a {@link
 * io.kvmount.plan.Plan} to a stage1 rootfs (confined, atomic, idempotent), and {@link
 * io.kvmount.apply.NioGuestFs} is the read-only, never-following view of a stage1 rootfs the
 * planner uses to resolve mount targets.
 *
 * <p>Every guest path is walked component by component from the stage1 rootfs without following
 * symbolic links (the model is filepath-securejoin); a symlink or a non-directory where a directory
 * is needed makes the writer refuse before it changes anything.
 *
 * <p>Allowed dependencies: {@code io.kvmount.plan}, {@code io.kvmount.path}, {@code
 * io.kvmount.error} and the JDK. Nothing in kvmount except the command line depends on this
 * package.
 */
package io.kvmount.apply;
