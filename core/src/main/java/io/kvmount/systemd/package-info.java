/**
 * The systemd toolkit: faithful ports of systemd 252's unit-name escaping ({@link
 * io.kvmount.systemd.SystemdEscape}, same as {@code systemd-escape} and {@code
 * src/basic/unit-name.c}), validated unit names ({@link io.kvmount.systemd.UnitName}), and a
 * unit-file model with a serializer and a parser that reads files the way systemd 252's {@code
 * config_parse()} does ({@link io.kvmount.systemd.UnitFile}).
 *
 * <p>systemd is the reference, not go-systemd: go-systemd writes one hex digit for bytes below
 * 0x10, does not simplify {@code .} components, does not refuse {@code ..}, and parses
 * continuation lines, comments and CR differently.
 *
 * <p>Pure functions and immutable values: no file system access, no logging. Depends only on
 * {@code io.kvmount.error} and {@code io.kvmount.path}.
 */
package io.kvmount.systemd;
