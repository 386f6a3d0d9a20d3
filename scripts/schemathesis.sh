#!/usr/bin/env bash
# Runs Schemathesis against the local portal, once with a courier key and once with a
# client key: every operation of infra/openapi.yaml (served at /openapi.json), with the
# examples, coverage, fuzzing and stateful (OpenAPI links) phases. Fails on any server
# error or any response that breaks the documented schema, status codes or content types,
# on an operation that answers without its key (ignored_auth) and on a created resource that
# does not answer (ensure_resource_availability). SCHEMATHESIS_CHECKS replaces the list.
# use_after_free is left out: a deleted client's record stays readable (GET 200), which it
# reports (an open point of issue 20).
# Prints one summary line per run, and the last line "schemathesis: ..." for test.sh.
# Needs .venv (scripts/python-env.sh) and builds portal-local (debug).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-50}"
SEED="${SCHEMATHESIS_SEED:-1}"
st="$repo/.venv/bin/st"
py="$repo/.venv/bin/python"

cargo build -q -p portal-local
work="$(mktemp -d)"
port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$repo/target/debug/portal-local" --data-dir "$work/data" --port "$port" --no-demo > "$work/portal.log" 2>&1 &
portal_pid=$!
trap 'kill "$portal_pid" 2>/dev/null || true; wait "$portal_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  grep -q "export COURIER_KEY=" "$work/portal.log" \
    && "$py" -c "import urllib.request; urllib.request.urlopen('$base/openapi.json')" 2>/dev/null && break
  sleep 0.1
done
courier_key="$(sed -n 's/.*export COURIER_KEY=\(courier_sk_[A-Za-z0-9_-]*\).*/\1/p' "$work/portal.log")"
[[ -n "$courier_key" ]] || { echo "schemathesis: portal-local printed no courier key" >&2; cat "$work/portal.log" >&2; exit 1; }

# A client key, the way a new client gets one: create, invite, accept the emailed link.
client_key="$("$py" - "$base" "$courier_key" <<'PY'
import json, re, sys, urllib.request
base, courier = sys.argv[1], sys.argv[2]
def call(method, path, key=None, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    if key:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req) as r:
        return json.load(r)
client = call("POST", "/v1/clients", courier,
              {"name": "Fuzz Florist", "email": "orders@fuzz.example", "allowOrderUpload": True})
call("POST", f"/v1/clients/{client['id']}/invitation", courier)
mail = [m for m in call("GET", "/dev/outbox")["items"] if m["to"] == "orders@fuzz.example"][-1]
token = re.search(r"/invitations/([A-Za-z0-9_-]{43})", json.dumps(mail)).group(1)
print(call("POST", f"/v1/invitations/{token}/accept")["apiKey"]["key"])
PY
)"

checks="${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,ignored_auth,ensure_resource_availability}"
summary=()
status=0
for who in client courier; do
  key_var="${who}_key"
  echo "== schemathesis as the $who"
  # scripts/schemathesis-py/sitecustomize.py: works around CPython gh-106905 (see there).
  if PYTHONPATH="$repo/scripts/schemathesis-py${PYTHONPATH:+:$PYTHONPATH}" "$st" --config-file "$repo/scripts/schemathesis.toml" run "$base/openapi.json" \
      --header "Authorization: Bearer ${!key_var}" \
      --phases examples,coverage,fuzzing,stateful \
      --checks "$checks" \
      --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 2 \
      --suppress-health-check all \
      --request-timeout 10 \
      --report junit --report-junit-path "$repo/target/schemathesis-$who.xml" \
      > "$work/st-$who.log" 2>&1; then cp "$work/st-$who.log" target/schemathesis-$who.log;
    result=passed
  else
    result=FAILED
    status=1
    cat "$work/st-$who.log"
  fi
  line="$(grep -E '^[0-9]+ (passed|failed)|[0-9]+ (passed|failed|errors?)' "$work/st-$who.log" | tail -1 | tr -d '=' | xargs)"
  summary+=("$who: $result ($line)")
  echo "   $who: $result ($line)"
done
if grep -q "panicked\|internal error" "$work/portal.log"; then
  echo "schemathesis: portal-local logged an internal error:" >&2
  grep -n "panicked\|internal error" "$work/portal.log" >&2
  status=1
fi
echo "schemathesis: ${summary[*]}"
exit "$status"
