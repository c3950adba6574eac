#!/usr/bin/env bash
# Byte-identity check of the CLI against a baseline commit (issue 18): builds the baseline's jar
# in a temporary clone and the current tree's jar, runs both over the golden cases (cli's
# golden-output and core's golden inputs) and the hostile corpus with the same arguments, and
# compares stdout, stderr and the exit code of every run byte for byte. Prints one line per
# difference; exits 0 when there is none, 1 when there is one, 2 on a usage or build error.
#
#   bench/compare-cli.sh REF [--baseline-jar JAR] [--keep] [--strip-dry-run-changes]
#
# REF: the baseline commit (e.g. fa45a4b). --baseline-jar: use that jar (built from REF) instead
# of building REF. --keep: keep the work directory (its path is printed) to read the outputs.
# --strip-dry-run-changes: compare dry runs without what a dry run gained after REF on purpose
# (issue 18): the text report's last section "Changes a run would make in the stage1 rootfs:"
# and the JSON object's last fields "changes"/"changesError" are removed from the current tree's
# dry-run output before comparing; everything else must still be byte-identical.
#
# The runs, per golden case: generate --dry-run with --format text, json, args and dot (the
# golden tests' options); for core's cases also every hypervisor and transport in args and json;
# generate writing a stage1 rootfs (text), again (json: nothing changes), verify with and
# without the pod manifest, verify and generate --dry-run after a unit was changed and another
# removed. Per hostile case: generate as HostileCorpusTest runs it, then verify where generate
# succeeded. Plus --help,
# --version, escape and a usage error. Each jar runs on its own copy of every case (same layout,
# fixtures rebuilt at that place, restored after each case); the copy's path (also as escaped in
# unit names) is replaced by <ROOT> and the work directory's by <TMP> before comparing.
set -euo pipefail
export LC_ALL=C.UTF-8
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

ref="" base_jar="" keep=0 strip_changes=0
while [ $# -gt 0 ]; do
  case $1 in
    --baseline-jar) base_jar=$(realpath "$2"); shift 2 ;;
    --keep) keep=1; shift ;;
    --strip-dry-run-changes) strip_changes=1; shift ;;
    -h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "compare-cli: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$ref" ] || { echo "compare-cli: one REF only" >&2; exit 2; }; ref=$1; shift ;;
  esac
done
[ -n "$ref" ] || { echo "usage: bench/compare-cli.sh REF [--baseline-jar JAR] [--keep] [--strip-dry-run-changes]" >&2; exit 2; }
git -C "$repo" rev-parse -q --verify "$ref^{commit}" >/dev/null \
  || { echo "compare-cli: $ref is not a commit" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/kvmount-compare.XXXXXX")"
if [ $keep = 1 ]; then
  echo "compare-cli: work directory $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

# --- build both jars ------------------------------------------------------------------------
if [ -z "$base_jar" ]; then
  echo "compare-cli: building $ref in a temporary clone..." >&2
  git clone -q --shared --no-checkout "$repo" "$work/base-src"
  git -C "$work/base-src" checkout -q --detach "$ref"
  (cd "$work/base-src" && mvn -B -q -o -Dstyle.color=never package -DskipTests -pl cli -am) >&2 \
    || { echo "compare-cli: building $ref failed" >&2; exit 2; }
  base_jar="$work/base-src/cli/target/kvmount.jar"
fi
echo "compare-cli: building the current tree..." >&2
# package compiles the test classes too (-DskipTests only skips running them): the corpus
# writer is one of them.
(cd "$repo" && mvn -B -q -o -Dstyle.color=never package -DskipTests -pl cli -am) >&2 \
  || { echo "compare-cli: building the current tree failed" >&2; exit 2; }
cp "$repo/cli/target/kvmount.jar" "$work/new.jar"
cp "$base_jar" "$work/base.jar"

# --- lay out the cases, once per jar ----------------------------------------------------------
layout() { # ROOT
  local root=$1 c
  mkdir -p "$root/cli-golden" "$root/core-golden"
  for c in "$repo"/cli/src/test/resources/golden-output/*/; do
    c=${c%/}; c=${c##*/}
    cp -a "$repo/cli/src/test/resources/golden-output/$c" "$root/cli-golden/$c"
    mkdir -p "$root/cli-golden/$c/stage1"
  done
  for c in "$repo"/core/src/test/resources/golden/*/; do
    c=${c%/}; c=${c##*/}
    mkdir -p "$root/core-golden/$c/stage1"
    cp -a "$repo/core/src/test/resources/golden/$c/input/." "$root/core-golden/$c/"
  done
  java -cp "$repo/cli/target/test-classes" io.kvmount.cli.CompareCorpus \
    "$repo/cli/src/test/resources/hostile" "$root/hostile" >/dev/null
  cp -a "$root" "$root.pristine"
}
# Two roots of the same length: messages give columns and lengths that count the path's bytes.
layout "$work/r1"
layout "$work/r2"

