#!/usr/bin/env bash
# A small kubelet for one container: runs pod.sh as PID 1 of new mount and PID namespaces, with exactly
# the environment start.sh wrote (env -i), and restarts it when it exits, with backoff. Like a pod:
#   - controller.js is PID 1 inside, so when it dies the kernel kills the module it forked;
#   - a liveness probe (GET /healthz over HTTPS, as in the generated Deployment: 10 s initial delay,
#     every 10 s, 3 failures) restarts a container whose module died while controller.js lives on;
#   - on SIGTERM the container gets terminationGracePeriodSeconds (5 s in Pepr's Deployments), then SIGKILL.
# Started by start.sh (setsid, in the background); stopped by stop.sh with SIGTERM.
# Usage: supervise.sh <deploy dir> <admission|watcher>
# Knobs: WUKONG_BACKOFF_MAX (s, default 30; restarts wait 1, 2, 4… s, back to 1 after 60 s of running),
#        WUKONG_GRACE_SECONDS (default 5), WUKONG_LIVENESS (1; 0 turns the probe off).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1 component=$2
run=$dir/$component
log=$dir/$component.log
port=$(cat "$run/port")
mapfile -t container_env <"$run/env"
backoff_max=${WUKONG_BACKOFF_MAX:-30}
grace=${WUKONG_GRACE_SECONDS:-5}
liveness=${WUKONG_LIVENESS:-1}

echo $$ >"$run/supervisor.pid"
say() { echo "[supervisor $(date -u +%FT%T.%3NZ)] $component: $*" >>"$log"; }

pod="" stopping=false
# SIGTERM to PID 1 of a PID namespace is dropped unless it has a handler, and controller.js has none, so a
# kubelet's SIGTERM never reaches Pepr's module (it has a handler: closes its server, exits 143). Here the
# TERM goes to the module directly; controller.js exits once its child has. SIGKILL after the grace period.
terminate() {
  [ -n "$pod" ] || return 0
  local init
  init=$(pgrep -P "$pod" | head -n 1)
  [ -z "$init" ] || pkill -TERM -P "$init" || true
  for _ in $(seq $((grace * 10))); do kill -0 "$pod" 2>/dev/null || return 0; sleep 0.1; done
  say "still running ${grace}s after SIGTERM: SIGKILL"
  [ -z "$init" ] || kill -KILL "$init" 2>/dev/null || true
  kill -KILL "$pod" 2>/dev/null || true # unshare --kill-child takes PID 1, and with it the namespace, along
}
trap 'stopping=true; terminate' TERM INT

probe() { # runs in the background while the container runs; its sleeps end at once on SIGTERM
  local failures=0 sleeper=""
  trap '[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep 10 & sleeper=$!; wait "$sleeper"
  while kill -0 "$pod" 2>/dev/null; do
    if [ "$(curl -sk --max-time 1 "https://127.0.0.1:$port/healthz" 2>/dev/null)" = OK ]; then
      failures=0
    else
      failures=$((failures + 1))
      say "liveness probe failed ($failures/3)"
      if [ "$failures" -ge 3 ]; then
        say "liveness probe failed 3 times: restarting the container"
        terminate
        return
      fi
    fi
    sleep 10 & sleeper=$!; wait "$sleeper"
  done
}

# The container's memory limit (resources.limits.memory of the Deployment), as a memory cgroup: node sizes its
# heap from it as it would in the pod, and an overrun is an OOM kill. cgroup v2 when mounted, else v1.
limit=$(cat "$dir/module/$component.memory-limit" 2>/dev/null || true)
cgroup=""
if [ -n "$limit" ]; then
  # One cgroup per stack (a checksum of its state directory): stacks of other worktrees must not share the limit.
  name="wukong-$(basename "$dir")-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)-$component"
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    cgroup=/sys/fs/cgroup/$name
    mkdir -p "$cgroup" && echo "$limit" >"$cgroup/memory.max" || cgroup=""
  elif [ -d /sys/fs/cgroup/memory ]; then
    cgroup=/sys/fs/cgroup/memory/$name
    mkdir -p "$cgroup" && echo "$limit" >"$cgroup/memory.limit_in_bytes" || cgroup=""
  fi
  if [ -n "$cgroup" ]; then say "memory limit $limit bytes (cgroup $cgroup)"; else say "memory limit $limit bytes NOT applied: no memory cgroup"; fi
fi
echo "$cgroup" >"$run/cgroup"
oom_kills() { # how many times the kernel killed a process of the container for its memory limit
  local file=$cgroup/memory.events # v2; v1 keeps the count in memory.oom_control
  [ -f "$file" ] || file=$cgroup/memory.oom_control
  if [ -z "$cgroup" ] || [ ! -f "$file" ]; then echo 0; return; fi
  awk '$1 == "oom_kill" { n = $2 } END { print n + 0 }' "$file"
}

restarts=0 delay=1
echo 0 >"$run/restarts"
while ! $stopping; do
  say "starting container (restarts: $restarts)"
  started=$SECONDS
  (
    [ -z "$cgroup" ] || echo "$BASHPID" >"$cgroup/cgroup.procs"
    exec unshare --mount --propagation private --pid --fork --kill-child -- \
      env -i "${container_env[@]}" "$here/pod.sh" "$dir" "$component"
  ) </dev/null >>"$log" 2>&1 &
  pod=$!
  echo "$pod" >"$run/pod.pid"
  prober=""
  if [ "$liveness" = 1 ]; then probe & prober=$!; fi
  while :; do
    wait "$pod"
    status=$?
    kill -0 "$pod" 2>/dev/null || break # else wait was interrupted by a signal
  done
  if [ -n "$prober" ]; then kill "$prober" 2>/dev/null; wait "$prober"; fi
  pod=""
  rm -f "$run/pod.pid"
  $stopping && break
  ran=$((SECONDS - started))
  [ "$ran" -lt 60 ] || delay=1
  restarts=$((restarts + 1))
  echo "$restarts" >"$run/restarts"
  ooms=$(oom_kills)
  [ "$ooms" = "${last_ooms:-0}" ] || say "OOMKilled: the container went over its memory limit ($ooms OOM kills so far)"
  last_ooms=$ooms
  say "container exited with status $status after ${ran}s; restart #$restarts in ${delay}s"
  sleep "$delay" &
  wait $! || true
  delay=$((delay * 2 > backoff_max ? backoff_max : delay * 2))
done
say "stopped"
[ -z "$cgroup" ] || rmdir "$cgroup" 2>/dev/null || true
rm -f "$run/supervisor.pid"
