#!/usr/bin/env bash
# Writes a synthetic appc pod manifest to stdout for the scale benchmarks.
#
#   gen-pod.sh APPS MOUNTS_PER_APP HOST_VOLUMES SOURCE_DIR
#
# App i ("app-i") mounts MOUNTS_PER_APP host volumes: mount 0 at /data, mount k >= 1 at
# /data/mK (nested inside mount 0, so the planner's nested-target ordering is exercised); the
# odd-numbered ones are read-only through the app's mount points. Mount k of app i uses volume
# (i * MOUNTS_PER_APP + k) mod HOST_VOLUMES, "vol-N", whose source is SOURCE_DIR/vol-N.
# Same arguments, same bytes.
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: gen-pod.sh APPS MOUNTS_PER_APP HOST_VOLUMES SOURCE_DIR" >&2
  exit 2
fi
awk -v apps="$1" -v mounts="$2" -v vols="$3" -v src="$4" 'BEGIN {
  printf "{\n  \"acKind\": \"PodManifest\",\n  \"acVersion\": \"0.8.11\",\n  \"apps\": [\n"
  for (a = 0; a < apps; a++) {
    printf "    {\"name\": \"app-%d\", \"image\": {\"name\": \"example.com/app-%d\", \"id\": \"sha512-%040d\"},\n", a, a, a
    printf "     \"app\": {\"exec\": [\"/bin/app\"], \"user\": \"0\", \"group\": \"0\", \"mountPoints\": ["
    sep = ""
    for (k = 1; k < mounts; k += 2) {
      printf "%s{\"name\": \"mp-%d\", \"path\": \"/data/m%d\", \"readOnly\": true}", sep, k, k
      sep = ", "
    }
    printf "]},\n     \"mounts\": ["
    for (k = 0; k < mounts; k++) {
      path = (k == 0) ? "/data" : sprintf("/data/m%d", k)
      printf "%s{\"volume\": \"vol-%d\", \"path\": \"%s\"}", (k ? ", " : ""), (a * mounts + k) % vols, path
    }
    printf "]}%s\n", (a < apps - 1 ? "," : "")
  }
  printf "  ],\n  \"volumes\": [\n"
  for (v = 0; v < vols; v++) {
    printf "    {\"name\": \"vol-%d\", \"kind\": \"host\", \"source\": \"%s/vol-%d\"}%s\n", v, src, v, (v < vols - 1 ? "," : "")
  }
  printf "  ]\n}\n"
}'
