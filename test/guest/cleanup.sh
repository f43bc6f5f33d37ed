#!/usr/bin/env bash
# Removes every real guest of this stack: QEMU processes (by their pid files), the network namespaces that played the
# node and the pods (with their bridges and veths), the per-guest files and the disk files. Called by test/stack/down.sh.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
port=${WUKONG_APISERVER_PORT:-6443}
run_dir=/run/wukong-guests-$port
state=${WUKONG_STATE:-$repo/.wukong}

pids=()
for pidfile in "$run_dir"/*/qemu.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  # Only a QEMU: a stale pid file must never kill an unrelated process that reused the pid.
  if [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = qemu-system-x86 ]; then kill -TERM "$pid" && pids+=("$pid"); fi
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
done
[ ${#pids[@]} -eq 0 ] || echo "stopped ${#pids[@]} guest(s)"
for netns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^wk$port-"); do ip netns del "$netns"; done
rm -rf "$run_dir" "$state/guests"
