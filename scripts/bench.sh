#!/usr/bin/env bash
# Benchmarks: rsh against mongosh on this machine, in one run (see scripts/bench.py --help).
# --install-mongosh installs mongosh from the npm registry into .tools/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--install-mongosh" ]; then
  shift
  npm install --silent --no-audit --no-fund --prefix .tools 'mongosh@2' >/dev/null
fi
exec python3 scripts/bench.py "$@"
