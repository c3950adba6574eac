/**
 * OCI runtime bundles as kvmount reads them: a bundle directory, its {@code config.json}
 * (runtime-spec 1.0.0 to 1.3.x) as records, and the reader that checks it ({@link
 * io.kvmount.oci.OciReader}, failing with {@link io.kvmount.oci.OciException}). Only what kvmount
 * uses is modelled: {@code ociVersion}, {@code root} and {@code mounts}; every other key is checked
 * for being well-formed JSON and skipped. Knows nothing of planning: the planner maps the records.
 *
 * <p>Dependencies: {@code io.kvmount.json} (the format-neutral cursor the appc reader uses too),
 * {@code io.kvmount.error}, and jackson-core's token type. File I/O: {@link
 * io.kvmount.oci.OciReader#readBundle} reads the one {@code config.json}; nothing is written.
 */
package io.kvmount.oci;
