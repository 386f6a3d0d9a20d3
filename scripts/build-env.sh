#!/usr/bin/env bash
# Install what `sam build` needs into the project's virtualenv ($REPO/.venv):
# the SAM CLI (through python-env.sh), cargo-lambda and Zig (the linker
# cargo-lambda uses to cross-compile for arm64), plus the Rust target, and
# fetch every crate so that the build itself runs offline.
# Idempotent: the pip install runs only when the stamp file is missing, so
# bump STAMP's version when the package list changes.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
STAMP="$VENV/.build-installed-v1"

"$REPO/scripts/python-env.sh"

if [[ ! -f "$STAMP" ]]; then
  "$VENV/bin/python" -m pip install --quiet "cargo-lambda" "ziglang"
  touch "$STAMP"
fi

if command -v rustup >/dev/null; then
  rustup target add aarch64-unknown-linux-gnu >/dev/null
fi
(cd "$REPO" && cargo fetch --locked >/dev/null)
