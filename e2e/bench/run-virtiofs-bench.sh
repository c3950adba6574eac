#!/usr/bin/env bash
# virtio-fs against 9p inside a guest, and virtiofsd's cache policies against each other.
#
# Usage (root, after `bash e2e/setup.sh`):  bash e2e/bench/run-virtiofs-bench.sh [ROUNDS]  (default 3)
#
# One boot, one host directory shared four times, every share from `./kvmount generate`:
#   9p      - kvmount's 9p share (QEMU -fsdev/-device and the mount unit with kvmount's default
#             Options=, from `generate --transport 9p`);
#   auto, always, never - virtio-fs shares (vhost-user-fs-pci, one virtiofsd 1.13.2 each) whose
#             daemon lines are the ones `generate --transport virtiofs --virtiofsd-cache <policy>`
#             prints, started unchanged; QEMU args and mount units from `generate --transport
#             virtiofs`. The guest measures on the share mounts /mnt/<volume>.
# In each round, operation by operation, the four shares back to back (order rotated each round):
#   seq-write     dd if=/dev/zero bs=1M count=64 conv=fsync (dd's own time)
#   seq-read      dd of a 64 MiB file written on the host, bs=1M (dd's own time)
#   small-create  2,000 files of 4 KiB (bash printf builtin, no process per file), then sync
#   small-read    reading those 2,000 files with bash's read builtin, after dropping the caches
#   small-reread  the same again at once, caches warm (where the cache policies differ most)
# The guest's page cache is dropped before seq-write, seq-read and small-read. Timing is
# $EPOCHREALTIME (no process start) or dd's own figure: starting a process in a TCG guest costs
# tens of milliseconds.
# Before the rounds, a coherence probe per virtio-fs share: the guest reads a file through the
# share (twice, so it is cached), changes it through the 9p share (for virtiofsd that is a change
# made on the host by someone else), and reads it through the virtio-fs share at once, after 1.5 s
# and after 3 s: "fresh" or "stale".
#
# The medians per share and operation, the median of the per-round ratios to 9p, and the probe go
# into BENCHMARKS.md (section "virtio-fs and 9p in the guest"; other sections are kept). Raw
# results and logs stay in $WORK (default /var/tmp/kvmount-e2e-vfs-bench).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${KVMOUNT_E2E_CACHE:-/var/tmp/kvmount-e2e}"
work="${WORK:-/var/tmp/kvmount-e2e-vfs-bench}"
rounds="${1:-3}"
size_mib="${BENCH_SIZE_MIB:-64}"
small_files="${BENCH_SMALL_FILES:-2000}"
policies=(auto always never)

