#!/usr/bin/env bash
# Stops the control plane that up.sh started, by the pids it recorded: SIGTERM, then SIGKILL after 15 s.
# Usage: down.sh [--purge]   --purge also deletes the etcd data and the kubeconfig (pki and logs stay).
# Safe to run when nothing is running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

purge=false
case "${1:-}" in
  --purge) purge=true ;;
  "") ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

stop() { # <component>
  local name=$1 pid
  if alive "$name"; then
    pid=$(pid_of "$name")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do alive "$name" || break; sleep 0.1; done
    if alive "$name"; then
      echo "$name (pid $pid) ignored SIGTERM; killing" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 50); do alive "$name" || break; sleep 0.1; done
    fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$state/$name.pid"
}

# Reverse start order: the controller manager and apiserver would only log errors while etcd is gone.
for ((i = ${#components[@]} - 1; i >= 0; i--)); do stop "${components[i]}"; done

if $purge; then
  rm -rf "$state/etcd" "$kubeconfig"
  echo "purged etcd data and $kubeconfig"
fi
