#!/usr/bin/env bash
# Stops the control plane that up.sh started: every process of its binaries running on this state directory,
# whether or not a pid file still names it. SIGTERM, then SIGKILL after 15 s.
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

# Reverse start order: the controller manager and apiserver would only log errors while etcd is gone.
for ((i = ${#components[@]} - 1; i >= 0; i--)); do stop_component "${components[i]}"; done

if $purge; then
  rm -rf "$state/etcd" "$kubeconfig"
  echo "purged etcd data and $kubeconfig"
fi
