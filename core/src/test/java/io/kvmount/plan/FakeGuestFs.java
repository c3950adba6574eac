package io.kvmount.plan;

import io.kvmount.path.GuestPath;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** An in-memory stage1 rootfs for planner tests: directories, files and symlinks by path. */
final class FakeGuestFs implements GuestFs {
  private final Map<GuestPath, Kind> kinds = new HashMap<>();
  private final Map<GuestPath, String> links = new HashMap<>();

  FakeGuestFs dir(String path) {
    GuestPath p = GuestPath.parse(path);
    while (!p.isRoot()) {
      kinds.putIfAbsent(p, Kind.DIRECTORY);
      p = p.parent();
    }
    return this;
  }

  FakeGuestFs file(String path) {
    GuestPath p = GuestPath.parse(path);
    dir(p.parent().toString());
    kinds.put(p, Kind.FILE);
    return this;
  }

  FakeGuestFs link(String path, String target) {
    GuestPath p = GuestPath.parse(path);
    dir(p.parent().toString());
    kinds.put(p, Kind.SYMLINK);
    links.put(p, target);
    return this;
  }

  /** A device, socket or pipe at {@code path}: {@link Kind#OTHER}. */
  FakeGuestFs other(String path) {
    GuestPath p = GuestPath.parse(path);
    dir(p.parent().toString());
    kinds.put(p, Kind.OTHER);
    return this;
  }

  @Override
  public Kind kind(GuestPath path) {
    if (path.isRoot()) {
      return Kind.DIRECTORY;
    }
    return kinds.getOrDefault(path, Kind.MISSING);
  }

  @Override
  public String readLink(GuestPath path) throws IOException {
    String t = links.get(path);
    if (t == null) {
      throw new IOException("not a link: " + path);
    }
    return t;
  }
}
