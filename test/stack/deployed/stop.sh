#!/usr/bin/env bash
# Stops what start.sh started for one staged module (WUKONG_DEPLOY_NAME, default wukong): first deletes
# the webhook configurations it registered (failurePolicy Fail would otherwise block every Wukong write),
# then SIGTERMs each supervisor, which gives its container the grace period; whatever is left of the
# supervisor's session after 15 s is SIGKILLed. Safe to run when nothing is running.
# Usage: stop.sh [admission|watcher|all] [--keep-webhooks]
#        stop.sh --all        every staged name under $WUKONG_STATE/deployed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
source "$here/common.sh"

components=("${all_components[@]}") keep_webhooks=false
for arg in "$@"; do
  case "$arg" in
    all) ;;
    admission | watcher) components=("$arg") ;;
    --keep-webhooks) keep_webhooks=true ;;
    --all)
      status=0
      for d in "$state_root"/deployed/*/; do
        [ -d "$d" ] || continue
        WUKONG_DEPLOY_NAME=$(basename "$d") "$0" || status=$?
      done
      exit "$status"
      ;;
    *) echo "usage: $0 [admission|watcher|all] [--keep-webhooks] | --all" >&2; exit 2 ;;
  esac
done

if ! $keep_webhooks && [ -f "$dir/webhooks.registered" ] && [[ " ${components[*]} " == *" admission "* ]]; then
  uuid=$(cat "$dir/module/uuid")
  if kubectl=$(kubectl_bin) && "$kubectl" --kubeconfig "$kubeconfig" --request-timeout 5s delete \
    mutatingwebhookconfiguration/"pepr-$uuid" validatingwebhookconfiguration/"pepr-$uuid" --ignore-not-found >/dev/null; then
    echo "deleted webhooks pepr-$uuid"
    rm -f "$dir/webhooks.registered"
  else
    echo "could not delete webhooks pepr-$uuid (API server down?); they stay registered" >&2
  fi
fi

for c in "${components[@]}"; do
  pidfile=$dir/$c/supervisor.pid
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if supervisor_alive "$c"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do supervisor_alive "$c" || break; sleep 0.1; done
    # The supervisor leads its own session (setsid): the group takes any orphaned container with it.
    kill -KILL "-$pid" 2>/dev/null || true
    echo "stopped $deploy_name $c (supervisor $pid)"
  elif pgrep -g "$pid" -f "$here/(supervise|pod).sh $dir " >/dev/null; then
    kill -KILL "-$pid" 2>/dev/null || true
    echo "killed what was left of $deploy_name $c (process group $pid)"
  fi
  rm -f "$pidfile" "$dir/$c/pod.pid"
done
