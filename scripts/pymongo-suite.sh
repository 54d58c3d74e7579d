#!/usr/bin/env bash
# Runs pymongo's own test suite (selected modules) against a 3-member rsh-sandbox replica set
# started with enableTestCommands, so the fail-point tests run too, and prints per-module
# pass/fail/skip counts and every failure with its first message line.
#
#   scripts/pymongo-suite.sh [module ...]        (default: the modules listed in MODULES below)
#
# pymongo's source distribution is fetched from the package index into a scratch folder outside
# the repository (RSH_PYMONGO_SCRATCH, default ${TMPDIR:-/tmp}/rsh-pymongo-suite) and never
# vendored; a virtual environment there holds pytest and pymongo's dependencies.
# RSH_PYMONGO_SPEC picks the version ('pymongo>=4.7,<5'); RSH_SANDBOX names a prebuilt
# rsh-sandbox binary (default: cargo build -p rsh-sandbox, then target/debug/rsh-sandbox);
# RSH_PYTEST_ARGS adds pytest options (e.g. "-k test_insert"); RSH_MODULE_TIMEOUT caps one
# module's run in seconds (default 1800); RSH_PYMONGO_BASE_PORT fixes the members' first port.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
SCRATCH=${RSH_PYMONGO_SCRATCH:-${TMPDIR:-/tmp}/rsh-pymongo-suite}
SPEC=${RSH_PYMONGO_SPEC:-pymongo>=4.7,<5}
MODULE_TIMEOUT=${RSH_MODULE_TIMEOUT:-1800}
MODULES=(test_client test_database test_collection test_cursor test_bulk test_session
  test_read_preferences test_replica_set_reconfig test_discovery_and_monitoring test_monitoring
  test_retryable_writes)
[ $# -gt 0 ] && MODULES=("$@")

mkdir -p "$SCRATCH"
SCRATCH=$(cd "$SCRATCH" && pwd)
case "$SCRATCH/" in
  "$REPO"/*) echo "pymongo-suite: the scratch folder must be outside the repository: $SCRATCH" >&2; exit 2 ;;
esac

# 1. The source distribution (tests are not in the wheel).
SDIST=$(ls "$SCRATCH"/pymongo-*.tar.gz 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$SDIST" ]; then
  echo "== downloading the pymongo source distribution into $SCRATCH"
  python3 -m pip download --quiet --disable-pip-version-check --no-binary :all: --no-deps \
    "$SPEC" -d "$SCRATCH"
  SDIST=$(ls "$SCRATCH"/pymongo-*.tar.gz | sort -V | tail -1)
fi
SRC=${SDIST%.tar.gz}
[ -d "$SRC" ] || tar -xzf "$SDIST" -C "$SCRATCH"

# 2. A virtual environment with pytest and pymongo's dependencies.
VENV=$SCRATCH/venv
if ! "$VENV/bin/python" -c 'import pytest, pytest_asyncio, dns' 2>/dev/null; then
  echo "== creating $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pytest pytest-asyncio "$SDIST"
fi

# 3. The set: three members, test commands on, short election settings.
SANDBOX=${RSH_SANDBOX:-}
if [ -z "$SANDBOX" ]; then
  cargo build --quiet -p rsh-sandbox
  SANDBOX=$REPO/target/debug/rsh-sandbox
fi
RUN=$(mktemp -d "$SCRATCH/run.XXXXXX")
# A few pymongo tests connect to localhost:27017 whatever DB_PORT says: RSH_PYMONGO_BASE_PORT=27017
# puts the first member there (when the port is free).
"$SANDBOX" cluster --nodes 3 --initiate --fast --setParameter enableTestCommands=1 \
  ${RSH_PYMONGO_BASE_PORT:+--base-port "$RSH_PYMONGO_BASE_PORT"} \
  --dbpath-root "$RUN/data" >"$RUN/cluster.out" 2>&1 &
CLUSTER=$!
cleanup() {
  kill -TERM "$CLUSTER" 2>/dev/null || true
  wait "$CLUSTER" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
URI=
for _ in $(seq 1 300); do
  URI=$(grep -o 'mongodb://[^ ]*' "$RUN/cluster.out" | head -1 || true)
  [ -n "$URI" ] && break
  kill -0 "$CLUSTER" 2>/dev/null || { cat "$RUN/cluster.out" >&2; exit 1; }
  sleep 0.2
done
[ -n "$URI" ] || { echo "pymongo-suite: the set did not come up" >&2; cat "$RUN/cluster.out" >&2; exit 1; }
PORT=$(echo "$URI" | sed -E 's#mongodb://127\.0\.0\.1:([0-9]+).*#\1#')
echo "== set up: $URI (logs in $RUN/data)"

# 4. The modules, one pytest run each (a crash or hang in one does not hide the others).
cd "$SRC"
for m in "${MODULES[@]}"; do
  echo "== $m"
  # shellcheck disable=SC2086
  DB_IP=127.0.0.1 DB_PORT=$PORT timeout "$MODULE_TIMEOUT" "$VENV/bin/python" -m pytest -q -p no:cacheprovider --assert=plain \
    -o addopts="" -m "default or default_async" \
    --junitxml="$RUN/$m.xml" ${RSH_PYTEST_ARGS:-} "test/$m.py" >"$RUN/$m.log" 2>&1 || true
  tail -1 "$RUN/$m.log"
done

# 5. The summary: counts per module, then every failure with its first message line.
"$VENV/bin/python" - "$RUN" "${MODULES[@]}" <<'EOF'
import sys, xml.etree.ElementTree as ET
run, mods = sys.argv[1], sys.argv[2:]
print("\n%-34s %6s %6s %6s" % ("module", "pass", "fail", "skip"))
failures = []
for m in mods:
    try:
        root = ET.parse(f"{run}/{m}.xml").getroot()
    except (OSError, ET.ParseError):
        print("%-34s  no results (crashed or timed out; see %s/%s.log)" % (m, run, m))
        continue
    p = f = s = 0
    for case in root.iter("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            f += 1
            msg = (bad.get("message") or bad.text or "").strip().splitlines()
            failures.append((m, case.get("classname", "").split(".")[-1] + "." + case.get("name", ""),
                             msg[0][:200] if msg else ""))
        elif case.find("skipped") is not None:
            s += 1
        else:
            p += 1
    print("%-34s %6d %6d %6d" % (m, p, f, s))
if failures:
    print("\nfailures:")
    for m, name, msg in failures:
        print(f"  {m}::{name}: {msg}")
EOF
echo "(full logs: $RUN)"
