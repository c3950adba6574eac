#!/bin/bash
# Pod-share host setup for N volumes (every second one read-only) against a shell loop making
# the same binds: `mount --bind` for each, plus `mount -o remount,bind,ro` for the read-only ones,
# then one `umount` of all. Both set up and tear down, so each run starts from nothing.
# Usage (root, after `mvn -o -pl core test-compile`):
#   bench/hostshare-vs-shell.sh kvmount|shell BASE N
set -euo pipefail
what=$1 base=$2 n=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
case $what in
  kvmount)
    exec java -XX:TieredStopAtLevel=1 -Xshare:auto \
      -cp "$repo/core/target/classes:$repo/core/target/test-classes" \
      io.kvmount.hostshare.PodShareBenchMain "$base/kvmount" "$n" ;;
  shell)
    b=$base/shell
    dirs=() targets=()
    for ((i = 0; i < n; i++)); do
      dirs+=("$b/src/$i" "$b/share/v$i")
    done
    mkdir -p "${dirs[@]}" # one process, so the loop spawns only mount
    for ((i = 0; i < n; i++)); do
      mount --bind "$b/src/$i" "$b/share/v$i"
      if ((i % 2 == 1)); then
        mount -o remount,bind,ro "$b/share/v$i"
      fi
      targets+=("$b/share/v$i")
    done
    umount "${targets[@]}"
    rm -r "$b/share" ;;
  *) echo "usage: $0 kvmount|shell BASE N" >&2; exit 2 ;;
esac
