/**
 * The host side of the pod share ({@code --share pod}): kvmount owns one directory on the host
 * (the share directory) and bind-mounts every host volume into it, each at a name the caller
 * chooses, so the whole directory can go to the guest as one 9p or virtio-fs device. {@link
 * io.kvmount.hostshare.PodShare} reads the host ({@code analyse}, no side effects), carries the
 * changes out ({@code apply}), undoes them ({@code release}) and checks them ({@code verify}).
 *
 * <p>Host mounts are made with util-linux {@code mount} and {@code umount}, run as processes with
 * an argument vector (never a shell), as root. kvmount's records (the journal of the entries it
 * owns, and the private staging mount for read-only binds) live beside the share directory, in
 * {@code <parent>/.<name>.kvmount/}, never inside it: the guest can write the share directory.
 *
 * <p>Allowed dependencies: {@code error}, {@code path}, {@code digest}, {@code concurrent}; never
 * {@code manifest}, {@code plan} or {@code apply} (the caller turns a plan into a {@link
 * io.kvmount.hostshare.ShareSpec}). Besides {@code apply}, the only package that writes files: it
 * writes only the share directory's mount points and its own records, never a stage1 rootfs.
 */
package io.kvmount.hostshare;
