#!/usr/bin/env bash
# One line per component of a staged module (WUKONG_DEPLOY_NAME, default wukong), for people and scripts:
#   <name> <component> running|stopped port=<p> supervisor=<pid> controller=<pid> module=<pid> restarts=<n> rss_kib=<controller+module>
# controller is controller.js (PID 1 of the container), module the process it forked; rss_kib sums their
# VmRSS, as a container's memory would count them.
# Usage: status.sh [admission|watcher|all]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
source "$here/common.sh"
case "${1:-all}" in
  all) components=("${all_components[@]}") ;;
  admission | watcher) components=("$1") ;;
  *) echo "usage: $0 [admission|watcher|all]" >&2; exit 2 ;;
esac

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
for c in "${components[@]}"; do
  if supervisor_alive "$c"; then
    controller=$(controller_pid "$c") module=$(module_pid "$c")
    total=0
    for p in $controller $module; do total=$((total + $(rss "$p"))); done
    echo "$deploy_name $c running port=$(cat "$dir/$c/port") supervisor=$(cat "$dir/$c/supervisor.pid")" \
      "controller=${controller:--} module=${module:--} restarts=$(cat "$dir/$c/restarts" 2>/dev/null || echo 0) rss_kib=$total"
  else
    echo "$deploy_name $c stopped"
  fi
done
