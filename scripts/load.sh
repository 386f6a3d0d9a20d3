#!/usr/bin/env bash
# Load against the release local portal (embedded store): wrk (Debian's package, installed
# here if missing) with scripts/load/mix.lua's mix of creates, gets, lists, searches, task
# events and tracking views.
#
#   ./scripts/load.sh                      16 connections for 60 s
#   SECONDS_RUN=600 ./scripts/load.sh      a soak: the same for 10 minutes
#   PROFILE=dev SECONDS_RUN=10 ./scripts/load.sh   a quick check of the script (debug build)
#
# Prints wrk's figures (requests/s, latency percentiles, non-2xx answers) and the portal
# process's resident memory at the start and at the end. Fails on any socket error or any
# answer that is not 2xx/3xx.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
CONNECTIONS="${CONNECTIONS:-16}"
SECONDS_RUN="${SECONDS_RUN:-60}"

if ! command -v wrk >/dev/null 2>&1; then
  sudo=""; if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
"$repo/scripts/python-env.sh" >/dev/null
py="$repo/.venv/bin/python"

PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = "release" ]; then
  cargo build -q --release -p portal-local
  binary="$repo/target/release/portal-local"
else
  cargo build -q -p portal-local
  binary="$repo/target/debug/portal-local"
fi
work="$(mktemp -d)"
port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$binary" --data-dir "$work/data" --port "$port" --no-demo > "$work/portal.log" 2>&1 &
portal_pid=$!
trap 'kill "$portal_pid" 2>/dev/null || true; wait "$portal_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do
  grep -q "export COURIER_KEY=" "$work/portal.log" \
    && "$py" -c "import urllib.request; urllib.request.urlopen('$base/login')" 2>/dev/null && break
  sleep 0.1
done
courier_key="$(sed -n 's/.*export COURIER_KEY=\(courier_sk_[A-Za-z0-9_-]*\).*/\1/p' "$work/portal.log")"

# A client (created, invited, accepted), one order carried to its dropoff for the tracking
# page and the reads.
eval "$("$py" - "$base" "$courier_key" <<'PY'
import json, re, sys, urllib.request
base, courier = sys.argv[1], sys.argv[2]
def call(method, path, key=None, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req) as r:
        return json.load(r)
client = call("POST", "/v1/clients", courier, {"name": "Load Florist", "email": "orders@load.example"})
call("POST", f"/v1/clients/{client['id']}/invitation", courier)
mail = [m for m in call("GET", "/dev/outbox")["items"] if m["to"] == "orders@load.example"][-1]
token = re.search(r"/invitations/([A-Za-z0-9_-]{43})", json.dumps(mail)).group(1)
key = call("POST", f"/v1/invitations/{token}/accept")["apiKey"]["key"]
order = call("POST", "/v1/orders", key, {
    "pickup": {"address": {"line1": "1 Market St", "city": "San Francisco"}},
    "dropoff": {"address": {"line1": "9 Pine St", "city": "San Francisco"},
                "recipient": {"name": "Ada Lovelace", "phone": "+14155550147"}}})
for task, event in [("pickup", {"type": "assigned", "driver": {"name": "Sam Driver"}}),
                    ("dropoff", {"type": "assigned", "driver": {"name": "Sam Driver"}}),
                    ("pickup", {"type": "started"}), ("pickup", {"type": "completed"}),
                    ("dropoff", {"type": "started"})]:
    call("POST", f"/v1/tasks/{order[task]['id']}/events", courier, event)
path = "/" + order["trackingUrl"].split("/", 3)[3]
print(f"export LOAD_CLIENT_KEY={key} LOAD_COURIER_KEY={courier} LOAD_ORDER_ID={order['id']} LOAD_TRACKING_PATH={path}")
PY
)"

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$portal_pid/status"; }
echo "== load: $CONNECTIONS connections for ${SECONDS_RUN} s against $base ($PROFILE portal-local, embedded store)"
echo "rss at start: $(rss)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s "$repo/scripts/load/mix.lua" "$base" | tee "$work/wrk.txt"
echo "rss at end: $(rss)"
if grep -q "Non-2xx or 3xx responses\|Socket errors" "$work/wrk.txt"; then
  echo "load: errors (above)" >&2
  exit 1
fi
echo "load: 0 errors"
