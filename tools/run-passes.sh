#!/usr/bin/env bash
# Run test passes side by side, each in its own PROOFMARKET_HOME, each line of output prefixed
# with its pass's name, and each pass's whole log also kept in $PROOFMARKET_HOME/<name>.log.
# The embedded pass (py-evm, one core) and the anvil pass (a node process beside pytest) use
# different cores for most of their time, so together they take about as long as the longer one.
# Exits non-zero if any pass fails, after all have finished, naming the ones that failed.
# Usage: tools/run-passes.sh NAME=MAKE_TARGET...
set -uo pipefail
home="${PROOFMARKET_HOME:?PROOFMARKET_HOME must be set}"
mkdir -p "$home"
declare -A pids
for pass in "$@"; do
  name="${pass%%=*}"
  target="${pass#*=}"
  mkdir -p "$home/$name"
  (
    export PROOFMARKET_HOME="$home/$name" PYTHONUNBUFFERED=1
    make --no-print-directory "$target" 2>&1 | tee "$home/$name.log" | sed -u "s/^/[$name] /"
    exit "${PIPESTATUS[0]}"
  ) &
  pids[$name]=$!
done
failed=()
for name in "${!pids[@]}"; do
  wait "${pids[$name]}" || failed+=("$name")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]} (whole logs: $home/<name>.log)" >&2
  exit 1
fi
echo "all passes passed: $* (whole logs in $home)"
