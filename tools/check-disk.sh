#!/usr/bin/env bash
# Say how much disk is free where the install and the tests write, and warn when it is less than
# they need: a full disk makes tests fail in ways that look like bugs (pytest cannot make its
# temporary directories, SQLite cannot write), so the log should name the cause first.
# Usage: tools/check-disk.sh MEGABYTES DIRECTORY...
set -euo pipefail
need_mb="${1:?usage: check-disk.sh MEGABYTES DIRECTORY...}"
shift
for directory in "$@"; do
  free_mb=$(df -Pm "$directory" | awk 'NR == 2 { print $4 }')
  if [ "$free_mb" -lt "$need_mb" ]; then
    echo "warning: only ${free_mb} MB free on the disk holding $directory; this step needs about ${need_mb} MB" >&2
  else
    echo "disk: ${free_mb} MB free on the disk holding $directory"
  fi
done
