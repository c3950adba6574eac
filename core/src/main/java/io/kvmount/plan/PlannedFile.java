package io.kvmount.plan;

import io.kvmount.path.GuestPath;

/**
 * One file kvmount writes: a mount unit or a drop-in.
 *
 * @param path where the file goes, relative to the units directory ({@code mnt-data.mount},
 *     {@code web.service.d/10-kvmount-volumes.conf}); never absolute, never through {@code ..}
 * @param content the exact file text (UTF-8, LF line ends, ending in one newline)
 */
public record PlannedFile(GuestPath path, String content) {}
