/**
 * kvmount's public facade ({@link io.kvmount.Kvmount}). The packages below it: {@code manifest}
 * (appc model and reader), {@code path} (value types), {@code systemd} (unit names and files),
 * {@code plan} (appc rules and the pure planner), {@code hypervisor} (backend arguments) and
 * {@code apply} (the only package that writes files).
 */
package io.kvmount;
