#!/usr/bin/env bash
# The cost of a million orders: runs `portal-bench cost` on a fresh embedded store, a
# scripted order lifecycle (a quoted order, 8 task events, 2 order reads, 2 tracking page
# views, the status fan-out of the stream records they cause) ORDERS times in process,
# metered as AWS bills it, and prints the figures per order and the cost per 1,000,000
# orders at list prices (us-east-1, arm64; the price table is in
# infra/bench/src/cost/prices.rs, with each price's source and date).
#
#   ./scripts/bench-cost.sh                      # 200 lifecycles, release build
#   ORDERS=50 PROFILE=dev ./scripts/bench-cost.sh
#   BASE_URL=https://track.courier.example ./scripts/bench-cost.sh   # links on a custom domain
set -euo pipefail
cd "$(dirname "$0")/.."

ORDERS=${ORDERS:-200}
PROFILE=${PROFILE:-release}
BASE_URL=${BASE_URL:-https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com}
if [ "$PROFILE" = release ]; then
  # As bench-search.sh: the release profile without whole-program LTO, parallel codegen units.
  CARGO_PROFILE_RELEASE_LTO=${LTO:-off} CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CODEGEN_UNITS:-16} \
    cargo build --release -p portal-bench
  BIN=target/release/portal-bench
else
  cargo build -p portal-bench
  BIN=target/debug/portal-bench
fi
DATA_DIR=$(mktemp -d /tmp/portal-bench-cost.XXXXXX)
trap 'rm -rf "$DATA_DIR"' EXIT
echo "## Cost benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $PROFILE build, $ORDERS lifecycles, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo
"$BIN" cost --data-dir "$DATA_DIR" --orders "$ORDERS" --base-url "$BASE_URL"
