#!/usr/bin/env bash
# Prepares everything kvmount's VM end-to-end suite needs, outside the repository.
#
# Run as root (CI does). Idempotent: installs the Debian packages if missing, then builds and
# caches under $KVMOUNT_E2E_CACHE (default /var/tmp/kvmount-e2e):
#   guest-rootfs/   Debian bookworm minbase with systemd (mmdebstrap); the tests copy it per boot
#                   and use the copy as the stage1 rootfs
#   guest-rootfs-trixie/
#                   Debian trixie minbase with systemd 257 (mmdebstrap), the same quick-boot
#                   settings; FstabGenerator runs its systemd-fstab-generator (read-only, in a
#                   private mount namespace), and a Debian 13 guest can boot from a copy of it
#   virtiofsd-root/ Debian trixie minbase with virtiofsd 1.13 (mmdebstrap): virtiofsd needs glibc
#                   2.39, newer than Debian 12's; it runs from this root with the root's own loader
#   virtiofsd       wrapper: runs virtiofsd-root's virtiofsd with that loader and those libraries
#   initrd.img      tiny busybox initramfs: loads virtio, 9p and virtio-fs modules, mounts the 9p
#                   root, switch_root
#   vmlinuz         the guest kernel (a copy of /boot/vmlinuz-<version>)
#   initrd.img.inputs  fingerprint of what initrd.img was packed from
#   READY           written last; its presence means the cache is complete
# A cache whose inputs (kernel version, this script) changed is refreshed: pieces that are present
# (the roots) are kept, missing ones are built, the small ones (wrapper, initrd, kernel) are
# replaced only when their content changes. Set KVMOUNT_E2E_REBUILD=1 to rebuild everything.
set -euo pipefail

cache="${KVMOUNT_E2E_CACHE:-/var/tmp/kvmount-e2e}"
start=$(date +%s)
log() { echo "e2e-setup: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (apt-get, mmdebstrap, files owned by other uids in the guest rootfs)"
  exit 1
fi

# Quick, quiet boots under TCG (idempotent, re-applied whenever the cache is refreshed). A fixed
# machine id: an empty one makes systemd wait for the entropy pool (about 50 s under TCG). Masked:
# units this test guest does not need (no getty, timers, sysusers, tmpfiles, utmp, kernel API
# file systems nobody uses). The units under test, the journal and the mount machinery stay. A
# mask of a unit the root does not have (the list covers bookworm and trixie) is a dangling link
# to /dev/null, which systemd ignores.
quick_boot() {
  local root="$1" u
  echo 6b766d6f756e74653265677565737400 > "$root/etc/machine-id"
  echo kvmount-e2e > "$root/etc/hostname"
  for u in serial-getty@ttyS0.service getty@tty1.service getty.target systemd-timesyncd.service \
           apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer \
           timers.target systemd-sysusers.service systemd-tmpfiles-setup.service \
           systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.timer systemd-update-utmp.service \
           systemd-update-utmp-runlevel.service systemd-random-seed.service systemd-sysctl.service \
           systemd-modules-load.service modprobe@.service systemd-remount-fs.service \
           systemd-journal-flush.service systemd-journal-catalog-update.service \
           systemd-update-done.service systemd-hwdb-update.service ldconfig.service \
           dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
           sys-kernel-config.mount sys-fs-fuse-connections.mount proc-sys-fs-binfmt_misc.automount \
           systemd-binfmt.service systemd-pcrphase.service systemd-pcrphase-sysinit.service \
           systemd-firstboot.service systemd-machine-id-commit.service systemd-repart.service \
           systemd-pstore.service systemd-boot-system-token.service; do
    ln -sfn /dev/null "$root/etc/systemd/system/$u"
  done
}

need_pkgs=()
for p in qemu-system-x86 linux-image-amd64 mmdebstrap busybox-static cpio kmod; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = 'install ok installed' ] || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >&2
fi
log "packages ready after $(( $(date +%s) - start )) s"

