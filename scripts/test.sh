#!/usr/bin/env bash
# The test command (README "Tests"): sets up what a fresh machine lacks (pymongo into .tools/venv,
# mongosh into .tools/), then the formatting check, lints, and every unit, golden, property and
# integration test of the workspace. Sandbox clusters are started by the tests themselves.
# A client whose registry cannot be reached is skipped with a notice (RSH_SKIP_PYMONGO /
# RSH_SKIP_MONGOSH); a client that is present is always used.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools

# pymongo: an interpreter that already has it, else a local virtual environment.
if [ -z "${RSH_PYTHON:-}" ]; then
  if python3 -c 'import pymongo, sys; sys.exit(0 if pymongo.version_tuple >= (4, 7) else 1)' 2>/dev/null; then
    RSH_PYTHON=$(command -v python3)
  elif [ -x .tools/venv/bin/python ] && .tools/venv/bin/python -c 'import pymongo' 2>/dev/null; then
    RSH_PYTHON=$PWD/.tools/venv/bin/python
  else
    echo "== installing pymongo into .tools/venv"
    if python3 -m venv .tools/venv >/dev/null 2>&1 \
      && timeout 300 .tools/venv/bin/python -m pip install --quiet --disable-pip-version-check 'pymongo>=4.7,<5'; then
      RSH_PYTHON=$PWD/.tools/venv/bin/python
    else
      export RSH_SKIP_PYMONGO="pip could not install pymongo (is PyPI reachable?)"
      echo "notice: pymongo tests skipped: $RSH_SKIP_PYMONGO"
    fi
  fi
fi
[ -n "${RSH_PYTHON:-}" ] && export RSH_PYTHON

# mongosh: RSH_MONGOSH, else .tools/node_modules/.bin/mongosh, installed with npm when missing.
RSH_MONGOSH="${RSH_MONGOSH:-$PWD/.tools/node_modules/.bin/mongosh}"
if [ ! -x "$RSH_MONGOSH" ]; then
  echo "== installing mongosh into .tools"
  if command -v npm >/dev/null 2>&1 \
    && timeout 600 npm install --silent --no-audit --no-fund --prefix .tools 'mongosh@2' >/dev/null 2>&1 \
    && [ -x .tools/node_modules/.bin/mongosh ]; then
    RSH_MONGOSH=$PWD/.tools/node_modules/.bin/mongosh
  else
    export RSH_SKIP_MONGOSH="npm could not install mongosh (is npm and its registry reachable?)"
    echo "notice: mongosh tests skipped: $RSH_SKIP_MONGOSH"
  fi
fi
[ -z "${RSH_SKIP_MONGOSH:-}" ] && export RSH_MONGOSH

# cargo test hides what passing tests print, so the opt-in suites' skip notices are printed here.
if [ -z "${RSH_TEST_MONGOD:-}" ]; then
  echo "notice: real-mongod suite skipped (set RSH_TEST_MONGOD=/path/to/mongod to run the walkthroughs against mongod)"
fi
echo "== clients: python ${RSH_PYTHON:-none}, mongosh ${RSH_MONGOSH:-none}"

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --all-targets --no-fail-fast -- --test-threads="${RSH_TEST_THREADS:-2}"