[ -f "$cache/READY" ] || { echo "run e2e/setup.sh first (no $cache/READY)" >&2; exit 1; }
[ -x "$cache/virtiofsd" ] || { echo "run e2e/setup.sh first (no $cache/virtiofsd)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/host/bench" "$work/run" "$work/s1-9p"
stage1="$work/stage1"
cp -a --reflink=auto "$cache/guest-rootfs" "$stage1"
mkdir -p "$stage1/results" "$stage1/opt/stage2/bench/rootfs"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/host/bench/read.dat"

vols='{"name": "ninep", "kind": "host", "source": "'"$work/host/bench"'"}'
mounts='{"volume": "ninep", "path": "/ninep"}'
for p in "${policies[@]}"; do
  vols+=', {"name": "vfs-'"$p"'", "kind": "host", "source": "'"$work/host/bench"'"}'
  mounts+=', {"volume": "vfs-'"$p"'", "path": "/vfs-'"$p"'"}'
done
cat > "$work/pod.json" <<JSON
{
  "acVersion": "0.7.1", "acKind": "PodManifest",
  "apps": [{
    "name": "bench",
    "image": {"name": "example.com/kvmount-bench", "id": "sha512-$(printf '0%.0s' $(seq 128))"},
    "app": {"exec": ["/bin/true"], "user": "0", "group": "0"},
    "mounts": [$mounts]
  }],
  "volumes": [$vols]
}
JSON
gen() { "$repo/kvmount" generate --pod-manifest "$work/pod.json" --hypervisor qemu --format json "$@"; }
vfs=(--transport virtiofs --runtime-dir "$work/run" --virtiofsd "$cache/virtiofsd")
gen --stage1-rootfs "$stage1" "${vfs[@]}" > "$work/kvmount-virtiofs.json"
gen --stage1-rootfs "$work/s1-9p" --transport 9p > "$work/kvmount-9p.json"
for p in "${policies[@]}"; do
  gen --stage1-rootfs "$stage1" "${vfs[@]}" --virtiofsd-cache "$p" --dry-run > "$work/kvmount-$p.json"
done
# The 9p share's mount unit replaces the virtio-fs one kvmount wrote for volume ninep.
units="$stage1/usr/lib/systemd/system"
cp "$work/s1-9p/usr/lib/systemd/system/mnt-ninep.mount" "$units/mnt-ninep.mount"
kv9p_options="$(grep -h '^Options=' "$units/mnt-ninep.mount" | cut -d= -f2-)"

# QEMU args: 9p's for ninep, virtio-fs's for the rest; daemons: virtiofsd of vfs-<p> from the
# `--virtiofsd-cache <p>` run.
python3 - "$work" "${policies[@]}" <<'PY'
import json, sys
work, policies = sys.argv[1], sys.argv[2:]
load = lambda n: json.load(open(f"{work}/kvmount-{n}.json"))
v, n = load("virtiofs"), load("9p")
def pairs(args):
    return [args[i:i + 2] for i in range(0, len(args), 2)]
args = [a for p in pairs(n["hypervisorArgs"]) if "kvmount-ninep" in p[1] for a in p]
args += [a for p in pairs(v["hypervisorArgs"]) if "kvmount-ninep" not in p[1] for a in p]
with open(f"{work}/qemu.args", "w") as f:
    f.write("\n".join(args) + "\n")
for p in policies:
    d = [d for d in load(p)["daemons"] if d[1] == f"--socket-path={work}/run/vfs-{p}.sock"]
    assert len(d) == 1 and f"--cache={p}" in d[0], (p, d)
    with open(f"{work}/daemon-{p}.argv", "w") as f:
        f.write("\n".join(d[0]) + "\n")
PY
mapfile -t qargs < "$work/qemu.args"
vfs_argv0="virtiofsd $(sed -n '2,$p' "$work/daemon-${policies[0]}.argv" | tr '\n' ' ')"

pids=()
stop_daemons() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_daemons EXIT
for p in "${policies[@]}"; do
  mapfile -t argv < "$work/daemon-$p.argv"
  "${argv[@]}" > "$work/virtiofsd-$p.log" 2>&1 &
  pids+=($!)
  sock="$work/run/vfs-$p.sock"
  for _ in $(seq 600); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || { echo "virtiofsd made no $sock; see $work/virtiofsd-$p.log" >&2; exit 1; }
done

sets="9p=/mnt/ninep"
for p in "${policies[@]}"; do sets+=" $p=/mnt/vfs-$p"; done
cat > "$stage1/bench.sh" <<SH
#!/bin/bash
# Runs in the guest. Output lines:
#   options <set> <fstype> <findmnt options>
#   C <set> <immediately> <after 1.5 s> <after 3 s>          (coherence probe: fresh|stale)
#   R <set> <operation> <round> <seconds> <count>
export LC_ALL=C
sets=($sets)
for s in "\${sets[@]}"; do echo "options \${s%%=*} \$(findmnt -n -o FSTYPE,OPTIONS --mountpoint "\${s#*=}")"; done
secs() { local a=\${1/./} b=\${2/./}; local d=\$((10#\$b - 10#\$a)); printf '%d.%06d' \$((d / 1000000)) \$((d % 1000000)); }
get() { local x=; read -r -d '' x < "\$1"; printf '%s' "\$x"; }
ninep=\${sets[0]#*=}
for s in "\${sets[@]:1}"; do
  set=\${s%%=*} dir=\${s#*=}
  printf old > \$ninep/coh.\$set; get \$dir/coh.\$set > /dev/null; get \$dir/coh.\$set > /dev/null
  printf new-and-longer > \$ninep/coh.\$set
  a=\$(get \$dir/coh.\$set); sleep 1.5; b=\$(get \$dir/coh.\$set); sleep 1.5; c=\$(get \$dir/coh.\$set)
  v() { [ "\$1" = new-and-longer ] && echo fresh || echo "stale(\$1)"; }
  echo "C \$set \$(v "\$a") \$(v "\$b") \$(v "\$c")"
done
ddrun() { # op set round dd-arguments...: one R line from dd's own figure
  local op=\$1 set=\$2 round=\$3 line last; shift 3
  dd "\$@" 2>/tmp/dd.err
  while IFS= read -r line; do last=\$line; done </tmp/dd.err
  set -- \$last
  echo "R \$set \$op \$round \${@: -4:1} \$1"
}
measure() { # op set dir round
  local t0 t1 i x
  case \$1 in
    seq-write)
      sync; echo 3 > /proc/sys/vm/drop_caches
      ddrun seq-write \$2 \$4 if=/dev/zero of=\$3/write.\$2 bs=1M count=$size_mib conv=fsync
      rm -f \$3/write.\$2 ;;
    seq-read)
      sync; echo 3 > /proc/sys/vm/drop_caches
      ddrun seq-read \$2 \$4 if=\$3/read.dat of=/dev/null bs=1M ;;
    small-create)
      rm -rf \$3/small.\$2; mkdir \$3/small.\$2; t0=\$EPOCHREALTIME; i=0
      while [ \$i -lt $small_files ]; do printf '%4096s' '' > \$3/small.\$2/f\$i; i=\$((i + 1)); done
      sync; t1=\$EPOCHREALTIME
      echo "R \$2 small-create \$4 \$(secs \$t0 \$t1) $small_files" ;;
    small-read|small-reread)
      [ \$1 = small-read ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
      t0=\$EPOCHREALTIME; i=0
      while [ \$i -lt $small_files ]; do read -r -d '' x < \$3/small.\$2/f\$i; i=\$((i + 1)); done
      t1=\$EPOCHREALTIME
      echo "R \$2 \$1 \$4 \$(secs \$t0 \$t1) $small_files"
      [ \$1 = small-reread ] && rm -rf \$3/small.\$2 ;;
  esac
}
n=\${#sets[@]}
for ((r = 1; r <= $rounds; r++)); do
  for op in seq-write seq-read small-create small-read small-reread; do
    for ((k = 0; k < n; k++)); do s=\${sets[\$(( (k + r - 1) % n ))]}; measure \$op "\${s%%=*}" "\${s#*=}" \$r; done
  done
done
echo done
SH
cat > "$units/bench.service" <<UNIT
[Unit]
Description=virtio-fs and 9p benchmark
Requires=mnt-ninep.mount mnt-vfs\\x2dauto.mount mnt-vfs\\x2dalways.mount mnt-vfs\\x2dnever.mount
After=mnt-ninep.mount mnt-vfs\\x2dauto.mount mnt-vfs\\x2dalways.mount mnt-vfs\\x2dnever.mount

[Service]
Type=oneshot
ExecStart=/bin/bash /bench.sh
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
  "${qargs[@]}" > "$work/console.log" 2>&1 || true
echo "boot took $(( $(date +%s) - start )) s" >&2
stop_daemons
cp "$stage1/results/bench.txt" "$work/bench.txt"
cp "$stage1/results/bench.err" "$work/bench.err" 2>/dev/null || true
grep -q '^done$' "$work/bench.txt" || echo "benchmark did not finish; reporting the complete rounds; see $work/console.log" >&2

python3 - "$work/bench.txt" "$repo/BENCHMARKS.md" "$kv9p_options" "$size_mib" "$small_files" "$cache/READY" "$vfs_argv0" "$("$cache/virtiofsd" --version | head -n 1)" "$rounds" <<'PY'
import re, statistics, subprocess, sys, datetime, os
res, md, kv9p, size_mib, small_files, ready, vfs_args, vfs_version, asked = sys.argv[1:10]
data, opts, coh, order = {}, {}, {}, []
for line in open(res):
    f = line.split()
    if f[:1] == ['options']:
        opts[f[1]] = ' '.join(f[2:]); order.append(f[1])
    elif f[:1] == ['C']:
        coh[f[1]] = f[2:5]
    elif f[:1] == ['R'] and len(f) == 6:
        s, op, rnd, secs, count = f[1:]
        data.setdefault((s, op), {})[int(rnd)] = (float(secs), int(count))
ops = ['seq-read', 'seq-write', 'small-create', 'small-read', 'small-reread']
rounds = sorted({r for v in data.values() for r in v})
rounds = [r for r in rounds if all(r in data.get((s, op), {}) for s in order for op in ops)]
if not rounds:
    sys.exit("no complete round; nothing to report")
div = {o: (1e6 if o.startswith('seq') else 1) for o in ops}
unit = {o: ('MB/s' if o.startswith('seq') else 'files/s') for o in ops}
rate = lambda s, op, r: data[(s, op)][r][1] / data[(s, op)][r][0] / div[op]
med = lambda s, op: statistics.median(rate(s, op, r) for r in rounds)
ratio = lambda s, op: statistics.median(rate(s, op, r) / rate('9p', op, r) for r in rounds)
span = lambda s, op: (min(rate(s, op, r) / rate('9p', op, r) for r in rounds), max(rate(s, op, r) / rate('9p', op, r) for r in rounds))
vfs_args = ' '.join('--socket-path=...' if a.startswith('--socket-path=') else '--shared-dir=...' if a.startswith('--shared-dir=')
                    else a for a in vfs_args.split() if not a.startswith('--cache='))
fmt = lambda x, op: f"{x:,.0f} {unit[op]}" if x >= 100 else f"{x:,.1f} {unit[op]}"
label = {'seq-read': f'sequential read {size_mib} MiB', 'seq-write': f'sequential write {size_mib} MiB + fsync',
         'small-create': f'create {int(small_files):,} files of 4 KiB + sync',
         'small-read': f'read those {int(small_files):,} files, caches dropped',
         'small-reread': 'read them again, caches warm'}
name = {'9p': '9p (kvmount defaults)'}
for s in order:
    name.setdefault(s, f'virtio-fs `--cache={s}`')
rows = []
for op in ops:
    cells = []
    for s in order:
        if s == '9p':
            cells.append(fmt(med(s, op), op))
        else:
            lo, hi = span(s, op)
            cells.append(f"{fmt(med(s, op), op)}, **{ratio(s, op):.2f}x** ({lo:.2f}–{hi:.2f})")
    rows.append(f"| {label[op]} | " + " | ".join(cells) + " |")
coh_rows = [f"| {name[s]} | " + " | ".join(coh.get(s, ['?'] * 3)) + " |" for s in order if s != '9p']
qemu = subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
kernel = open(ready).read().split()[0].split('=')[1]
section = f"""## virtio-fs and 9p in the guest

Measured by `e2e/bench/run-virtiofs-bench.sh {asked}` on {datetime.date.today().isoformat()} ({os.cpu_count()} cores, QEMU TCG,
{qemu}, {vfs_version}; guest kernel {kernel}, -m 1024 -smp 2; load average
{os.getloadavg()[0]:.1f} when it ended, on a machine shared with other work). One boot; one host directory
shared four times, each from `./kvmount generate`: 9p with kvmount's options (`Options={kv9p}`),
and virtio-fs with the daemon line kvmount prints (`{vfs_args.strip()}`, with
`--cache=` auto, always, never from `--virtiofsd-cache`). {len(rounds)} complete rounds of {asked}; in each round
every operation runs on the four shares back to back (order rotated per round). Figures are
medians; in bold the median of the per-round ratios to 9p, in brackets their range (above 1:
faster than 9p). TCG and a shared machine make absolute figures noisy; compare the ratios.
Sequential figures are dd's own; the small-file loops use bash builtins and `$EPOCHREALTIME`, so
no process start is timed.

| operation | """ + " | ".join(name[s] for s in order) + """ |
| --- | """ + " | ".join('---' for _ in order) + """ |
""" + "\n".join(rows) + """

Coherence: the guest reads a file through the virtio-fs share (twice, so it is cached), changes it
through the 9p share of the same directory (for virtiofsd, a change on the host by someone else),
then reads it through the virtio-fs share again:

| share | at once | after 1.5 s | after 3 s |
| --- | --- | --- | --- |
""" + "\n".join(coh_rows) + """

kvmount prints `--cache=auto` by default (`--virtiofsd-cache` changes it): `always` is excluded by
the coherence probe (a host change not seen after 3 s, so a writable shared volume diverges),
and `never` is coherent at once but slower than `auto` with small files; the reasoning is in the
Javadoc of `core/.../hypervisor/Virtiofsd.java`.

Reproduce (root, after `bash e2e/setup.sh`): `bash e2e/bench/run-virtiofs-bench.sh [ROUNDS]`
(default 3 rounds). It rewrites this section; `e2e/README.md`, "Benchmark", describes it.
"""
text = open(md).read() if os.path.exists(md) else "# Benchmarks\n"
pat = re.compile(r"^## virtio-fs and 9p in the guest\n.*?(?=^## |\Z)", re.S | re.M)
text = pat.sub(lambda m: section + "\n", text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section
open(md, "w").write(text)
print(section)
PY
