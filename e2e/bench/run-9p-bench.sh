#!/usr/bin/env bash
# 9p throughput inside a guest: kvmount's default 9p mount options versus rkt's 2015 ones.
#
# Usage (root, after `bash e2e/setup.sh`):  bash e2e/bench/run-9p-bench.sh [ROUNDS]   (default 3)
#
# One boot, one host directory shared twice (two virtio-9p devices on the same path):
#   kvmount  - units and QEMU arguments from `./kvmount generate` for a pod with one host volume
#              `bench` mounted by app `bench` at /bench (the guest uses the app's bind mount);
#   rkt2015  - a hand-written unit like rkt's (Options=trans=virtio, nothing else) on tag `rkt2015`.
# In each round, in alternating order for the two mounts: sequential write (dd 64 MiB, fsync),
# sequential read of a 64 MiB file written on the host (guest page cache dropped first), and
# creating 200 small files (4 KiB each, written by the shell's printf builtin, no fork per file). The guest prints one line per measurement; this script
# takes the median per option set and operation and writes the ratios into BENCHMARKS.md
# (section "9p transport options in the guest"; other sections are kept). Raw results and logs
# stay in $WORK (default /var/tmp/kvmount-e2e-bench).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${KVMOUNT_E2E_CACHE:-/var/tmp/kvmount-e2e}"
work="${WORK:-/var/tmp/kvmount-e2e-bench}"
rounds="${1:-3}"
size_mib=64
small_files=200

[ -f "$cache/READY" ] || { echo "run e2e/setup.sh first (no $cache/READY)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/host/bench"
stage1="$work/stage1"
cp -a --reflink=auto "$cache/guest-rootfs" "$stage1"
mkdir -p "$stage1/results" "$stage1/opt/stage2/bench/rootfs" "$stage1/mnt/rkt2015"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/host/bench/read.dat"

cat > "$work/pod.json" <<JSON
{
  "acVersion": "0.7.1", "acKind": "PodManifest",
  "apps": [{
    "name": "bench",
    "image": {"name": "example.com/kvmount-bench", "id": "sha512-$(printf '0%.0s' $(seq 128))"},
    "app": {"exec": ["/bin/true"], "user": "0", "group": "0"},
    "mounts": [{"volume": "bench", "path": "/bench"}]
  }],
  "volumes": [{"name": "bench", "kind": "host", "source": "$work/host/bench"}]
}
JSON
"$repo/kvmount" generate --pod-manifest "$work/pod.json" --stage1-rootfs "$stage1" \
  --hypervisor qemu --format json > "$work/kvmount.json"
mapfile -t kvargs < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["hypervisorArgs"]))' "$work/kvmount.json")
kv_options="$(grep -h '^Options=' "$stage1/usr/lib/systemd/system/mnt-bench.mount" | cut -d= -f2-)"

units="$stage1/usr/lib/systemd/system"
cat > "$units/mnt-rkt2015.mount" <<UNIT
[Unit]
Description=Mount unit for /mnt/rkt2015 (rkt 2015 options)
DefaultDependencies=false

[Mount]
What=rkt2015
Where=/mnt/rkt2015
Type=9p
Options=trans=virtio
UNIT
mkdir -p "$units/bench.service.d"
printf '[Unit]\nRequires=mnt-rkt2015.mount\nAfter=mnt-rkt2015.mount\n' > "$units/bench.service.d/20-bench-rkt2015.conf"

cat > "$stage1/bench.sh" <<SH
#!/bin/sh
# Runs in the guest. Output: "<option set> <operation> <round> <elapsed ns> <bytes>" per line.
KV=/opt/stage2/bench/rootfs/bench
RKT=/mnt/rkt2015
now() { date +%s%N; }
echo "options kvmount \$(findmnt -n -o OPTIONS --mountpoint \$KV)"
echo "options rkt2015 \$(findmnt -n -o OPTIONS --mountpoint \$RKT)"
one() { # set dir round
  s=\$(now); dd if=/dev/zero of=\$2/write.\$1 bs=1M count=$size_mib conv=fsync 2>/dev/null; e=\$(now)
  echo "\$1 seq-write \$3 \$((e - s)) $((size_mib * 1048576))"; rm -f \$2/write.\$1
  sync; echo 3 > /proc/sys/vm/drop_caches
  s=\$(now); dd if=\$2/read.dat of=/dev/null bs=1M 2>/dev/null; e=\$(now)
  echo "\$1 seq-read \$3 \$((e - s)) $((size_mib * 1048576))"
  mkdir \$2/small.\$1; s=\$(now); i=0
  while [ \$i -lt $small_files ]; do printf '%4096s' '' > \$2/small.\$1/f\$i; i=\$((i + 1)); done
  sync; e=\$(now)
  echo "\$1 small-create \$3 \$((e - s)) $small_files"; rm -rf \$2/small.\$1
}
r=1
while [ \$r -le $rounds ]; do
  if [ \$((r % 2)) -eq 1 ]; then one kvmount \$KV \$r; one rkt2015 \$RKT \$r; else one rkt2015 \$RKT \$r; one kvmount \$KV \$r; fi
  r=\$((r + 1))
