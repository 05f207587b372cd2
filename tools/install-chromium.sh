#!/usr/bin/env bash
# Make a headless Chromium available at /usr/bin/chromium for the dashboard's browser test
# (tests/e2e/test_dashboard.py drives it with Playwright). Debian's package is used: Playwright's
# own browser download (`playwright install`) is not, since only package registries are reached.
# A Chromium already there is kept; otherwise it is installed with apt-get (as root, or with sudo).
set -euo pipefail
binary=/usr/bin/chromium
if [ ! -x "$binary" ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "error: $binary is missing and this user cannot install it; run as root: apt-get install chromium" >&2
    exit 1
  fi
  echo "chromium: installing Debian's package (apt-get install chromium)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
version="$("$binary" --version 2>/dev/null)" || { echo "error: $binary does not start" >&2; exit 1; }
echo "chromium: $version ($binary)"