# Newest installed kernel that has a matching module tree.
kver=""
for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V); do
  [ -d "/lib/modules/$k/kernel" ] && kver="$k"
done
[ -n "$kver" ] || { log "no /boot/vmlinuz-* with /lib/modules/<version>; is linux-image-amd64 installed?"; exit 1; }

stamp="kernel=$kver script=$(sha256sum "$0" | cut -c1-16)"
if [ -z "${KVMOUNT_E2E_REBUILD:-}" ] && [ -f "$cache/READY" ] && [ "$(cat "$cache/READY")" = "$stamp" ] \
   && [ -x "$cache/virtiofsd-root/usr/libexec/virtiofsd" ] \
   && [ -x "$cache/guest-rootfs-trixie/usr/lib/systemd/systemd" ]; then
  log "cache $cache is current ($stamp); nothing to do ($(( $(date +%s) - start )) s)"
  exit 0
fi

mkdir -p "$cache"

# --- Debian 13 guest rootfs ---------------------------------------------------------------------
# systemd 257 (Debian 12 has 252, which ignores fstab.extra and systemd.mount-extra=). Built before
# READY is removed: it only adds a directory, so suites running from the rest of the cache are not
# disturbed while it builds (about a minute).
troot="$cache/guest-rootfs-trixie"
if [ -n "${KVMOUNT_E2E_REBUILD:-}" ] || [ ! -x "$troot/usr/lib/systemd/systemd" ]; then
  log "building Debian 13 guest rootfs with mmdebstrap (trixie, minbase + systemd)"
  rm -rf "$troot.tmp"
  mmdebstrap --variant=minbase --include=systemd,systemd-sysv,util-linux,mount \
    trixie "$troot.tmp" >&2
  quick_boot "$troot.tmp"
  rm -rf "$troot"
  mv "$troot.tmp" "$troot"
fi
quick_boot "$troot"
log "Debian 13 guest rootfs ready after $(( $(date +%s) - start )) s ($(du -sh "$troot" | cut -f1), $(chroot "$troot" /usr/lib/systemd/systemd --version | head -n 1))"

rm -f "$cache/READY"

# --- guest rootfs -------------------------------------------------------------------------------
if [ -n "${KVMOUNT_E2E_REBUILD:-}" ] || [ ! -x "$cache/guest-rootfs/lib/systemd/systemd" ]; then
  log "building guest rootfs with mmdebstrap (bookworm, minbase + systemd)"
  rm -rf "$cache/guest-rootfs.tmp"
  mmdebstrap --variant=minbase --include=systemd,systemd-sysv,util-linux,mount \
    bookworm "$cache/guest-rootfs.tmp" >&2
  rm -rf "$cache/guest-rootfs"
  mv "$cache/guest-rootfs.tmp" "$cache/guest-rootfs"
fi

quick_boot "$cache/guest-rootfs"
log "guest rootfs ready after $(( $(date +%s) - start )) s ($(du -sh "$cache/guest-rootfs" | cut -f1))"

# --- virtiofsd ----------------------------------------------------------------------------------
# Debian 12 has no virtiofsd, and Debian 13's needs glibc 2.39. A Debian 13 root of its own holds
# it; the machine's libc and apt sources stay untouched (mmdebstrap uses its own lists). The
# wrapper starts the binary with that root's dynamic loader and library path, so no chroot and no
# bind mounts are needed: the daemon sees the host's paths exactly as kvmount prints them, and its
# namespace sandbox pivot_roots into the shared directory after the libraries are loaded.
vroot="$cache/virtiofsd-root"
if [ -n "${KVMOUNT_E2E_REBUILD:-}" ] || [ ! -x "$vroot/usr/libexec/virtiofsd" ]; then
  log "building virtiofsd root with mmdebstrap (trixie, minbase + virtiofsd)"
  rm -rf "$vroot.tmp"
  mmdebstrap --variant=minbase --include=virtiofsd trixie "$vroot.tmp" >&2
  rm -rf "$vroot"
  mv "$vroot.tmp" "$vroot"
