#!/usr/bin/env bash
# Create (or reuse) the project's Python virtualenv at $REPO/.venv with the
# tools used for local testing and template checks:
#   - moto (server mode) to emulate DynamoDB / SNS / SES offline
#   - cfn-lint and aws-sam-cli to validate template.yaml
#   - schemathesis to test the local portal against infra/openapi.yaml
#   - playwright and axe-playwright-python for the web portal's browser test
# Idempotent: the pip install runs only when the stamp file is missing, so
# bump STAMP's version when the package list changes.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
STAMP="$VENV/.installed-v3"
PYTHON="${PYTHON:-python3}"

PACKAGES=(
  "moto[server,dynamodb,sns,ses]"
  "cfn-lint"
  "aws-sam-cli"
  "schemathesis==4.32.5"
  # The web portal's browser test (Debian's Chromium; no browser download).
  "playwright"
  "axe-playwright-python"
)

if [[ ! -x "$VENV/bin/python" ]]; then
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
    # Debian/Ubuntu split ensurepip into python3-venv / python3.X-venv.
    rm -rf "$VENV"
    echo "python-env: '$PYTHON -m venv' failed; installing python3-venv via apt-get" >&2
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq python3-venv >/dev/null \
      || $SUDO apt-get install -y -qq "python${pyver}-venv" >/dev/null
    "$PYTHON" -m venv "$VENV"
  fi
fi

if [[ ! -f "$STAMP" ]]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "${PACKAGES[@]}"
  touch "$STAMP"
fi
