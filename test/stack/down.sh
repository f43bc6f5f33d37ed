#!/usr/bin/env bash
# Stops what test/stack/up.sh started: the operator (pepr dev, or the deployed admission and watcher with
# their webhooks), the simulator and its real guests, then the control plane.
# Arguments are passed to test/stack/cluster/down.sh (e.g. --purge).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${WUKONG_STATE:-$repo/.wukong}/stack

stop() { # <name>: TERM the process group, then KILL what is left
  local pidfile="$state/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pgid; pgid=$(cat "$pidfile")
  if kill -0 "-$pgid" 2>/dev/null; then
    kill -TERM "-$pgid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "-$pgid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "-$pgid" 2>/dev/null || true
    echo "stopped $1"
  fi
  rm -f "$pidfile"
}

stop operator
[ ! -d "${WUKONG_STATE:-$repo/.wukong}/deployed" ] || "$here/deployed/stop.sh" --all
stop simulator
"$repo/test/guest/cleanup.sh"
"$here/cluster/down.sh" "$@"
