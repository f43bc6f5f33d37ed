#!/usr/bin/env bash
# Brings up the whole local stack in the background and returns when it is usable: the control plane
# (test/stack/cluster/up.sh), the VM-runtime simulator, and the Wukong module, run one of two ways:
#   WUKONG_RUNTIME=dev       (default) `pepr dev`: one process, TypeScript loaded on the fly, the admin
#                            kubeconfig, webhooks at https://localhost:3000
#   WUKONG_RUNTIME=deployed  what `npx pepr build` produced, run the way its Deployments run it
#                            (test/stack/deployed/): admission and watcher as separate supervised processes through
#                            Pepr's controller.js, with the generated TLS, webhooks and RBAC, each
#                            authenticated as the module's ServiceAccount. Needs root.
# Running it again restarts only what is not running. State and logs: .wukong/stack/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${WUKONG_STATE:-$repo/.wukong}/stack
mkdir -p "$state"
cd "$repo"

runtime=${WUKONG_RUNTIME:-dev}
case "$runtime" in
  dev) ;;
  deployed)
    [ "$(id -u)" = 0 ] || { echo "WUKONG_RUNTIME=deployed needs root (each process runs in its own mount namespace)" >&2; exit 1; }
    [ "${WUKONG_USE_KUBECONFIG:-}" != 1 ] || { echo "WUKONG_RUNTIME=deployed runs only on the embedded cluster: the API server must reach the webhooks on this host" >&2; exit 1; }
    ;;
  *) echo "WUKONG_RUNTIME must be dev or deployed, not '$runtime'" >&2; exit 2 ;;
esac

"$here/ensure-deps.sh"

# The embedded local cluster, unless the user asks for the one their KUBECONFIG names (never implicitly:
# `pepr dev` registers webhooks in whatever cluster it talks to).
if [ "${WUKONG_USE_KUBECONFIG:-}" = 1 ]; then
  : "${KUBECONFIG:=$HOME/.kube/config}"
  export KUBECONFIG
  dev_host=${WUKONG_DEV_HOST:-host.k3d.internal}
  echo "using the cluster in $KUBECONFIG; webhooks will call https://$dev_host:3000"
else
  "$here/cluster/up.sh"
  . "$here/cluster/env.sh"
  dev_host=localhost
fi

# Each process runs in its own session so down.sh can stop it with everything it spawned.
start() { # <name> <command…>
  local name=$1; shift
  if [ -f "$state/$name.pid" ] && kill -0 "-$(cat "$state/$name.pid")" 2>/dev/null; then
    echo "$name already running (pid $(cat "$state/$name.pid"))"
    return
  fi
  setsid "$@" >"$state/$name.log" 2>&1 < /dev/null &
  echo $! >"$state/$name.pid"
  echo "started $name (pid $!, log $state/$name.log)"
}

# The simulator plays the nodes (kubelet, virt-handler, CSI, NMState's handler) beside the real scheduler, KubeVirt
# and CDI control planes (test/stack/cluster/upstream/): only on the embedded cluster. It writes VMI status as
# virt-handler's ServiceAccount (test/stack/cluster/upstream/components.sh makes its kubeconfig).
export SIM_VIRT_HANDLER_KUBECONFIG=${WUKONG_STATE:-$repo/.wukong}/cluster/upstream/virt-handler/kubeconfig
[ "${WUKONG_USE_KUBECONFIG:-}" = 1 ] || start simulator node_modules/.bin/tsx test/guest/main.ts

if [ "$runtime" = deployed ]; then
  exec "$here/deployed/up.sh"
fi
# The module's pepr.env from package.json, which `pepr build` puts in its Deployments (pepr dev does not).
while IFS= read -r setting; do export "${setting?}"; done < <(node -e 'for (const [k, v] of Object.entries(require("./package.json").pepr.env ?? {})) console.log(`${k}=${v}`)')
start operator npx pepr dev --host "$dev_host" --yes

# Ready when a server-side dry run goes through both webhooks (the mutated object carries a MAC)…
deadline=$((SECONDS + ${WUKONG_START_TIMEOUT:-300}))
printf 'waiting for the admission webhooks'
probe='{"apiVersion":"vm.novasphere.dev/v1alpha1","kind":"Wukong","metadata":{"name":"readiness-probe","namespace":"default"},
  "spec":{"cpu":1,"memory":"1Gi","networks":[{"name":"probe","type":"bridge"}],"disks":[{"name":"system","size":"1Gi"}]}}'
until echo "$probe" | kubectl apply --dry-run=server -f - -o jsonpath='{.spec.networks[0].macAddress}' 2>/dev/null | grep -q ':'; do
  if [ $SECONDS -ge $deadline ] || ! kill -0 "-$(cat "$state/operator.pid")" 2>/dev/null; then
    echo; echo "the operator did not become ready; last lines of its log:" >&2
    tail -40 "$state/operator.log" >&2
    exit 1
  fi
  printf '.'; sleep 2
done
echo " ok"
# …and every watch binding has started its watch.
printf 'waiting for the watches'
until configured=$(grep -c 'Watch Action configured' "$state/operator.log" || true); started=$(grep -c 'Effective WatchConfig' "$state/operator.log" || true); [ "$configured" -gt 0 ] && [ "$started" -ge "$configured" ]; do
  if [ $SECONDS -ge $deadline ]; then echo; echo "watches did not start" >&2; tail -40 "$state/operator.log" >&2; exit 1; fi
  printf '.'; sleep 1
done
echo " ok"
echo "export KUBECONFIG=$KUBECONFIG"
