#!/usr/bin/env bash
# Runs kvmount's sealed-image route on the shipped example pod: builds a stand-in for a sealed image
# under /tmp/kvmount-example/sealed-image (recreated on every run) that holds the example's app mount
# points and services, then prints the fstab.extra credential and the QEMU arguments that carry it.
# Nothing is written into the image. Extra options go to generate (try --emit cmdline, or
# --format json).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base=/tmp/kvmount-example
image="$base/sealed-image"
mkdir -p "$base/host/site/uploads" "$base/host/user uploads"
rm -rf "$image"
# What the image's builder puts in: every mount point kvmount lists (generate refuses with the list
# when one is missing) and the apps' services. A real image also holds systemd 254 or newer.
mkdir -p "$image/opt/stage2/web/rootfs/srv/www" "$image/opt/stage2/web/rootfs/var/cache/web" \
  "$image/opt/stage2/backup/rootfs/backup/site" "$image/opt/stage2/backup/rootfs/backup/uploads" \
  "$image/usr/lib/systemd/system"
printf '[Service]\nExecStart=/usr/bin/web\n' > "$image/usr/lib/systemd/system/web.service"
printf '[Service]\nExecStart=/usr/bin/backup\n' > "$image/usr/lib/systemd/system/backup.service"
# The route: --emit credentials unless the options name another.
emit=credentials
prev=
for a in "$@"; do
  case "$prev" in --emit) emit=$a ;; esac
  case "$a" in --emit=*) emit=${a#--emit=} ;; esac
  prev=$a
done
args=("$@")
case " $* " in *" --emit "*|*" --emit="*) ;; *) args+=(--emit "$emit") ;; esac
"$here/../kvmount" generate --pod-manifest "$here/pod.json" --stage1-rootfs "$image" "${args[@]}"
"$here/../kvmount" verify --pod-manifest "$here/pod.json" --stage1-rootfs "$image" --emit "$emit"
