/**
 * Content hashing: {@link io.kvmount.digest.Sha256} gives the SHA-256 of bytes in lower-case hex,
 * the form kvmount's state file, {@code kvmount verify} and the mount-tag suffixes use. Pure
 * functions; depends on the JDK only, and every other kvmount package may use it.
 */
package io.kvmount.digest;
