#!/usr/bin/env bash
# Start-up benchmark: `rsh --nodb --eval 1`, release build. Prints the median wall time and
# the peak RSS over N runs (default 20, at least 10) next to the start-up targets
# (<= 20 ms, <= 20 MiB). No assertion: figures only.
# Usage: scripts/bench_startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
if [ "$runs" -lt 10 ]; then runs=10; fi
cargo build --release --quiet --bin rsh
bin="$PWD/target/release/rsh"

# os.wait4 gives each child's own rusage, so ru_maxrss (KiB on Linux) is that run's peak RSS.
python3 - "$bin" "$runs" <<'PY'
import os, statistics, subprocess, sys, tempfile, time

binary, runs = sys.argv[1], int(sys.argv[2])
home = tempfile.mkdtemp(prefix="rsh-bench-")  # no rc file, no history
env = dict(os.environ, HOME=home)

def once():
    start = time.perf_counter()
    child = subprocess.Popen([binary, "--nodb", "--eval", "1"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = child.stdout.read()
    child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall_ms = (time.perf_counter() - start) * 1000
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or out != b"1\n":
        sys.exit(f"unexpected result: status {child.returncode}, output {out!r}")
    return wall_ms, usage.ru_maxrss / 1024

once()  # warm the page cache
samples = [once() for _ in range(runs)]
walls = sorted(w for w, _ in samples)
rss = sorted(r for _, r in samples)
print(f"rsh --nodb --eval 1, {runs} runs ({binary})")
print(f"  wall time: median {statistics.median(walls):6.1f} ms   "
      f"(min {walls[0]:.1f}, max {walls[-1]:.1f})   target <= 20 ms")
print(f"  peak RSS:  median {statistics.median(rss):6.1f} MiB  "
      f"(max {rss[-1]:.1f})              target <= 20 MiB")
PY
