#!/usr/bin/env bash
# Sandbox memory per stored byte for nested documents: one member, ~8 MB of documents nested
# 120 levels (deep) or holding 60 small sub-documents each (wide), inserted by rsh in batches of
# 50; prints the member's resident size before, after the insert and after dropping the collection.
# Usage: scripts/bench_nested_memory.sh [deep|wide] [port]   (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
shape=${1:-deep}
port=${2:-47017}
cargo build --release --quiet --bin rsh --bin rsh-sandbox
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsh-mem.XXXXXX")
target/release/rsh-sandbox --port "$port" --bind_ip 127.0.0.1 --dbpath "$dir" >"$dir.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir" "$dir.log"' EXIT
rss() { awk '/VmRSS/{print $2}' "/proc/$pid/status"; }
for _ in $(seq 1 100); do target/release/rsh --quiet --port "$port" --eval 1 >/dev/null 2>&1 && break; sleep 0.1; done
before=$(rss)
size=$(target/release/rsh --quiet --port "$port" --eval "
function deep(i) { var d = {v: i, s: 'xxxxxxxx'}; for (var k = 0; k < 120; k++) d = {a: d, n: k}; return d; }
function wide(i) { var items = []; for (var k = 0; k < 60; k++) items.push({x: k, y: 'ab', z: {q: k}}); return {i: i, items: items}; }
var make = '$shape' == 'deep' ? deep : wide, total = 0, batch = [];
while (total < 8 * 1024 * 1024) { var d = make(total); total += Object.bsonsize ? Object.bsonsize(d) : JSON.stringify(d).length; batch.push(d); if (batch.length == 50) { db.c.insertMany(batch); batch = []; } }
if (batch.length) db.c.insertMany(batch);
print(Number(db.c.stats().size));")
sleep 1
after=$(rss)
target/release/rsh --quiet --port "$port" --eval "db.c.drop()" >/dev/null
sleep 1
dropped=$(rss)
awk -v s="$size" -v b="$before" -v a="$after" -v d="$dropped" -v shape="$shape" 'BEGIN {
  printf "%s: %.1f MB of BSON stored; resident %.1f MB before, %.1f MB after (+%.1f MB, %.1fx the BSON size), %.1f MB after drop\n",
    shape, s / 1e6, b / 1024, a / 1024, (a - b) / 1024, (a - b) * 1024 / s, d / 1024 }'
