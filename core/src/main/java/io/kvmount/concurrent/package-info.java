/**
 * The one place where kvmount runs work on more than one thread. {@link
 * io.kvmount.concurrent.Parallel#map} runs one step per item on a shared pool and gives the
 * results, or the failure of the first failed item, in input order; {@link
 * io.kvmount.concurrent.Background} runs one task on a thread of its own and hands its value or
 * failure to whoever joins it. Both run everything on the calling thread when the system property
 * {@code kvmount.serial} is {@code true}, so a test can compare a serial run with a parallel one.
 *
 * <p>Allowed dependencies: the JDK only. Every other kvmount package may use it.
 */
package io.kvmount.concurrent;
