/**
 * The only code in kvmount that writes files: {@link io.kvmount.apply.PlanWriter} applies a {@link
 * io.kvmount.plan.Plan} to a stage1 rootfs (confined, atomic, idempotent) in three steps: the plan
 * is checked ({@code DesiredTree}), the tree is read into a {@link io.kvmount.apply.Changes} value
 * ({@code TreeAnalysis}; {@code --dry-run} prints it), and the changes are carried out ({@code
 * ChangeExecutor}, with {@code ModeAndOwner}, {@code StagingDirectory} and {@code StateFile}, which
 * also owns the format of {@code .kvmount/state}). {@link
 * io.kvmount.apply.NioGuestFs} is the read-only, never-following view of a stage1 rootfs the
 * planner uses to resolve mount targets.
 *
 * <p>Every guest path is walked component by component from the stage1 rootfs without following
 * symbolic links (the model is filepath-securejoin); a symlink or a non-directory where a directory
 * is needed makes the writer refuse before it changes anything.
 *
 * <p>Allowed dependencies: {@code io.kvmount.plan}, {@code io.kvmount.path}, {@code
 * io.kvmount.error}, {@code io.kvmount.digest}, {@code io.kvmount.concurrent} and the JDK. The
 * facade ({@code io.kvmount.Kvmount}), {@code io.kvmount.verify} (for the planner's view of a
 * stage1 rootfs and the state file's format) and the command line depend on this package.
 */
package io.kvmount.apply;