done
echo done
SH
cat > "$units/bench.service" <<UNIT
[Unit]
Description=9p benchmark

[Service]
Type=oneshot
ExecStart=/bin/sh /bench.sh
StandardOutput=file:/results/bench.txt
StandardError=file:/results/bench.err
ExecStopPost=/bin/systemctl poweroff --no-block
UNIT
printf '[Unit]\nWants=bench.service\n' > "$units/bench.target"
ln -sfn /usr/lib/systemd/system/bench.target "$stage1/etc/systemd/system/default.target"

start=$(date +%s)
timeout --kill-after=10 "${BENCH_TIMEOUT:-3600}" qemu-system-x86_64 -accel tcg -m 1024 -smp 2 -nographic -no-reboot -nic none \
  -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
  -append "console=ttyS0 panic=-1 quiet kvmount.roottag=kvmount_e2e_root" \
  -fsdev "local,id=kvmount_e2e_root,path=${stage1//,/,,},security_model=none" \
  -device virtio-9p-pci,fsdev=kvmount_e2e_root,mount_tag=kvmount_e2e_root \
  -fsdev "local,id=rkt2015,path=${work//,/,,}/host/bench,security_model=none" \
  -device virtio-9p-pci,fsdev=rkt2015,mount_tag=rkt2015 \
  "${kvargs[@]}" > "$work/console.log" 2>&1 || true
echo "boot took $(( $(date +%s) - start )) s" >&2
cp "$stage1/results/bench.txt" "$work/bench.txt"
if ! grep -q '^done$' "$work/bench.txt"; then
  echo "benchmark did not finish (timeout); reporting the rounds that completed; see $work/console.log" >&2
fi

python3 - "$work/bench.txt" "$repo/BENCHMARKS.md" "$rounds" "$kv_options" <<'PY'
import re, statistics, subprocess, sys, datetime, platform, os
res, md, rounds, kv_options = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
data, opts = {}, {}
for line in open(res):
    f = line.split()
    if f[:1] == ['options']:
        opts[f[1]] = f[2] if len(f) > 2 else ''
    elif len(f) == 5:
        data.setdefault((f[0], f[1]), []).append((int(f[3]), int(f[4])))
complete = min(len(v) for v in data.values()) if len(data) == 6 else 0
if complete == 0:
    sys.exit("no complete round for both option sets; nothing to report")
for k in data:
    data[k] = data[k][:complete]
rounds = complete
def rates(op, s):  # MB/s for sequential, files/s for small files, one per round
    return [n / (ns / 1e9) for ns, n in data[(s, op)]]
def rate(op, s):
    return statistics.median(rates(op, s))
def best(op, s):
    return max(rates(op, s))
ops = [('seq-read', 'sequential read, 64 MiB', 'MB/s', 1e6), ('seq-write', 'sequential write, 64 MiB + fsync', 'MB/s', 1e6),
       ('small-create', 'create 200 files of 4 KiB', 'files/s', 1)]
qemu = subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
rows = []
for op, label, unit, div in ops:
    k, r = rate(op, 'kvmount') / div, rate(op, 'rkt2015') / div
    kb, rb = best(op, 'kvmount') / div, best(op, 'rkt2015') / div
    rows.append(f"| {label} | {k:,.1f} {unit} | {r:,.1f} {unit} | **{k / r:.2f}x** | {kb:,.1f} / {rb:,.1f} {unit} = {kb / rb:.2f}x |")
section = f"""## 9p transport options in the guest

Measured by `e2e/bench/run-9p-bench.sh` on {datetime.date.today().isoformat()} ({os.cpu_count()} cores, QEMU TCG, {qemu};
guest kernel {open('/var/tmp/kvmount-e2e/READY').read().split()[0].split('=')[1]}). One boot; the same host directory shared twice and mounted with
kvmount's default options (`Options={kv_options}`, from `./kvmount generate`) and with rkt's 2015
options (`Options=trans=virtio`); {rounds} rounds in alternating order; medians, and the best
round of each (least disturbed by other load); ratios are kvmount / rkt (above 1 means kvmount's
defaults are faster). Load average on the host when the run ended: {os.getloadavg()[0]:.1f}. The guest's page cache is dropped
before each read. Under TCG on a shared 2-core machine the absolute figures are noisy; compare
the ratios, which come from one boot.

Effective mount options in the guest (`findmnt`):
- kvmount: `{opts.get('kvmount', '?')}`
- rkt 2015: `{opts.get('rkt2015', '?')}`

| operation | kvmount defaults (median) | rkt 2015 `trans=virtio` (median) | ratio of medians | best rounds, kvmount / rkt |
| --- | --- | --- | --- | --- |
""" + "\n".join(rows) + "\n"
text = open(md).read() if os.path.exists(md) else "# Benchmarks\n"
pat = re.compile(r"^## 9p transport options in the guest\n.*?(?=^## |\Z)", re.S | re.M)
text = pat.sub(lambda m: section + "\n", text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section
open(md, "w").write(text)
print(section)
PY
