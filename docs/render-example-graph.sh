#!/usr/bin/env bash
# Renders the Graphviz graph of the example pod (examples/pod.json) to docs/example-pod.svg, the
# picture in the README. Needs Graphviz's `dot` (Debian: apt-get install graphviz). Re-run it after
# changing the dot output or the example, and commit the SVG.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
command -v dot >/dev/null || { echo "render-example-graph: Graphviz 'dot' not found (apt-get install graphviz)" >&2; exit 1; }
# --dry-run: nothing is written; --allow-missing-sources: the example's host directories need not exist.
"$repo/kvmount" generate --pod-manifest "$repo/examples/pod.json" --stage1-rootfs /nonexistent/stage1-rootfs \
  --dry-run --allow-missing-sources --quiet --format dot \
  | dot -Tsvg -o "$here/example-pod.svg"
echo "wrote $here/example-pod.svg" >&2
