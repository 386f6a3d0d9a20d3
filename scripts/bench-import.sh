#!/usr/bin/env bash
# A 10,000-row import on the embedded store: builds portal-bench in release and runs
# `portal-bench import` on a fresh data directory (preflight, commit, the same file again),
# printing the times and the DynamoDB write units the writes would cost (from item sizes).
#
#   ./scripts/bench-import.sh               # 10000 rows
#   ROWS=2000 ./scripts/bench-import.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-10000}
# As bench-search.sh: the release profile without whole-program LTO, parallel codegen units.
CARGO_PROFILE_RELEASE_LTO=${LTO:-off} CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CODEGEN_UNITS:-16} \
  cargo build --release -p portal-bench
DATA_DIR=$(mktemp -d /tmp/portal-bench-import.XXXXXX)
trap 'rm -rf "$DATA_DIR"' EXIT
echo "## Import benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $ROWS rows)"
target/release/portal-bench import --data-dir "$DATA_DIR" --rows "$ROWS"
