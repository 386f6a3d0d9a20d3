#!/usr/bin/env bash
# Builds every function of the SAM template for Lambda (arm64, release) with the project's
# own tools, offline, and prints how long it took.
#
#   scripts/sam-build.sh                      # template.yaml -> .aws-sam/build
#   scripts/sam-build.sh -t other.yaml        # any `sam build` option is passed through
#
# Then it prints every function's zip size against issue 8's budget (scripts/zip_sizes.py:
# 2.5 MB, 3 MB with all three AWS clients) and fails if one is over.
#
# How SAM builds these functions: every function's BuildMethod is `makefile`, built in
# source (samconfig.toml's build_in_source; --build-in-source here), so SAM runs
# `make build-<LogicalId>` in functions/ for each function. functions/Makefile builds every
# binary in one `cargo lambda build --release --arm64 --bins` the first time (the
# dependencies and the domain crate compiled once, the binaries linked in parallel) and
# copies each function's target/lambda/<binary>/bootstrap. See BENCHMARKS.md, "sam build".
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
"$REPO/scripts/build-env.sh"

export PATH="$REPO/.venv/bin:$PATH"
# Everything was fetched by build-env.sh: the build itself needs no network.
export CARGO_NET_OFFLINE=true
export SAM_CLI_TELEMETRY=0

start=$(date +%s)
sam build --build-in-source "$@"
elapsed=$(( $(date +%s) - start ))
printf 'sam build: %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60))
if [[ $# -eq 0 ]]; then
  "$REPO/.venv/bin/python" "$REPO/scripts/zip_sizes.py" template.yaml .aws-sam/build
fi
