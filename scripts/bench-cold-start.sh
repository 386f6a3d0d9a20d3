#!/usr/bin/env bash
# Cold start and size of the Lambda functions, next to a bare lambda_runtime hello world
# (infra/bench/hello) built with the same release profile in the same run.
#
#   scripts/bench-cold-start.sh                    # every function of template.yaml
#   scripts/bench-cold-start.sh get-order authorizer
#   RUNS=30 scripts/bench-cold-start.sh ...
#
# Method (BENCHMARKS.md, "Cold start and size"):
# - sizes: the arm64 release build that deploys (`cargo lambda build --release --arm64
#   --output-format zip`, as `sam build` builds it), target/lambda/<fn>/bootstrap(.zip);
# - timing: the same crates built natively (x86_64, same release profile), because this
#   machine is x86_64 and an arm64 binary under qemu-user would time the emulator. Each run
#   starts a new process against a fake Lambda Runtime API on loopback
#   (scripts/bench_cold_start.py): init = process start -> first poll of
#   /invocation/next; first invocation = event handed out -> response posted, a real
#   request against moto server (table created from template.yaml by portal-admin, as the
#   tests create it; one courier).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
RUNS="${RUNS:-15}"
PORT="${BENCH_MOTO_PORT:-5104}"
"$REPO/scripts/build-env.sh"
# strace counts the certificate files a cold start opens (the "certs" column).
command -v strace >/dev/null || { apt-get update -qq && apt-get install -y -qq strace >/dev/null; } || true
export PATH="$REPO/.venv/bin:$PATH" CARGO_NET_OFFLINE=true

if [[ $# -gt 0 ]]; then
  FUNCTIONS=("$@")
else
  mapfile -t FUNCTIONS < <(cd "$REPO/functions" && ls src/bin | sed -n 's/\.rs$//p')
fi
# Built as `sam build` builds them (the functions package, named with -p here at the
# workspace root, the same crates, profile and cargo configuration).
packages=(-p bench-hello -p portal-functions --bin bench-hello)
for f in "${FUNCTIONS[@]}"; do packages+=(--bin "$f"); done

echo "bench: building ${#FUNCTIONS[@]} function(s) and the hello world (arm64 for size, native for timing)" >&2
# The timing build gets the Lambda target's code-generation flags too (.cargo/config.toml).
host=x86_64-unknown-linux-gnu
flags="$(python3 -c 'import tomllib; print(" ".join(tomllib.load(open(".cargo/config.toml", "rb"))["target"]["aarch64-unknown-linux-gnu"]["rustflags"]))')"
build() {
  cargo lambda build --release --arm64 --output-format zip "$@" >&2
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="$flags" cargo build --release --target "$host" "$@" >&2
}
build "${packages[@]}"
cargo build -q -p portal-admin >&2

work="$(mktemp -d)"
"$REPO/.venv/bin/python" "$REPO/scripts/moto-server.py" -H 127.0.0.1 -p "$PORT" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/moto-api/" && break
  sleep 0.2
done

export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench TABLE_NAME=portal-bench \
  SENDER_EMAIL=no-reply@example.com PUBLIC_BASE_URL=https://bench.example
"$REPO/target/debug/portal-admin" create-table >/dev/null
"$REPO/target/debug/portal-admin" create-courier --name "Bench Couriers" --email ops@bench.example >"$work/seed.json"
"$REPO/.venv/bin/python" - <<'PY'
import boto3
boto3.client("sesv2").create_email_identity(EmailIdentity="no-reply@example.com")
PY

echo "bench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $RUNS cold starts per function" >&2
"$REPO/.venv/bin/python" "$REPO/scripts/bench_cold_start.py" \
  --timing-bins "$REPO/target/$host/release" --lambda-dir "$REPO/target/lambda" \
  --template "$REPO/template.yaml" --seed "$work/seed.json" --runs "$RUNS" \
  "${FUNCTIONS[@]}"
