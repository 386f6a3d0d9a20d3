#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the tracking-page browser test, if it is
# not there yet (apt as root, or through sudo).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
echo "== installing chromium (Debian package) for the browser test"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
command -v chromium
