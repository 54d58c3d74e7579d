#!/usr/bin/env bash
# The test command (README "Tests"): formatting check, lints, then every unit, golden,
# property and integration test. Sandbox clusters are started by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
export RSH_MONGOSH="${RSH_MONGOSH:-$PWD/.tools/node_modules/.bin/mongosh}"
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
# cargo test hides what passing tests print, so the opt-in suites' skip notices are printed here.
if [ -z "${RSH_TEST_MONGOD:-}" ]; then
  echo "notice: real-mongod suite skipped (set RSH_TEST_MONGOD=/path/to/mongod to run the walkthroughs against mongod)"
fi
if [ ! -x "$RSH_MONGOSH" ]; then
  echo "notice: mongosh not found at $RSH_MONGOSH: the mongosh client tests will fail (run .ci/run or set RSH_MONGOSH)"
fi
cargo test --all-targets --no-fail-fast -- --test-threads="${RSH_TEST_THREADS:-2}"