# --- run ----------------------------------------------------------------------------------------
jvm=(-XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:+UseSerialGC -Xshare:auto)

# one NAME ARG...: runs the jar, keeps normalised stdout, stderr and exit code under $out/NAME.
one() {
  local name=$1 rc=0; shift
  mkdir -p "$(dirname "$out/$name")"
  (cd "$root" && timeout 120 java "${jvm[@]}" -jar "$jar" "$@" >"$out/$name.out.raw" 2>"$out/$name.err.raw") || rc=$?
  echo "$rc" >"$out/$name.rc"
  local f
  for f in out err; do
    R=$root E=$esc J=${esc//\\/\\\\} W=$work perl -pe \
      's/\Q$ENV{R}\E/<ROOT>/g; s/\Q$ENV{J}\E/<ROOT-ESCAPED>/g; s/\Q$ENV{E}\E/<ROOT-ESCAPED>/g; s/\Q$ENV{W}\E/<TMP>/g' \
      "$out/$name.$f.raw" >"$out/$name.$f"
    rm -f "$out/$name.$f.raw"
  done
}

restore() { # DIR relative to root
  rm -rf "${root:?}/$1"
  cp -a "$root.pristine/$1" "$root/$1"
}

# image manifests of a case directory as --image-manifest options
images() { # DIR
  local i
  img=()
  for i in "$1"/images/*.json; do
    [ -e "$i" ] || continue
    local app=${i##*/}; app=${app%.json}
    img+=(--image-manifest "$app=$i")
  done
}

# generate writing, again, verify, tamper, verify, dry-run: on DIR with OPTS (plan options)
writes() { # NAME DIR POD OPT...
  local name=$1 dir=$2 pod=$3; shift 3
  local s1="$dir/stage1"
  one "$name/write-text" generate --pod-manifest "$pod" --stage1-rootfs "$s1" --allow-missing-sources "$@"
  one "$name/write-again-json" generate --pod-manifest "$pod" --stage1-rootfs "$s1" --allow-missing-sources --format json "$@"
  one "$name/verify-pod" verify --stage1-rootfs "$s1" --pod-manifest "$pod" "$@"
  one "$name/verify-bare" verify --stage1-rootfs "$s1" --no-systemd-analyze
  local units=() u
  for u in "$s1"/usr/lib/systemd/system/*.mount; do
    if [ -e "$u" ]; then units+=("$u"); fi
  done
  if [ ${#units[@]} -ge 2 ]; then
    echo "# changed by hand" >>"${units[0]}"
    rm -f "${units[1]}"
  fi
  one "$name/verify-tampered" verify --stage1-rootfs "$s1" --pod-manifest "$pod" "$@"
  one "$name/dry-run-tampered" generate --dry-run --pod-manifest "$pod" --stage1-rootfs "$s1" --allow-missing-sources --format json "$@"
  one "$name/write-tampered" generate --pod-manifest "$pod" --stage1-rootfs "$s1" --allow-missing-sources "$@"
}

runall() { # ROOT JAR OUT
  root=$1 jar=$2 out=$3
  # The root as it appears inside unit names (systemd-escape --path: "-" is \x2d, "/" is "-").
  esc=${root#/}; esc=${esc//-/\\x2d}; esc=${esc//\//-}
  local c d extra f line hv
  one misc/help --help
  one misc/version --version
  one misc/generate-help generate --help
  one misc/verify-help verify --help
  one misc/escape escape --path /a-b/c.d/ü
  one misc/unescape escape --unescape --path 'a\x2db-c'
  one misc/usage generate --no-such-option
  one misc/usage-missing generate --stage1-rootfs x

  for d in "$root"/cli-golden/*/; do
    d=${d%/}; c=${d##*/}
    images "$d"
    extra=()
    if [ -f "$d/args" ]; then
      while IFS= read -r line; do if [ -n "$line" ]; then extra+=("$line"); fi; done <"$d/args"
    fi
    for f in text json args dot; do
      one "cli-golden/$c/dry-$f" generate --pod-manifest "$d/pod.json" ${img[@]+"${img[@]}"} \
        --dry-run --allow-missing-sources --stage1-rootfs /nonexistent/stage1-rootfs --format "$f" ${extra[@]+"${extra[@]}"}
    done
    writes "cli-golden/$c" "$d" "$d/pod.json" ${img[@]+"${img[@]}"} ${extra[@]+"${extra[@]}"}
    restore "cli-golden/$c"
  done

  for d in "$root"/core-golden/*/; do
    d=${d%/}; c=${d##*/}
    images "$d"
    extra=()
    if [ -e "$d/legacy-remount" ]; then extra=(--legacy-remount); fi
    for f in text dot; do
      one "core-golden/$c/dry-$f" generate --pod-manifest "$d/pod.json" ${img[@]+"${img[@]}"} \
        --dry-run --allow-missing-sources --stage1-rootfs /nonexistent/stage1-rootfs --format "$f" ${extra[@]+"${extra[@]}"}
    done
    for hv in qemu:9p lkvm:9p qemu:virtiofs cloud-hypervisor:virtiofs firecracker:virtiofs; do
      for f in args json; do
        one "core-golden/$c/dry-${hv/:/-}-$f" generate --pod-manifest "$d/pod.json" ${img[@]+"${img[@]}"} \
          --dry-run --allow-missing-sources --stage1-rootfs /nonexistent/stage1-rootfs \
          --hypervisor "${hv%%:*}" --transport "${hv#*:}" --format "$f" ${extra[@]+"${extra[@]}"}
      done
    done
    writes "core-golden/$c" "$d" "$d/pod.json" ${img[@]+"${img[@]}"} ${extra[@]+"${extra[@]}"}
    restore "core-golden/$c"
  done

  for d in "$root"/hostile/*/; do
    d=${d%/}; c=${d##*/}
    extra=()
    while IFS= read -r line; do if [ -n "$line" ]; then extra+=("$line"); fi; done <"$d/args"
    one "hostile/$c/generate" generate --pod-manifest "$d/in/pod.json" --stage1-rootfs "$d/stage1" ${extra[@]+"${extra[@]}"}
    if [ "$(cat "$out/hostile/$c/generate.rc")" = 0 ]; then
      one "hostile/$c/verify" verify --pod-manifest "$d/in/pod.json" --stage1-rootfs "$d/stage1" --no-systemd-analyze
    fi
    restore "hostile/$c"
  done
}

