#!/usr/bin/env bash
# JavaScript speed under the interrupt/heap checks (release build): each case runs with the
# checks (as always) and without them (RSH_BENCH_UNBUDGETED=1, read for this benchmark only),
# the two interleaved over N rounds (default 9) so load on the machine hits both alike. Times
# are taken inside the script (start-up excluded). Prints min and median of each and the
# ratio checked/unchecked of the minimums (the steadiest figure on a busy machine).
# Target: ratio <= 1.15. Figures only, no assertion.
# Usage: scripts/bench_js.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-9}"
cargo build --release --quiet --bin rsh
bin="$PWD/target/release/rsh"

python3 - "$bin" "$rounds" <<'PY'
import os, statistics, subprocess, sys, tempfile

binary, rounds = sys.argv[1], int(sys.argv[2])
home = tempfile.mkdtemp(prefix="rsh-bench-")
cases = [
    ("empty loop in a function, 10M turns",
     "(function () { for (let i = 0; i < 1e7; i++) {} })()"),
    ("empty loop on a global, 300k turns", "for (var i = 0; i < 3e5; i++) {}"),
    ("recursive calls, 100 x 10k deep",
     "function f(n) { return n ? 1 + f(n - 1) : 0 }; for (var k = 0; k < 100; k++) f(10000)"),
    ("objects and strings, 200k",
     "var a = []; for (var i = 0; i < 2e5; i++) a.push({k: 'v' + i})"),
]

def once(code, unbudgeted):
    env = dict(os.environ, HOME=home)
    env.pop("RSH_BENCH_UNBUDGETED", None)
    if unbudgeted:
        env["RSH_BENCH_UNBUDGETED"] = "1"
    timed = f"var t0 = Date.now(); {code}; print(Date.now() - t0)"
    r = subprocess.run([binary, "--nodb", "--quiet", "--eval", timed], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit(f"{code}: status {r.returncode}: {r.stderr.decode()}")
    return float(r.stdout.decode().split()[-1])

print(f"JavaScript with and without the interrupt/heap checks, {rounds} rounds ({binary})")
for name, code in cases:
    once(code, False)
    checked, plain = [], []
    for _ in range(rounds):
        checked.append(once(code, False))
        plain.append(once(code, True))
    print(f"  {name:38s} checked min {min(checked):6.0f} med {statistics.median(checked):6.0f} ms"
          f"   unchecked min {min(plain):6.0f} med {statistics.median(plain):6.0f} ms"
          f"   ratio {min(checked) / max(min(plain), 1):4.2f} (target <= 1.15)")
PY
