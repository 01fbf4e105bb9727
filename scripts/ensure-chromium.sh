#!/usr/bin/env bash
# Browser tests drive the system's Chromium (Debian's package); no test tool
# downloads a browser of its own.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing: install it (Debian: apt-get install chromium fonts-noto-cjk)" >&2
  exit 1
fi
echo "installing chromium from the distribution's packages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
