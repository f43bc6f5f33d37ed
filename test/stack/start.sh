#!/usr/bin/env bash
# `npm start`: the local stack in the foreground. Ctrl-C stops all of it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${WUKONG_STATE:-$repo/.wukong}/stack

trap '"$here/down.sh"; exit 0' INT TERM
"$here/up.sh"
cat <<MSG

Wukong is running against the local cluster (operator log: $state/operator.log).
In another shell:
  export KUBECONFIG=${WUKONG_STATE:-$repo/.wukong}/kubeconfig
  kubectl apply -f samples/seed.yaml && kubectl get wk -w
Press Ctrl-C to stop everything.

MSG
tail -n 0 -F "$state/operator.log" "$state/simulator.log" &
wait
