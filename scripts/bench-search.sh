#!/usr/bin/env bash
# Search on a courier with 100,000 orders: builds portal-local and portal-bench in release,
# seeds a fresh embedded data directory through the portal's own create-order use case,
# starts portal-local on it and times searches over HTTP (p50/p95/max).
#
#   ./scripts/bench-search.sh                 # 100000 orders, 50 runs per search
#   ORDERS=20000 RUNS=20 ./scripts/bench-search.sh
#   DATA_DIR=/tmp/bench-100k ./scripts/bench-search.sh   # reuse a seeded directory
set -euo pipefail
cd "$(dirname "$0")/.."

ORDERS=${ORDERS:-100000}
RUNS=${RUNS:-50}
PORT=${PORT:-3917}

# The release profile, without its whole-program LTO and with parallel codegen units, so
# that the build takes minutes on a small machine (the time is spent in SQLite, built by cc
# at its own optimisation level either way). LTO=fat gives the deployed profile.
CARGO_PROFILE_RELEASE_LTO=${LTO:-off} CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CODEGEN_UNITS:-16} \
  cargo build --release -p portal-local -p portal-bench
BIN=target/release

if [[ -z "${DATA_DIR:-}" ]]; then
  DATA_DIR=$(mktemp -d /tmp/portal-bench-search.XXXXXX)
fi
SEED="$DATA_DIR/seed.json"
if [[ ! -f "$SEED" ]]; then
  echo "Seeding $ORDERS orders in $DATA_DIR ..." >&2
  start=$(date +%s)
  "$BIN/portal-bench" seed --data-dir "$DATA_DIR" --orders "$ORDERS" > "$SEED.tmp"
  mv "$SEED.tmp" "$SEED"
  echo "Seeded in $(( $(date +%s) - start )) s ($(du -sh "$DATA_DIR" | cut -f1) on disk)." >&2
fi

RUST_LOG=warn "$BIN/portal-local" --data-dir "$DATA_DIR" --port "$PORT" > "$DATA_DIR/portal-local.log" 2>&1 &
PORTAL=$!
trap 'kill $PORTAL 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then break; fi
  sleep 0.1
done

echo
echo "## Search benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m))"
echo
"$BIN/portal-bench" time --url "http://127.0.0.1:$PORT" --seed-file "$SEED" --runs "$RUNS"
echo
echo "DynamoDB calls per search (pinned on moto by search::moto::an_old_match_is_on_the_first_page):"
echo "1 Query of the index + 1 BatchGetItem = 2; at most 3 (a second index window)."
