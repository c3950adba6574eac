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
 * <p>How a document is read, in order: {@code ManifestReader} (the public entry, limits) makes a
 * {@code SchemaReader} per document, which opens an {@link io.kvmount.json.JsonCursor} over the
 * bytes (byte and size checks, then Jackson's tokens) and reads the appc objects field by field:
 * pod and image manifests, runtime apps, app sections, mount points and mounts itself, volume
 * objects through {@code VolumeReader}. Once the pod is read, {@code PodChecks} runs the rules that
 * need all of it (unique names, declared volumes, agreeing {@code appVolume}s). {@code Text} holds
 * the checks on names, paths and versions that the records' constructors share with the reader.
 * Every message goes through {@code SchemaReader}, the cursor's {@link
 * io.kvmount.json.ErrorFactory}, as a {@code ManifestException}.
 *
 * <p>A second input format (such as an OCI runtime bundle's {@code config.json}) gets a package of
 * its own beside this one and reuses {@code io.kvmount.json}: {@link io.kvmount.json.JsonCursor}
 * with {@link io.kvmount.json.ObjectFields} for the tokens, limits and key matching, and {@link
 * io.kvmount.json.Messages} (with {@link io.kvmount.json.FieldPath}) for the message text. It
 * brings its own limits ({@link io.kvmount.json.JsonLimits}), its schema readers and an {@code
 * ErrorFactory} for its own exception; it does not depend on this package, nor this one on it.
 *
 * <p>Dependencies: {@code io.kvmount.json} (the JSON cursor and message text), {@code
 * io.kvmount.path} (FileMode, GuestPath), {@code io.kvmount.error}, and Jackson's streaming parser
 * (jackson-core: only its token type here; parsing stays in {@code io.kvmount.json}). No file I/O:
 * the caller reads the bytes.
 */
package io.kvmount.manifest;
