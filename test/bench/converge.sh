#!/usr/bin/env bash
# Benchmark on the running local stack (`npm run up` first): how long N Wukongs take to reach Running,
# how many objects the operator writes while they sit idle, and how long deleting them all takes.
# Usage: test/bench/converge.sh [N=20] [IDLE_SECONDS=30]. Prints figures; asserts nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cluster/env.sh"
n=${1:-20}
idle=${2:-30}
ns=bench-$$
kubectl create namespace "$ns" >/dev/null
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT

manifests() {
  for i in $(seq 1 "$n"); do
    cat <<YAML
---
apiVersion: vm.novasphere.dev/v1alpha1
kind: Wukong
metadata: {name: bench-$i, namespace: $ns}
spec:
  cpu: 1
  memory: 1Gi
  networks: [{name: lan, type: bridge, vlanId: 42}]
  disks: [{name: system, size: 10Gi}]
YAML
  done
}

running() { kubectl get wk -n "$ns" -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -c '^Running$' || true; }
versions() { kubectl get wk,vm,nad,pvc,secret -n "$ns" -l vm.novasphere.dev/wukong -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}' | sort; }

t0=$(date +%s.%N)
manifests | kubectl apply -f - >/dev/null
t1=$(date +%s.%N)
until [ "$(running)" -eq "$n" ]; do sleep 0.5; done
t2=$(date +%s.%N)
printf 'applied %d Wukongs in %.1f s; all Running %.1f s after the first apply\n' "$n" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t0" | bc)"

# Wukongs themselves count too: the operator's status patches would show as new resourceVersions.
before=$(kubectl get wk -n "$ns" -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}' | sort)
children_before=$(versions)
sleep "$idle"
after=$(kubectl get wk -n "$ns" -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}' | sort)
children_after=$(versions)
changed=$(diff <(echo "$before"; echo "$children_before") <(echo "$after"; echo "$children_after") | grep -c '^>' || true)
printf 'objects rewritten during %d s idle (%d Wukongs and their children): %d\n' "$idle" "$n" "$changed"

t3=$(date +%s.%N)
kubectl delete wk --all -n "$ns" --wait=true --timeout=300s >/dev/null
until [ -z "$(kubectl get vm,nad,pvc,dv,secret -n "$ns" -l vm.novasphere.dev/wukong -o name 2>/dev/null)" ]; do sleep 0.5; done
t4=$(date +%s.%N)
printf 'deleted %d Wukongs and every child in %.1f s\n' "$n" "$(echo "$t4 - $t3" | bc)"
ps -o rss=,args= -p "$(pgrep -f 'node.*pepr-wukong' | head -1)" 2>/dev/null | awk '{printf "operator RSS: %d MiB\n", $1/1024}' || true
