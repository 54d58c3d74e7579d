#!/usr/bin/env bash
# Start-up benchmark: `rsh --nodb --eval 1`, release build. For stdout on a pipe and on
# /dev/null it prints the median and p90 of wall time, CPU time (user+sys) and peak RSS next to
# the start-up budget (10 ms, 16 MiB), and the ratio to mongosh when mongosh is installed
# (.tools/node_modules/.bin/mongosh, or $RSH_MONGOSH). No assertion: figures only.
#
# Usage: scripts/bench_startup.sh [runs] [--binary PATH] [--compare PATH]
#   runs       runs per case (default 30, at least 10)
#   --binary   measure this rsh instead of building target/release/rsh
#   --compare  also measure another rsh (repeatable), runs interleaved with the first one's
#              (on a loaded machine only back-to-back figures compare)
set -euo pipefail
runs=30
binary=""
compare=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$(realpath "$2")"; shift 2 ;;
    --compare) compare+=("$(realpath "$2")"); shift 2 ;;
    *) runs="$1"; shift ;;
  esac
done
if [ "$runs" -lt 10 ]; then runs=10; fi
cd "$(dirname "$0")/.."
if [ -z "$binary" ]; then
  cargo build --release --quiet --bin rsh
  binary="$PWD/target/release/rsh"
fi
# mongosh as scripts/test.sh installs it; a linked worktree looks in the main checkout too.
mongosh="${RSH_MONGOSH:-}"
if [ -z "$mongosh" ]; then
  common="$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)"
  for dir in "$PWD" "${common%/.git}"; do
    if [ -n "$dir" ] && [ -x "$dir/.tools/node_modules/.bin/mongosh" ]; then
      mongosh="$dir/.tools/node_modules/.bin/mongosh"
      break
    fi
  done
fi

if [ -n "$mongosh" ] && [ ! -x "$mongosh" ]; then
  echo "mongosh: $mongosh is not an executable" >&2
  mongosh=""
fi

python3 - "$runs" "$mongosh" "$binary" "${compare[@]}" <<'PY'
import atexit, os, shutil, subprocess, sys, tempfile, time

runs, mongosh, binaries = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
home = tempfile.mkdtemp(prefix="rsh-bench-")  # no rc file, no history
atexit.register(shutil.rmtree, home, ignore_errors=True)
env = dict(os.environ, HOME=home)
WALL_MS, RSS_MIB = 10.0, 16.0  # the start-up budget of `rsh --nodb --eval 1`

def once(cmd, to_pipe):
    """One run: (wall ms, user+sys ms, peak RSS MiB). os.wait4 gives the child's own rusage."""
    out = subprocess.PIPE if to_pipe else subprocess.DEVNULL
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.DEVNULL)
    text = child.stdout.read() if to_pipe else None
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or (to_pipe and text.strip() != b"1"):
        sys.exit(f"{cmd[0]}: unexpected result: status {code}, output {text!r}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024

def pct(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, -(-p * len(s) // 100) - 1))]

def summary(samples):
    cols = list(zip(*samples))
    return [(pct(c, 50), pct(c, 90)) for c in cols]

def line(label, stats, budget=True):
    (w50, w90), (c50, c90), (r50, r90) = stats
    mark = ""
    if budget:
        mark = "  within budget" if w50 <= WALL_MS and r90 <= RSS_MIB else "  OVER BUDGET"
    print(f"  {label:<22} wall {w50:6.1f} / {w90:6.1f} ms   cpu {c50:6.1f} / {c90:6.1f} ms   "
          f"RSS {r50:5.1f} / {r90:5.1f} MiB{mark}")

print(f"rsh --nodb --eval 1: median / p90 of {runs} runs per case "
      f"(budget: wall <= {WALL_MS:g} ms, RSS <= {RSS_MIB:g} MiB)")
results = {}
for to_pipe in (True, False):
    cmds = [[b, "--nodb", "--eval", "1"] for b in binaries]
    for c in cmds:
        once(c, to_pipe)  # warm the page cache
    samples = [[] for _ in cmds]
    for _ in range(runs):
        for i, c in enumerate(cmds):  # interleaved: the machine's load hits all alike
            samples[i].append(once(c, to_pipe))
    for i, b in enumerate(binaries):
        stats = summary(samples[i])
        results[(b, to_pipe)] = stats
        where = "stdout pipe" if to_pipe else "stdout /dev/null"
        name = "" if len(binaries) == 1 else f" [{i + 1}]"
        line(where + name, stats)
for i, b in enumerate(binaries):
    if len(binaries) > 1:
        print(f"  [{i + 1}] {b}")

if not mongosh:
    print("mongosh not installed (scripts/test.sh or scripts/bench.sh --install-mongosh puts it "
          "in .tools/): no ratio")
    sys.exit(0)
m_runs = max(5, runs // 6)  # mongosh takes most of a second per run
cmd = [mongosh, "--nodb", "--quiet", "--eval", "1"]
once(cmd, True)
m = summary([once(cmd, True) for _ in range(m_runs)])
print(f"mongosh --nodb --eval 1, {m_runs} runs ({mongosh}):")
line("stdout pipe", m, budget=False)
(w, _), (c, _), (r, _) = m
for i, b in enumerate(binaries):
    (rw, _), (rc, _), (rr, _) = results[(b, True)]
    name = "" if len(binaries) == 1 else f" [{i + 1}]"
    print(f"  mongosh / rsh{name}: wall {w / rw:.1f}x, cpu {c / rc:.1f}x, RSS {r / rr:.1f}x "
          "(medians, stdout pipe)")
PY
