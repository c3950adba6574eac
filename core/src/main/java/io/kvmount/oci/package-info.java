/**
 * OCI runtime bundles as kvmount reads them: a bundle directory, its {@code config.json}
 * (runtime-spec 1.0.0 to 1.3.x) as records, and the reader that checks it. Only what kvmount uses
 * is modelled: {@code ociVersion}, {@code root} and {@code mounts}; every other key is checked for
 * being well-formed JSON and skipped. Knows nothing of planning: the planner maps the records.
 */
package io.kvmount.oci;
