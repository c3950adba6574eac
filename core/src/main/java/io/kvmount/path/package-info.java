/**
 * Path and mode value types: {@link io.kvmount.path.GuestPath} (absolute, normalised, never
 * climbs with {@code ..}) and {@link io.kvmount.path.FileMode}. Pure values; depends on nothing
 * else in kvmount.
 */
package io.kvmount.path;
