/**
 * Format-neutral JSON reading for kvmount's input documents, over Jackson's streaming parser: the
 * checks on a document's bytes ({@link io.kvmount.json.JsonBytes}: UTF-8, no byte order mark, no
 * raw control characters), its limits and parser factory ({@link io.kvmount.json.JsonLimits}), a
 * token cursor for readers that build their records field by field ({@link
 * io.kvmount.json.JsonCursor} and {@link io.kvmount.json.ObjectFields}: keys matched like Go's
 * encoding/json, repeated keys refused, unknown values skipped but checked), field paths ({@link
 * io.kvmount.json.FieldPath}, {@code apps[1].mounts[0].path}), and the text of one-line messages
 * ({@link io.kvmount.json.Messages}: quoting, Jackson's failures rewritten without its internals).
 *
 * <p>A reader of one format (the appc reader in {@code io.kvmount.manifest}) supplies its limits,
 * its format's name and an {@link io.kvmount.json.ErrorFactory} that makes its own checked
 * exception; everything here throws through that factory, so messages and field paths are the same
 * whichever format is read. No data binding (start-up: see BENCHMARKS.md).
 *
 * <p>Dependencies: jackson-core and the JDK only. It must not depend on any other kvmount package
 * ({@code manifest} and {@code plan} among them); the format readers depend on it. No file I/O: the
 * caller reads the bytes.
 */
package io.kvmount.json;
