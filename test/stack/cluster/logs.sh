#!/usr/bin/env bash
# Prints the last N (default 80) lines of each control-plane log; CI calls it when a test run fails.
# Usage: logs.sh [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

lines=${1:-80}
for c in "${components[@]}"; do
  log="$state/$c.log"
  status=stopped
  alive "$c" && status="running, pid $(pid_of "$c")"
  echo "===== $log ($status)"
  if [ -f "$log" ]; then tail -n "$lines" "$log"; else echo "(no log)"; fi
done
