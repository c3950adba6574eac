#!/usr/bin/env bash
# Whole-process benchmarks of the kvmount CLI, side by side with a reference command, in
# alternating pairs (A B A B ...) so that drift in the machine's speed hits both alike.
#
#   bench/run-cli-bench.sh [-n PAIRS] [-d WORKDIR] [-b OTHER_CHECKOUT] [start] [scale] [memory] [vs]
#
#   start   ./kvmount generate on the appc example pod (bench/pods/pod_runtime.json) into an
#           empty stage1 rootfs, against `java -cp DIR Hello` (a bare JVM, hello world).
#   scale   ./kvmount generate of synthetic pods of 10, 100 and 1,000 apps (10 mounts each, over
#           100 host volumes; bench/gen-pod.sh) into an empty stage1 rootfs, against `cp -a` of
#           the very tree kvmount writes (copied into a fresh destination on the same file system).
#   memory  peak RSS of the 1,000-app run (GNU time), and its GC log.
#   vs      this checkout against another one (-b DIR, e.g. a `git worktree add DIR REF` of the
#           commit before a change): the start-up pod and the 1,000-app pod, ./kvmount of each in
#           alternating pairs, so a change's cost is measured side by side in one run.
#   (none)  start, scale and memory.
#
# WORKDIR (default /dev/shm/kvmount-bench) should be on tmpfs: on disk, run times vary several
# fold with the page cache and writeback. Every run gets a fresh, empty stage1 rootfs or copy
# destination, made and removed outside the timed region. Times are from bash's `time` (wall,
# user and system CPU of the command and its children). Prints per-pair figures, the median of
# each, the ratio of the medians and the median of the per-pair ratios.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pairs=9
work=/dev/shm/kvmount-bench
other=
while getopts "n:d:b:" opt; do
  case $opt in
    n) pairs=$OPTARG ;;
    d) work=$OPTARG ;;
    b) other=$(cd "$OPTARG" && pwd) ;;
    *) echo "usage: $0 [-n PAIRS] [-d WORKDIR] [-b OTHER_CHECKOUT] [start] [scale] [memory] [vs]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(start scale memory)

kvmount="$here/kvmount"
export LC_ALL=C.UTF-8
TIMEFORMAT='%3R %3U %3S'

rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# Builds the jar and the class-data archive if needed, outside any timing.
"$kvmount" generate --pod-manifest "$here/bench/pods/pod_runtime.json" --stage1-rootfs "$work" \
  --dry-run --allow-missing-sources >/dev/null 2>&1 || true
if [ -n "$other" ]; then
  [ -x "$other/kvmount" ] || { echo "-b $other: no kvmount launcher there" >&2; exit 2; }
  "$other/kvmount" generate --pod-manifest "$here/bench/pods/pod_runtime.json" --stage1-rootfs "$work" \
    --dry-run --allow-missing-sources >/dev/null 2>&1 || true
fi
rm -rf "$work"
mkdir -p "$work"

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)," \
  "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo);" \
  "$(java -version 2>&1 | sed -n 1p); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "work directory: $work ($(stat -f -c %T "$work"))"

