#!/usr/bin/env bash
# Runs every test: installs the Python tools (moto, cfn-lint, SAM CLI) into .venv and
# Debian's Chromium (for the tracking-page browser test), starts moto server on a free local
# port, runs the Rust tests on both storage adapters, fuzzes each fuzz target briefly
# (scripts/fuzz.sh), runs Schemathesis against the local
# portal (scripts/schemathesis.sh), lints the SAM template and checks its transformed
# operations (tests/template/check_ops.py), and stops moto.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

"$repo/scripts/python-env.sh"
"$repo/scripts/browser-env.sh"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p target
"$repo/.venv/bin/python" "$repo/scripts/moto-server.py" -H 127.0.0.1 -p "$port" > target/moto.log 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then break; fi
  sleep 0.2
done
export PORTAL_MOTO_URL="http://127.0.0.1:$port"
# Here the moto half is not optional: without a URL its tests fail instead of skipping.
export PORTAL_REQUIRE_MOTO=1
echo "== moto server on $PORTAL_MOTO_URL"

echo "== every function builds"
cargo build --workspace --bins --quiet

echo "== tests (embedded store and moto server, and the ignored browser test)"
cargo test --workspace --exclude portal-functions --quiet -- --include-ignored

# PORTAL_FUZZ_SECONDS=0 leaves it out (the build of the fuzz targets is most of its time).
if [ "${PORTAL_FUZZ_SECONDS:-20}" != 0 ]; then
  echo "== fuzzing: each target of fuzz/ for ${PORTAL_FUZZ_SECONDS:-20} s (FUZZING.md)"
  "$repo/scripts/fuzz.sh" all "${PORTAL_FUZZ_SECONDS:-20}"
fi

echo "== web portal in Chromium (Playwright, axe): screenshots in target/screenshots/"
"$repo/.venv/bin/python" "$repo/tests/browser/portal_flow.py"
"$repo/.venv/bin/python" "$repo/tests/browser/account_flow.py"
"$repo/.venv/bin/python" "$repo/tests/browser/console_flow.py"
"$repo/.venv/bin/python" "$repo/tests/browser/tracking_flow.py"
"$repo/.venv/bin/python" "$repo/tests/browser/live_flow.py"

echo "== API contract: schemathesis against the local portal (courier key, client key)"
"$repo/scripts/schemathesis.sh" | tee target/schemathesis.log

echo "== template: cfn-lint, the transformed template's functions, routes and limits, sam validate --lint"
"$repo/.venv/bin/cfn-lint" template.yaml
"$repo/.venv/bin/python" tests/template/check_routes.py --self-test template.yaml
echo "== template: operations (alarms, destinations, throttling, logs, tracing), transformed"
"$repo/.venv/bin/python" tests/template/check_ops.py template.yaml
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x SAM_CLI_TELEMETRY=0 \
  "$repo/.venv/bin/sam" validate --lint --region us-east-1 -t template.yaml
tail -n 1 target/schemathesis.log
echo "== all checks passed"
