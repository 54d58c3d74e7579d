#!/usr/bin/env bash
# The test command (README "Tests"): formatting check, lints, then every unit, golden,
# property and integration test. Sandbox clusters are started by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
export RSH_MONGOSH="${RSH_MONGOSH:-$PWD/.tools/node_modules/.bin/mongosh}"
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --all-targets --no-fail-fast -- --test-threads="${RSH_TEST_THREADS:-2}"