# time_run FILE CMD...: runs CMD with stdout and stderr discarded; appends "wall user sys".
time_run() {
  local out=$1
  shift
  { time "$@" >/dev/null 2>&1; } 2>>"$out"
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# report LABEL_A FILE_A LABEL_B FILE_B: medians, ratios of medians, median of pair ratios.
report() {
  local la=$1 fa=$2 lb=$3 fb=$4
  printf '  %-28s wall %7.3f s  cpu %7.3f s (median of %d)\n' "$la" \
    "$(awk '{print $1}' "$fa" | median)" "$(awk '{print $2 + $3}' "$fa" | median)" "$(wc -l < "$fa")"
  printf '  %-28s wall %7.3f s  cpu %7.3f s (median of %d)\n' "$lb" \
    "$(awk '{print $1}' "$fb" | median)" "$(awk '{print $2 + $3}' "$fb" | median)" "$(wc -l < "$fb")"
  local wa wb ca cb
  wa=$(awk '{print $1}' "$fa" | median); wb=$(awk '{print $1}' "$fb" | median)
  ca=$(awk '{print $2 + $3}' "$fa" | median); cb=$(awk '{print $2 + $3}' "$fb" | median)
  printf '  ratio A/B: wall %.2fx, cpu %.2fx (of medians); wall %.2fx, cpu %.2fx (median of pair ratios)\n' \
    "$(awk -v a="$wa" -v b="$wb" 'BEGIN {print a / b}')" "$(awk -v a="$ca" -v b="$cb" 'BEGIN {print a / b}')" \
    "$(paste -d' ' "$fa" "$fb" | awk '{print $1 / $4}' | median)" \
    "$(paste -d' ' "$fa" "$fb" | awk '{print ($2 + $3) / ($5 + $6)}' | median)"
}

bench_start() {
  echo
  echo "== start: ./kvmount generate (appc pod_runtime.json, --allow-missing-sources, empty stage1 rootfs) vs java Hello; $pairs pairs"
  mkdir -p "$work/hello"
  printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' \
    > "$work/hello/Hello.java"
  javac -d "$work/hello" "$work/hello/Hello.java"
  local pod="$here/bench/pods/pod_runtime.json" fa="$work/start-a" fb="$work/start-b" i
  : > "$fa"; : > "$fb"
  for ((i = 0; i <= pairs; i++)); do
    rm -rf "$work/s1"; mkdir "$work/s1"
    local ta="$fa" tb="$fb"
    if [ "$i" -eq 0 ]; then ta=/dev/null; tb=/dev/null; fi # warm-up pair
    time_run "$ta" "$kvmount" generate --pod-manifest "$pod" --stage1-rootfs "$work/s1" --allow-missing-sources
    [ -f "$work/s1/usr/lib/systemd/system/mnt-dbvolume.mount" ] || { echo "kvmount wrote nothing" >&2; exit 1; }
    time_run "$tb" java -cp "$work/hello" Hello
  done
  report "A ./kvmount generate" "$fa" "B java Hello" "$fb"
  rm -rf "$work/s1"
}

bench_scale() {
  echo
  echo "== scale: ./kvmount generate vs cp -a of the tree it writes; 10 mounts per app, 100 host volumes; $pairs pairs each"
  mkdir -p "$work/src"
  local v n
  for ((v = 0; v < 100; v++)); do mkdir -p "$work/src/vol-$v"; done
  for n in 10 100 1000; do
    local pod="$work/pod$n.json" fa="$work/scale$n-a" fb="$work/scale$n-b" i
    "$here/bench/gen-pod.sh" "$n" 10 100 "$work/src" > "$pod"
    rm -rf "$work/ref"; mkdir "$work/ref"
    "$kvmount" generate --pod-manifest "$pod" --stage1-rootfs "$work/ref" >/dev/null
    echo " $n apps: the tree has $(find "$work/ref" -type f | wc -l) files and $(find "$work/ref" -type d | wc -l) directories, $(du -sk "$work/ref" | cut -f1) KiB"
    : > "$fa"; : > "$fb"
    for ((i = 0; i <= pairs; i++)); do
      rm -rf "$work/s1" "$work/copy"; mkdir "$work/s1"
      local ta="$fa" tb="$fb"
      if [ "$i" -eq 0 ]; then ta=/dev/null; tb=/dev/null; fi
      time_run "$ta" "$kvmount" generate --pod-manifest "$pod" --stage1-rootfs "$work/s1"
      time_run "$tb" cp -a "$work/ref" "$work/copy"
    done
    report "A kvmount generate ($n apps)" "$fa" "B cp -a ($n apps)" "$fb"
    rm -rf "$work/s1" "$work/copy"
  done
}

bench_memory() {
  echo
  echo "== memory: 1,000 apps, default heap"
  mkdir -p "$work/src"
  local v
  for ((v = 0; v < 100; v++)); do mkdir -p "$work/src/vol-$v"; done
  "$here/bench/gen-pod.sh" 1000 10 100 "$work/src" > "$work/pod1000.json"
  rm -rf "$work/s1"; mkdir "$work/s1"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '  peak RSS %M KiB, %R minor page faults, %e s wall, %U s user, %S s sys' \
      "$kvmount" generate --pod-manifest "$work/pod1000.json" --stage1-rootfs "$work/s1" 2>&1 >/dev/null | tail -1
  else
    echo "  /usr/bin/time (GNU time) not installed: peak RSS not measured"
  fi
  echo "  transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
  rm -rf "$work/s1"; mkdir "$work/s1"
  # The launcher's own JVM options (collector, young generation, huge pages), plus a GC log:
  # the java launcher adds JDK_JAVA_OPTIONS to its command line (and says so on stderr).
  JDK_JAVA_OPTIONS="-Xlog:gc:file=$work/gc.log" "$kvmount" generate \
    --pod-manifest "$work/pod1000.json" --stage1-rootfs "$work/s1" >/dev/null 2>&1
  echo "  GC log (-Xlog:gc):"
  sed 's/^/    /' "$work/gc.log"
  rm -rf "$work/s1"
}

bench_vs() {
  [ -n "$other" ] || { echo "vs needs -b OTHER_CHECKOUT" >&2; exit 2; }
  echo
  echo "== vs: ./kvmount of this checkout ($(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')) against $other ($(git -C "$other" rev-parse --short HEAD 2>/dev/null || echo '?')); $pairs pairs each"
  mkdir -p "$work/src"
  local v
  for ((v = 0; v < 100; v++)); do mkdir -p "$work/src/vol-$v"; done
  "$here/bench/gen-pod.sh" 1000 10 100 "$work/src" > "$work/pod1000.json"
  local name pod extra
  for name in start 1000; do
    if [ "$name" = start ]; then
      pod="$here/bench/pods/pod_runtime.json"; extra=--allow-missing-sources
    else
      pod="$work/pod1000.json"; extra=--hypervisor=qemu
    fi
    local fa="$work/vs$name-a" fb="$work/vs$name-b" i
    : > "$fa"; : > "$fb"
    for ((i = 0; i <= pairs; i++)); do
      local ta="$fa" tb="$fb"
      if [ "$i" -eq 0 ]; then ta=/dev/null; tb=/dev/null; fi # warm-up pair
      rm -rf "$work/s1"; mkdir "$work/s1"
      time_run "$ta" "$kvmount" generate --pod-manifest "$pod" --stage1-rootfs "$work/s1" "$extra"
      [ -d "$work/s1/usr/lib/systemd/system" ] || { echo "this checkout's kvmount wrote nothing" >&2; exit 1; }
      rm -rf "$work/s1"; mkdir "$work/s1"
      time_run "$tb" "$other/kvmount" generate --pod-manifest "$pod" --stage1-rootfs "$work/s1" "$extra"
      [ -d "$work/s1/usr/lib/systemd/system" ] || { echo "the other checkout's kvmount wrote nothing" >&2; exit 1; }
    done
    report "A this checkout ($name)" "$fa" "B other checkout ($name)" "$fb"
  done
  rm -rf "$work/s1"
}

for w in "${what[@]}"; do
  case $w in
    start) bench_start ;;
    scale) bench_scale ;;
    memory) bench_memory ;;
    vs) bench_vs ;;
    *) echo "unknown benchmark \"$w\" (start, scale, memory, vs)" >&2; exit 2 ;;
  esac
done
