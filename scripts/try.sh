#!/usr/bin/env bash
# Start a practice replica set (rsh-sandbox cluster) and open rsh on it; the set stops when rsh exits.
# Usage: scripts/try.sh [--nodes N] [--arbiter] [--base-port P]   (defaults: 3 nodes from port 40001)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin rsh --bin rsh-sandbox
bin=target/release
work=$(mktemp -d "${TMPDIR:-/tmp}/rsh-try.XXXXXX")
log="$work/cluster.log"
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--nodes 3 --base-port 40001)
"$bin/rsh-sandbox" cluster "${args[@]}" --initiate --dbpath-root "$work" >"$log" 2>&1 &
cluster=$!
trap 'kill -TERM $cluster 2>/dev/null; wait $cluster 2>/dev/null; rm -rf "$work"' EXIT
uri=""
for _ in $(seq 1 300); do
  uri=$(grep -o 'mongodb://[^ ]*' "$log" | head -n1 || true)
  [ -n "$uri" ] && break
  kill -0 $cluster 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$uri" ] || { echo "the sandbox cluster did not come up; its log:"; cat "$log"; exit 1; }
echo "sandbox replica set: $uri (log: $log)"
"$bin/rsh" "$uri"
