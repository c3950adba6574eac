/**
 * Exceptions shared by all kvmount packages. {@link io.kvmount.error.InvalidInputException}
 * (exit 3) is the base for manifest, plan and unit errors; I/O failures are plain {@link
 * java.io.IOException}s with context (exit 1). Depends on nothing else in kvmount.
 */
package io.kvmount.error;
