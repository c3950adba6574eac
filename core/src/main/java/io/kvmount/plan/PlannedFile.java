package io.kvmount.plan;

import io.kvmount.path.RelativePath;

/**
 * One file kvmount writes: a mount unit, a service or a drop-in. Immutable and thread-safe.
 *
 * @param path where the file goes, relative to the units directory ({@code mnt-data.mount},
 *     {@code web.service.d/10-kvmount-volumes.conf}); the planner never leaves it empty (the writer
 *     refuses an empty one)
 * @param content the exact file text (UTF-8, LF line ends, ending in one newline)
 */
public record PlannedFile(RelativePath path, String content) {}
