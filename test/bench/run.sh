#!/usr/bin/env bash
# `npm run bench`: the benchmarks of issue 7 on the local stack, in one run, each with its ratio or target:
#   floor        the children N Wukongs need, applied directly by a plain client (floor.ts)
#   convergence  N Wukongs through the deployed operator, time to all Running, ratio to the floor (converge.ts)
#   API economy  apiserver_request_total around converge, idle and delete, attributed to who sent it (api-metrics.ts)
#   memory       the watcher's RSS as deployed (controller.js + its fork), sampled every second (memory.ts), and
#                one more convergence under --max-old-space-size=192
#   admission    test/bench/admission.ts, when it exists
# Brings up what it needs: the control planes (test/stack/cluster/up.sh: Kubernetes, kube-scheduler, KubeVirt's
# virt-api and virt-controller, CDI's cdi-apiserver and cdi-controller, the same for floor and operator), the
# simulated nodes (test/simulator), the operator as deployed
# (test/stack/deployed/stage.sh and start.sh: controller.js from the built module, admission and watcher apart).
# Prints a summary; writes $WUKONG_STATE/bench/<run>/results.json (and results.md). Asserts nothing about timing:
# exits 1 only if a workload does not converge within its deadline (or a step fails).
#
# Environment (all optional):
#   BENCH_SIZES="100 1000"      sizes (default 100; CI: 20)
#   BENCH_IDLE_SECONDS=600      idle window after convergence (default 600)
#   BENCH_DEADLINE_SECONDS      per phase (default 300 + 2 × size)
#   BENCH_MAXOLD_MIB=192        the memory-limited convergence: --max-old-space-size (empty: skip)
#   BENCH_MAXOLD_SIZE           its size (default: the largest of BENCH_SIZES)
#   BENCH_MODULE_DIR=<dir>      the Pepr module to measure (default this repo), e.g. a worktree of an older commit
#   BENCH_BUILD=0               stage the module's existing dist/ instead of running `pepr build`
#   BENCH_BUILD_REF=<git ref>   build a clean `git archive` of that ref of the module (stage.sh --ref)
#   BENCH_LABEL=<text>          names the run (default: the module's git describe)
#   BENCH_CLIENT_COUNTS=0       do not preload the request counter into the operator and simulator
#   BENCH_CREATE_CONCURRENCY=4  Wukong creations in flight (the floor applies 4 Wukongs at a time, like the queue)
#   BENCH_ADMISSION=0           skip admission.ts
#   BENCH_KEEP=1                leave the control plane, simulator and operator running afterwards
#   SIM_*                       the simulator's knobs (test/simulator/README.md)
#   WUKONG_STATE, WUKONG_APISERVER_PORT, WUKONG_ETCD_PORT, WUKONG_ETCD_PEER_PORT, WUKONG_KCM_PORT (test/stack/cluster),
#   WUKONG_ADMISSION_PORT, WUKONG_WATCHER_PORT, WUKONG_NODE_OPTIONS (test/stack/deployed) are honoured.
set -euo pipefail
# The whole script is one block, read before it runs: editing this file during a run cannot change that run.
{
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

[ "$(id -u)" = 0 ] || { echo "run.sh needs root: test/stack/deployed runs each process in its own namespaces" >&2; exit 1; }
export WUKONG_STATE=${WUKONG_STATE:-$repo/.wukong}
sizes=${BENCH_SIZES:-100}
idle=${BENCH_IDLE_SECONDS:-600}
maxold=${BENCH_MAXOLD_MIB-192}
module_dir=$(cd "${BENCH_MODULE_DIR:-$repo}" && pwd)
largest=$(printf '%s\n' $sizes | sort -n | tail -1)
maxold_size=${BENCH_MAXOLD_SIZE:-$largest}
label=${BENCH_LABEL:-$(git -C "$module_dir" describe --always --dirty 2>/dev/null || basename "$module_dir")}
run_id=$(date -u +%Y%m%dT%H%M%SZ)-${label//[^A-Za-z0-9._-]/_}
out=$WUKONG_STATE/bench/$run_id
counts=$out/counts
mkdir -p "$counts"
export KUBECONFIG=$WUKONG_STATE/kubeconfig
# A staged copy of its own, so a run never replaces the `wukong` copy someone else started. The name also names
# test/stack/deployed's memory cgroups (system-wide), so it carries the API server port: two stacks never share one.
export WUKONG_DEPLOY_NAME=${WUKONG_DEPLOY_NAME:-bench-${WUKONG_APISERVER_PORT:-6443}}
deployed=$WUKONG_STATE/deployed/$WUKONG_DEPLOY_NAME
tsx=$repo/node_modules/.bin/tsx
say() { echo "[bench $(date -u +%T)] $*" >&2; }

# ---- what was running before, to stop only what this run started ---------------------------------
control_plane_was_up=false
if "$repo/test/stack/cluster/build.sh" >/dev/null 2>&1 && [ -f "$KUBECONFIG" ] &&
  "$("$repo/test/stack/cluster/build.sh")/kubectl" --request-timeout 3s get --raw /readyz >/dev/null 2>&1; then
  control_plane_was_up=true
fi
sim_pid=""
status=0
cleanup() {
  local rc=$?
  [ "$rc" -eq 0 ] || status=$rc
  if [ "${BENCH_KEEP:-}" = 1 ]; then
    say "BENCH_KEEP=1: leaving everything running (simulator pid ${sim_pid:-none}; stop: test/stack/deployed/stop.sh, kill -TERM -$sim_pid, test/stack/cluster/down.sh)"
    exit "$status"
  fi
  "$repo/test/stack/deployed/stop.sh" >&2 || true
  if [ -n "$sim_pid" ]; then kill -TERM "-$sim_pid" 2>/dev/null || true; fi
  $control_plane_was_up || "$repo/test/stack/cluster/down.sh" >&2 || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'say "failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR

# ---- machine and load, for the record ------------------------------------------------------------
machine() {
  node -e '
    const os = require("os"), fs = require("fs");
    const [l1, l5, l15] = os.loadavg();
    console.log(JSON.stringify({
      date: new Date().toISOString(), host: os.hostname(), nproc: os.cpus().length, cpu: os.cpus()[0]?.model,
      memTotalMiB: Math.round(os.totalmem() / 1048576), kernel: os.release(), node: process.version,
      loadavg: [l1, l5, l15].map(x => Math.round(x * 100) / 100),
      simulator: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("SIM_"))),
    }));'
}
machine >"$out/machine-start.json"
say "run $run_id: sizes [$sizes], idle ${idle}s, module $module_dir ($label); results in $out"

# ---- control plane, module, simulator -------------------------------------------------------------
"$repo/test/stack/cluster/up.sh" >/dev/null
"$repo/test/stack/deployed/stop.sh" >&2 || true # a copy left over from an earlier run
stage_args=(--build)
[ "${BENCH_BUILD:-1}" != 0 ] || stage_args=()
[ -z "${BENCH_BUILD_REF:-}" ] || stage_args=(--ref "$BENCH_BUILD_REF")
say "staging the module (test/stack/deployed/stage.sh ${stage_args[*]}; build log in $deployed/build.log)"
WUKONG_MODULE_DIR=$module_dir "$repo/test/stack/deployed/stage.sh" "${stage_args[@]}" >&2

count_options=""
if [ "${BENCH_CLIENT_COUNTS:-1}" != 0 ]; then
  # test/stack/deployed's containers get a fixed environment, so the counter's directory travels in a generated preload.
  printf 'require(%s).startCounting(%s);\n' "\"$here/support/request-counter.cjs\"" "\"$counts\"" >"$counts/preload.cjs"
  count_options="--require $counts/preload.cjs"
fi

# The simulator in its own session (kill -TERM -<pid> stops it and tsx's child); not through npx (see its README).
# It plays the nodes beside the real control planes (test/stack/cluster/upstream/), writing VMI status as virt-handler.
(
  [ -z "$count_options" ] || export NODE_OPTIONS="$count_options" BENCH_COUNTER_ROLE=simulator
  export SIM_VIRT_HANDLER_KUBECONFIG=$WUKONG_STATE/cluster/upstream/virt-handler/kubeconfig
  exec setsid "$tsx" "$repo/test/simulator/main.ts" >"$out/simulator.log" 2>&1 </dev/null
) &
sim_pid=$!
say "simulator pid $sim_pid (log $out/simulator.log)"
"$tsx" "$here/support/clean.ts" # namespaces an interrupted run left behind (it needs the simulator)

operator_up() { # [extra NODE_OPTIONS]
  WUKONG_NODE_OPTIONS="${WUKONG_NODE_OPTIONS:-} $count_options ${1:-}" "$repo/test/stack/deployed/start.sh" >&2
}
operator_down() { "$repo/test/stack/deployed/stop.sh" >&2; }
supervisor() { cat "$deployed/$1/supervisor.pid"; }

deadline() { echo "${BENCH_DEADLINE_SECONDS:-$((300 + 2 * $1))}"; }
converge() { # <size> <label> <idle seconds>
  "$tsx" "$here/converge.ts" --size "$1" --label "$2" --idle-seconds "$3" --deadline-seconds "$(deadline "$1")" \
    --create-concurrency "${BENCH_CREATE_CONCURRENCY:-4}" --counts "$counts" \
    --watcher "$(supervisor watcher)" --admission "$(supervisor admission)" --simulator "$sim_pid" \
    --restarts-file "$deployed/watcher/restarts" --cgroup-file "$deployed/watcher/cgroup" --out "$out/$2-$1.json"
  local rc=$?
  # Out-of-memory crashes of the watcher during this run (start.sh starts each run with a fresh log).
  grep -ac "heap out of memory" "$deployed/watcher.log" >"$out/$2-$1.oom" || true
  return "$rc"
}

# ---- per size: floor (no operator running), then convergence, idle and delete through the operator ---
for n in $sizes; do
  operator_down >/dev/null 2>&1 || true
  say "floor, N=$n"
  "$tsx" "$here/floor.ts" --size "$n" --deadline-seconds "$(deadline "$n")" --counts "$counts" --simulator "$sim_pid" \
    --out "$out/floor-$n.json" || status=1
  say "operator as deployed, N=$n"
  operator_up
  converge "$n" converge "$idle" || status=1
  operator_down
done

if [ -n "$maxold" ]; then
  say "convergence under --max-old-space-size=$maxold, N=$maxold_size"
  operator_up "--max-old-space-size=$maxold"
  converge "$maxold_size" "maxold$maxold" 0 || status=1
  operator_down
fi

if [ -f "$here/admission.ts" ] && [ "${BENCH_ADMISSION:-1}" != 0 ]; then
  if [ "$module_dir" = "$repo" ]; then
    say "admission latency (test/bench/admission.ts)"
    # The operator is stopped by now: its two ports serve admission.ts's two modules.
    BENCH_WUKONG_PORT=${BENCH_WUKONG_PORT:-${WUKONG_ADMISSION_PORT:-3100}} BENCH_NOOP_PORT=${BENCH_NOOP_PORT:-${WUKONG_WATCHER_PORT:-3101}} \
      BENCH_ADMISSION_OUT="$out/admission.json" "$tsx" "$here/admission.ts" >"$out/admission.txt" || status=1
    cat "$out/admission.txt"
  else
    say "admission.ts measures this repo's module only: skipped for $module_dir"
  fi
fi

machine >"$out/machine-end.json"
"$tsx" "$here/report.ts" "$out" || status=1
cp "$out/results.json" "$WUKONG_STATE/bench/latest.json"
exit "$status"
}
