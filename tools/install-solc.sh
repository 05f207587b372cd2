#!/usr/bin/env bash
# Make `solc-v$SOLC_VERSION` available to py-solc-x and ape-solidity in $SOLCX_BINARY_PATH.
# A native solc of the right version on PATH is used when there is one; otherwise the pinned
# solcjs (npm package `solc`, WebAssembly) through tools/solc-shim.js. Works offline.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="${SOLC_VERSION:?set SOLC_VERSION}"
target_dir="${SOLCX_BINARY_PATH:?set SOLCX_BINARY_PATH}"
target="$target_dir/solc-v$version"
mkdir -p "$target_dir"
if command -v solc >/dev/null 2>&1 && solc --version 2>/dev/null | grep -q "Version: $version+"; then
  ln -sf "$(command -v solc)" "$target"
  echo "solc $version: native $(command -v solc)"
else
  printf '#!/bin/sh\nexec node "%s/tools/solc-shim.js" "$@"\n' "$here" > "$target"
  chmod +x "$target"
  echo "solc $version: solcjs (WebAssembly) through tools/solc-shim.js"
fi
"$target" --version | grep -q "Version: $version+" || { echo "solc shim does not answer --version" >&2; exit 1; }
