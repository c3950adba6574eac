#!/usr/bin/env bash
# make-configs.sh OUTDIR: have real container engines write OCI runtime config.json files.
#
# Output (all under OUTDIR, which is created if missing and must be empty):
#   versions.txt                      `runc --version`, `crun --version`, `podman --version`
#   runc/config.json                  `runc spec` in an empty bundle directory
#   crun/config.json                  `crun spec` in an empty bundle directory
#   podman-<case>/config.json         what `podman init` wrote for a container created with the
#                                     flags in podman-<case>/command.txt (cases below)
#   <dir>/placeholders.tsv            "literal<TAB>placeholder" lines, longest literal first: the
#                                     temp paths, container id, layer id and creation time that
#                                     <dir>/config.json holds; replace them to compare with a golden
#   <dir>/config.placeholders.json    config.json with those replacements made (sed, byte for byte
#                                     otherwise)
#   w/                                the temp area: host directories and files that the configs
#                                     bind (w/host/...), podman's storage (w/p/); kept, because the
#                                     configs point into it
#
# Podman cases (all `--network none` unless stated; image imported with `podman import` from a
# tarball of a tiny root filesystem built here: busybox as /bin/sh when present, else a few files):
#   volume      -v @HOSTDIR@:/data
#   volume-ro   -v @HOSTDIR2@:/ro:ro
#   mount-file  --mount type=bind,source=@HOSTFILE@,target=/etc/app.conf,readonly
#   tmpfs       --tmpfs /scratch:size=64m,mode=1777
#   read-only   --read-only
#   all         all five above in one container
#   host-net    --network host --hostname kvmount-engines -v @HOSTDIR@:/data: podman also binds
#               /etc/resolv.conf (it does not with none); the fixed hostname keeps the machine's
#               own out of the config
#
# Isolation: podman runs with its own --root, --runroot, --tmpdir, containers.conf, storage.conf
# (driver vfs), registries.conf, network config dir, HOME and XDG dirs, all under OUTDIR/w,
# inside a private mount namespace (unshare) with tmpfs over /run, /var/lib and /var/cache, so the
# files podman and netavark write there regardless of --root (blob-info cache, short-name lock,
# runtime state) never reach the machine. No network, no registry. The runtime is runc with
# cgroupfs under a cgroup parent named after this run, which is removed at the end; the
# containers are stopped (no process is left), not removed, so the files they bind stay.
# Needs root (unshare, podman's root mode).
#
# Determinism: runc and crun output depends only on their version (and, for crun, on the cgroup
# version of the host). Podman's output also holds the temp paths, ids and time listed in
# placeholders.tsv; and podman 4.3 adds its own binds (/etc/hosts, /etc/hostname, /dev/shm,
# /run/.containerenv, /etc/resolv.conf), and with --read-only its tmpfs on /run, /tmp and /var/tmp,
# in Go map order, then sorts all mounts stably by the number of components in the destination: so
# the order of mounts with the same depth changes from run to run (it has no meaning: two distinct
# destinations of one depth cannot nest). process.env is in map order too. Compare mounts of one
# depth as a set, or sort them.
#
# Exit: 0 all written; 2 usage; 4 a needed program is missing or not root (one line on stderr
# starting "make-configs: missing:"); 1 any other failure.
set -euo pipefail
export LC_ALL=C.UTF-8

die() { printf 'make-configs: %s\n' "$*" >&2; exit 1; }
missing() { printf 'make-configs: missing: %s\n' "$*" >&2; exit 4; }

