/**
 * Path and mode value types: {@link io.kvmount.path.GuestPath} (absolute, normalised, never
 * climbs with {@code ..}), {@link io.kvmount.path.RelativePath} (read from a base the user names,
 * never leaves it) and {@link io.kvmount.path.FileMode}. Pure values; depends on nothing
 * else in kvmount.
 */
package io.kvmount.path;
