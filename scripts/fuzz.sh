#!/usr/bin/env bash
# Longer runs of the property tests of the wire decoder and command dispatch (the suite runs a
# bounded number of cases). Usage: scripts/fuzz.sh [cases]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-20000}"
export PROPTEST_CASES="$cases"
echo "fuzz: $cases cases per property"
cargo test -p rsh-wire --lib -- validate_tests:: tests::parse_never_panics
cargo test -p rsh-sandbox --test sandbox -- fuzz_dispatch:: wire::random_bytes