if [ $# -ne 1 ] || [ -z "$1" ]; then
  printf 'usage: make-configs.sh OUTDIR\n' >&2
  exit 2
fi

if [ -z "${KVMOUNT_ENGINES_INNER:-}" ]; then
  absent=()
  for p in runc crun podman conmon unshare; do command -v "$p" >/dev/null || absent+=("$p"); done
  if [ ${#absent[@]} -gt 0 ]; then
    missing "${absent[*]} (apt-get install runc crun podman)"
  fi
  [ "$(id -u)" = 0 ] || missing "root (podman and the private mount namespace need it)"
  mkdir -p -- "$1"
  out=$(cd -- "$1" && pwd -P)
  [ -z "$(ls -A -- "$out")" ] || die "OUTDIR is not empty: $out"
  # conmon's socket path limit: podman refuses a runroot (OUTDIR/w/p/rr) over 50 characters.
  [ ${#out} -le 41 ] || die "OUTDIR path is longer than 41 characters (podman's runroot limit): $out"
  case "$out/" in
    /run/*|/var/lib/*|/var/cache/*) die "OUTDIR must not be under /run, /var/lib or /var/cache: $out" ;;
  esac
  # Everything else runs in a private mount namespace.
  KVMOUNT_ENGINES_INNER=1 exec unshare --mount --propagation private -- bash "$0" "$out"
fi

out=$1
w=$out/w
mkdir -p "$w"
# Paths podman and its helpers use whatever --root says: private, empty, gone with the namespace.
for d in /run /var/lib /var/cache; do mount -t tmpfs -o mode=0755 kvmount-engines "$d"; done
mkdir -p /run/lock

versions=$out/versions.txt
{
  printf '$ runc --version\n'; runc --version
  printf '$ crun --version\n'; crun --version
  printf '$ podman --version\n'; podman --version
} >"$versions"

# The placeholder table shared by all outputs; podman cases add their own lines.
host=$w/host
mkdir -p "$host/data" "$host/ro"
printf 'app=1\n' >"$host/app.conf"
common_tsv=$w/placeholders.common.tsv
printf '%s\t%s\n' \
  "$w/p/rr" '@PODMAN_RUNROOT@' \
  "$w/p/root" '@PODMAN_ROOT@' \
  "$host/app.conf" '@HOSTFILE@' \
  "$host/data" '@HOSTDIR@' \
  "$host/ro" '@HOSTDIR2@' \
  "$w" '@WORK@' >"$common_tsv"

# subst TSV: copy stdin to stdout with each literal of TSV replaced by its placeholder, in the
# order of TSV. Literals are temp paths, hex ids and a timestamp: none holds '|' or a regex
# metacharacter other than '.', which is escaped.
subst() {
  local expr=() lit ph
  while IFS="$(printf '\t')" read -r lit ph; do expr+=(-e "s|${lit//./\\.}|$ph|g"); done <"$1"
  sed "${expr[@]}"
}

# Write DIR/placeholders.tsv (common lines plus the given extra "literal placeholder" pairs, longest
# literal first) and DIR/config.placeholders.json.
placeholders() {
  local dir=$1; shift
  {
    cat "$common_tsv"
    while [ $# -gt 0 ]; do printf '%s\t%s\n' "$1" "$2"; shift 2; done
  } | awk -F '\t' '{ print length($1) "\t" $0 }' | sort -t "$(printf '\t')" -k1,1nr -s | cut -f2- \
    >"$dir/placeholders.tsv"
  subst "$dir/placeholders.tsv" <"$dir/config.json" >"$dir/config.placeholders.json"
}

# runc spec, crun spec: each in an empty bundle directory.
for rt in runc crun; do
  mkdir -p "$w/$rt-bundle" "$out/$rt"
  (cd "$w/$rt-bundle" && "$rt" spec)
  cp "$w/$rt-bundle/config.json" "$out/$rt/config.json"
  printf '%s\n' "cd BUNDLE && $rt spec" >"$out/$rt/command.txt"
  placeholders "$out/$rt"
done

# Podman, isolated.
pw=$w/p
mkdir -p "$pw/root" "$pw/rr" "$pw/tmp" "$pw/networks" "$pw/home/.config" "$pw/xdg" "$pw/runc"
chmod 0700 "$pw/xdg"
cgparent=kvmount-engines-$$
cat >"$pw/containers.conf" <<EOF
[containers]
# Podman's defaults (nofile 1048576, nproc 32768) need CAP_SYS_RESOURCE in the runtime; CI
# machines may lack it, and these limits do not touch mounts.
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
image_copy_tmp_dir = "$pw/tmp"
# crun 1.8 refuses a hybrid cgroup v1/v2 host ("cgroups in hybrid mode not supported"); runc
# initialises a container on such a host and on pure v1 or v2 alike.
runtime = "runc"

[network]
network_backend = "netavark"
network_config_dir = "$pw/networks"
EOF
cat >"$pw/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$pw/root"
runroot = "$pw/rr"
EOF
: >"$pw/registries.conf"
export CONTAINERS_CONF=$pw/containers.conf CONTAINERS_STORAGE_CONF=$pw/storage.conf \
  CONTAINERS_REGISTRIES_CONF=$pw/registries.conf HOME=$pw/home XDG_CONFIG_HOME=$pw/home/.config \
  XDG_RUNTIME_DIR=$pw/xdg TMPDIR=$pw/tmp
pod() {
  podman --root "$pw/root" --runroot "$pw/rr" --tmpdir "$pw/tmp" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend file --runtime runc \
    --runtime-flag "root=$pw/runc" "$@"
}

cleanup() {
  # Stop what `podman init` left waiting (conmon, runc init), keep the containers' files, and
  # remove the cgroup parent (empty once the containers are stopped).
  pod stop --all --time 0 >/dev/null 2>&1 || true
  # conmon runs `podman container cleanup` after the stop, asynchronously: wait (up to 10 s) for
  # every process of this run, known by the storage path in its command line, to be gone.
  local i
  for i in $(seq 50); do pgrep -f -- "$pw/" >/dev/null || break; sleep 0.2; done
  local d
  for d in /sys/fs/cgroup/*/"$cgparent" /sys/fs/cgroup/"$cgparent"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}
trap cleanup EXIT

# A tiny root filesystem, imported as an image.
rootfs=$pw/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/data" "$rootfs/ro" "$rootfs/scratch"
if [ -x /bin/busybox ]; then cp /bin/busybox "$rootfs/bin/sh"; else printf '#!/bin/sh\n' >"$rootfs/bin/sh"; fi
chmod 0755 "$rootfs/bin/sh"
printf 'root:x:0:0:root:/:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\n' >"$rootfs/etc/group"
: >"$rootfs/etc/app.conf"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$pw/rootfs.tar" .
image=localhost/kvmount-engines:1
pod import --quiet "$pw/rootfs.tar" "$image" >/dev/null

# words ARG...: the arguments as one shell command line tail (" a b"), single-quoting only those
# that need it.
words() {
  local a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then printf ' %s' "$a"; else printf " '%s'" "${a//\'/\'\\\'\'}"; fi
  done
}

# podman_case NAME FLAGS...: create, init, copy config.json, then stop.
podman_case() {
  local name=$1; shift
  local dir=$out/podman-$name
  mkdir -p "$dir"
  local id
  id=$(pod create --name "$name" --cgroup-parent "$cgparent" "$@" "$image" /bin/sh)
  pod init "$name" >/dev/null
  local cfg
  cfg=$(pod inspect --format '{{.OCIConfigPath}}' "$name")
  [ -f "$cfg" ] || die "podman init did not write $cfg"
  cp "$cfg" "$dir/config.json"
  pod stop --time 0 "$name" >/dev/null
  { printf 'podman create --cgroup-parent @CGROUP_PARENT@'; words "$@" | subst "$common_tsv"
    printf ' IMAGE /bin/sh\npodman init %s\n' "$name"; } >"$dir/command.txt"
  local layer created
  layer=$(sed -n 's|.*"root":{"path":"[^"]*/\([0-9a-f]\{64\}\)".*|\1|p' "$dir/config.json")
  created=$(sed -n 's|.*"io.kubernetes.cri-o.Created":"\([^"]*\)".*|\1|p' "$dir/config.json")
  local extra=("$id" '@CID@' "${id:0:12}" '@CID12@' "$cgparent" '@CGROUP_PARENT@')
  [ -n "$layer" ] && extra+=("$layer" '@LAYER@')
  [ -n "$created" ] && extra+=("$created" '@CREATED@')
  placeholders "$dir" "${extra[@]}"
}

podman_case volume --network none -v "$host/data:/data"
podman_case volume-ro --network none -v "$host/ro:/ro:ro"
podman_case mount-file --network none --mount "type=bind,source=$host/app.conf,target=/etc/app.conf,readonly"
podman_case tmpfs --network none --tmpfs /scratch:size=64m,mode=1777
podman_case read-only --network none --read-only
podman_case all --network none -v "$host/data:/data" -v "$host/ro:/ro:ro" \
  --mount "type=bind,source=$host/app.conf,target=/etc/app.conf,readonly" \
  --tmpfs /scratch:size=64m,mode=1777 --read-only
podman_case host-net --network host --hostname kvmount-engines -v "$host/data:/data"

printf 'make-configs: wrote %s (host paths under %s; see */placeholders.tsv)\n' "$out" "$w"
