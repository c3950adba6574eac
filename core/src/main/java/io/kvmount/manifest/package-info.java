/**
 * The appc manifest model and its reader: what kvmount needs from a pod manifest (apps with their
 * mount points and pod-level mounts, and the pod's host and empty volumes) and from an image
 * manifest (its mount points), as immutable records, and {@link
 * io.kvmount.manifest.ManifestReader}, which turns manifest JSON into them and rejects bad input
 * with a one-line {@link io.kvmount.manifest.ManifestException} naming the field ({@code
 * apps[1].mounts[0].path}).
 *
 * <p>The model follows the appc schema (github.com/appc/spec, v0.7.1 as vendored by rkt v0.10, up
 * to v0.8.11): {@link io.kvmount.manifest.Volume} is sealed ({@code Host} or {@code Empty}); a
 * volume's {@code readOnly} keeps "unset" apart from {@code false}. The reader's differences from
 * appc are listed in its class description.
 *
 * <p>Dependencies: {@code io.kvmount.path} (FileMode, GuestPath), {@code io.kvmount.error}, and
 * Jackson's streaming parser (jackson-core), which stays inside this package. No file I/O: the
 * caller reads the bytes.
 */
package io.kvmount.manifest;
