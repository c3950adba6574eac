#!/usr/bin/env bash
# Runs kvmount's main job on the shipped example pod: creates the example's host directories and an
# empty stage1 rootfs under /tmp/kvmount-example (recreated on every run), then generates the units and QEMU arguments.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base=/tmp/kvmount-example
mkdir -p "$base/host/site/uploads" "$base/host/user uploads"
# Start from an empty stage1 rootfs every time, so the run shows a first generation.
rm -rf "$base/stage1-rootfs" && mkdir -p "$base/stage1-rootfs"
"$here/../kvmount" generate --pod-manifest "$here/pod.json" --stage1-rootfs "$base/stage1-rootfs" "$@"
