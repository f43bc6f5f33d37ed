#!/usr/bin/env bash
# `npm start`: the local stack in the foreground. Ctrl-C stops all of it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${WUKONG_STATE:-$repo/.wukong}/stack

follower=""
# A background job of a script ignores SIGINT, so Ctrl-C would leave the log follower behind: stop it too.
trap '[ -z "$follower" ] || kill "$follower" 2>/dev/null; "$here/down.sh"; exit 0' INT TERM
"$here/up.sh"
if [ "${WUKONG_USE_KUBECONFIG:-}" = 1 ]; then kubeconfig=${KUBECONFIG:-$HOME/.kube/config}; else kubeconfig=${WUKONG_STATE:-$repo/.wukong}/kubeconfig; fi
cat <<MSG

Wukong is running against the local cluster (operator log: $state/operator.log).
In another shell:
  export KUBECONFIG=$kubeconfig
  kubectl apply -f samples/seed.yaml && kubectl get wk -w
Press Ctrl-C to stop everything.

MSG
tail -n 0 -F "$state"/*.log &
follower=$!
wait
