#!/usr/bin/env bash
# The long tests ./scripts/test.sh leaves out (minutes each on 2 cores): a 10,000-row import
# on moto server with throttled batch writes, every row written once (issue 18). Starts its
# own moto server, as test.sh does.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
"$repo/scripts/python-env.sh"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p target
"$repo/.venv/bin/python" "$repo/scripts/moto-server.py" -H 127.0.0.1 -p "$port" > target/moto-long.log 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then break; fi
  sleep 0.2
done
PORTAL_MOTO_URL="http://127.0.0.1:$port" PORTAL_REQUIRE_MOTO=1 PORTAL_LONG_TESTS=1 \
  cargo test -p portal-tests --test portal -- ten_thousand_throttled_rows_are_written_once_on_moto --nocapture