echo "compare-cli: running both jars..." >&2
t0=$SECONDS
runall "$work/r1" "$work/base.jar" "$work/out-base" &
pid_base=$!
runall "$work/r2" "$work/new.jar" "$work/out-new" &
pid_new=$!
wait "$pid_base"
wait "$pid_new"

# --- compare --------------------------------------------------------------------------------------
if [ $strip_changes = 1 ]; then
  stripped=0
  while IFS= read -r f; do
    perl -0777 -i -pe \
      's/\n\nChanges a run would make in the stage1 rootfs:\n(  .*\n)*\z/\n/; s/,\n  "changes" : (?:null,\n  "changesError" : "(?:[^"\\]|\\.)*"|\[.*?\] ?)\n\}\n?\z/\n}\n/s' "$f"
    stripped=$((stripped + 1))
  done < <(find "$work/out-new" -name '*.out' -path '*dry*')
  echo "compare-cli: dry-run changes stripped from $stripped outputs of the current tree" >&2
fi
diffs=0 runs=0
while IFS= read -r rc; do
  name=${rc#"$work/out-base/"}; name=${name%.rc}
  runs=$((runs + 1))
  if [ ! -e "$work/out-new/$name.rc" ]; then
    echo "DIFF $name: no such run for the current tree"; diffs=$((diffs + 1)); continue
  fi
  for f in rc out err; do
    if ! cmp -s "$work/out-base/$name.$f" "$work/out-new/$name.$f"; then
      what=$([ $f = rc ] && echo "exit code" || echo "std$f")
      first=$(diff "$work/out-base/$name.$f" "$work/out-new/$name.$f" | grep -m1 '^[<>]' | cut -c1-160 || true)
      echo "DIFF $name: $what differs: $first"
      diffs=$((diffs + 1))
    fi
  done
done < <(find "$work/out-base" -name '*.rc' | LC_ALL=C sort)
while IFS= read -r rc; do
  name=${rc#"$work/out-new/"}; name=${name%.rc}
  [ -e "$work/out-base/$name.rc" ] || { echo "DIFF $name: no such run for $ref"; diffs=$((diffs + 1)); }
done < <(find "$work/out-new" -name '*.rc' | LC_ALL=C sort)

echo "compare-cli: $runs runs per jar in $((SECONDS - t0)) s, $diffs difference(s) against $ref" >&2
[ "$diffs" -eq 0 ]