fi
cat > "$cache/virtiofsd.tmp" <<'WRAP'
#!/bin/sh
# virtiofsd from the Debian 13 root next to this script, with that root's loader and libraries
# (written by kvmount's e2e/setup.sh).
r="$(dirname "$(readlink -f "$0")")/virtiofsd-root"
exec "$r/lib64/ld-linux-x86-64.so.2" --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" \
  "$r/usr/libexec/virtiofsd" "$@"
WRAP
chmod 0755 "$cache/virtiofsd.tmp"
if cmp -s "$cache/virtiofsd.tmp" "$cache/virtiofsd"; then rm -f "$cache/virtiofsd.tmp"; else mv "$cache/virtiofsd.tmp" "$cache/virtiofsd"; fi
vver="$("$cache/virtiofsd" --version 2>&1 | head -n 1)" || { log "virtiofsd does not run: $vver"; exit 1; }
log "virtiofsd ready after $(( $(date +%s) - start )) s ($vver)"

# --- initramfs ----------------------------------------------------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$work/bin/busybox"
for a in sh mount umount mkdir insmod switch_root sleep cat echo poweroff; do
  ln -s busybox "$work/bin/$a"
done
# Order matters: each module needs the symbols of the ones before it (`modinfo -F depends`:
# virtiofs needs fuse, virtio and virtio_ring). The guest root has no /lib/modules, so the
# virtio-fs mounts kvmount's units make later find fuse and virtiofs loaded here.
mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p fuse virtiofs"
for m in $mods; do
  f="$(modinfo -k "$kver" -n "$m" 2>/dev/null || true)"
  case "$f" in
    ""|"(builtin)") echo "$m" >> "$work/lib/modules/builtin"; continue ;;
  esac
  case "$f" in
    *.ko.xz) xz -dc "$f" > "$work/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" > "$work/lib/modules/$m.ko" ;;
    *.ko.gz) gzip -dc "$f" > "$work/lib/modules/$m.ko" ;;
    *) cp "$f" "$work/lib/modules/$m.ko" ;;
  esac
done
cat > "$work/init" <<INIT
#!/bin/sh
# kvmount e2e initramfs: root filesystem is the 9p share tagged by kvmount.roottag= (default root).
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $mods; do
  [ -f /lib/modules/\$m.ko ] && insmod /lib/modules/\$m.ko
done
tag=root
for w in \$(cat /proc/cmdline); do
  case "\$w" in kvmount.roottag=*) tag="\${w#kvmount.roottag=}" ;; esac
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap "\$tag" /newroot; then
  echo "kvmount-e2e-initrd: cannot mount 9p root tag \$tag" > /dev/console
  poweroff -f
fi
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /lib/systemd/systemd
INIT
chmod 0755 "$work/init"
# Replaced only when its content changes (names, link targets, file bytes; cpio's mtimes would
# differ on every build), so a refresh does not swap the file under a running boot needlessly.
inputs="$(cd "$work" && { find . -printf '%y %p %l\n' | sort; find . -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-64)"
if [ -f "$cache/initrd.img" ] && [ "$(cat "$cache/initrd.img.inputs" 2>/dev/null)" = "$inputs" ]; then
  log "initramfs unchanged"
else
  (cd "$work" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$cache/initrd.img.tmp"
  mv "$cache/initrd.img.tmp" "$cache/initrd.img"
  echo "$inputs" > "$cache/initrd.img.inputs"
fi
if ! cmp -s "/boot/vmlinuz-$kver" "$cache/vmlinuz"; then
  cp "/boot/vmlinuz-$kver" "$cache/vmlinuz.tmp"
  mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
fi
echo "$stamp" > "$cache/READY"
log "done: $cache (kernel $kver) after $(( $(date +%s) - start )) s"
