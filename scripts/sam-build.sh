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
# How SAM builds these functions (aws-lambda-builders' rust-cargolambda workflow, a beta
# feature, hence --beta-features): it builds in source, never in a copy, so every function
# (CodeUri functions/, the functions package; or functions/xlsx/ for the two XLSX readers, whose
# .cargo/config.toml turns on fat LTO for them alone) shares the workspace's one target/
# directory. Per function it runs `cargo lambda build --release --arm64 --bin
# <BuildProperties.Binary>` in the CodeUri and copies target/lambda/<Binary>/bootstrap. The dependencies are therefore compiled once, by the
# first function, and each later function costs its own one-line binary plus its (LTO) link: see
# BENCHMARKS.md, "sam build", for the figures and the profile. The builds run one after another:
# concurrent cargo runs would only wait on the same target directory's lock, so --parallel
# gains nothing here, and --cached is not used because SAM would hash the whole CodeUri
# (the repository, target/ included) for every function.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
"$REPO/scripts/build-env.sh"

export PATH="$REPO/.venv/bin:$PATH"
# Everything was fetched by build-env.sh: the build itself needs no network.
export CARGO_NET_OFFLINE=true
export SAM_CLI_TELEMETRY=0

start=$(date +%s)
sam build --beta-features "$@"
elapsed=$(( $(date +%s) - start ))
printf 'sam build: %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60))
if [[ $# -eq 0 ]]; then
  "$REPO/.venv/bin/python" "$REPO/scripts/zip_sizes.py" template.yaml .aws-sam/build
fi
