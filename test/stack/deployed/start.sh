#!/usr/bin/env bash
# Runs a staged Pepr module (stage.sh) the way its Deployments run it, without containers: applies what
# `kubectl apply -f dist/pepr-module-<uuid>.yaml` would (the module's CRDs, Namespace pepr-system, RBAC,
# ServiceAccount, Secrets), starts admission and/or watcher under supervise.sh, registers the generated webhook
# configurations pointed at https://pepr-<uuid>.pepr-system.svc:<admission port> (that name, which the
# generated certificate holds, mapped to 127.0.0.1 in /etc/hosts), and returns once they are ready:
#   admission  /healthz answers (and, with webhooks registered, a server-side dry run gets defaulted)
#   watcher    every watch binding has started (pepr_cache_miss appears in its /metrics: Pepr logs watch
#              starts only at LOG_LEVEL=debug)
#
# Usage: start.sh [admission|watcher|all]          (default all)
# Environment (and see common.sh: WUKONG_STATE, WUKONG_DEPLOY_NAME, ports, WUKONG_KUBECONFIG):
#   WUKONG_AUTH=kubeconfig        the module reads KUBECONFIG (default: the local admin kubeconfig)
#   WUKONG_AUTH=serviceaccount    in-cluster config instead: a token of the module's ServiceAccount
#                                 (kubectl create token pepr-<uuid> -n pepr-system) mounted with ca.crt and
#                                 namespace at /var/run/secrets/kubernetes.io/serviceaccount, and
#                                 KUBERNETES_SERVICE_HOST/PORT set to the API server of the kubeconfig
#   WUKONG_NODE_OPTIONS           NODE_OPTIONS of both processes (controller.js's fork inherits env and
#                                 execArgv), e.g. --max-old-space-size=192
#   WUKONG_LOG_LEVEL              overrides the Deployment's LOG_LEVEL (info)
#   WUKONG_REGISTER_WEBHOOKS=0    do not register the webhooks (e.g. a benchmark that calls them directly)
#   WUKONG_START_TIMEOUT          seconds to wait for readiness (default 120)
# Stop with stop.sh. Logs: $WUKONG_STATE/deployed/<name>/<component>.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
source "$here/common.sh"

case "${1:-all}" in
  all | admission | watcher) ;;
  *) echo "usage: $0 [admission|watcher|all]" >&2; exit 2 ;;
esac
auth=${WUKONG_AUTH:-kubeconfig}
case "$auth" in kubeconfig | serviceaccount) ;; *) echo "WUKONG_AUTH must be kubeconfig or serviceaccount" >&2; exit 2 ;; esac
timeout=${WUKONG_START_TIMEOUT:-120}

[ "$(id -u)" = 0 ] || { echo "start.sh needs root: it runs each process in its own mount namespace" >&2; exit 1; }
[ -f "$dir/module/hash" ] || { echo "nothing staged in $dir: run test/stack/deployed/stage.sh first" >&2; exit 1; }
hash=$(cat "$dir/module/hash")
mapfile -t staged <"$dir/module/components" # a module without watches has no watcher Deployment
if [ "${1:-all}" = all ]; then
  components=("${staged[@]}")
elif [[ " ${staged[*]} " == *" $1 "* ]]; then
  components=("$1")
else
  echo "the built manifest of $deploy_name has no $1 Deployment (it has: ${staged[*]})" >&2
  exit 1
fi
uuid=$(cat "$dir/module/uuid")
kubectl=$(kubectl_bin)
k() { "$kubectl" --kubeconfig "$kubeconfig" "$@"; }
k get --raw /readyz >/dev/null || { echo "no API server answers for $kubeconfig (test/stack/cluster/up.sh)" >&2; exit 1; }

# What a user's kubectl apply of the built manifest creates, minus Deployments, Services and webhooks: the
# CRDs first, established before the watcher lists them, then the rest. Server-side: the module Secret is too
# big for client-side apply's last-applied annotation.
if [ -s "$dir/module/crds.yaml" ]; then
  crds=$(k apply --server-side --force-conflicts --field-manager wukong-deployed -o name -f "$dir/module/crds.yaml")
  # shellcheck disable=SC2086 # one name per word
  k wait --for condition=Established --timeout 60s $crds >/dev/null
fi
k apply --server-side --force-conflicts --field-manager wukong-deployed -f "$dir/module/resources.yaml" >/dev/null
mkdir -p /app /etc/certs # empty mountpoints; only the namespaces mount anything there

# In a cluster the Services' DNS names reach the pods; here they name this host. The API server (for the
# webhooks) and curl then check the generated certificate against the name it was made for.
while read -r host; do
  grep -qE "^127\.0\.0\.1[[:space:]]+$host([[:space:]]|\$)" /etc/hosts || echo "127.0.0.1 $host # wukong test/stack/deployed" >>/etc/hosts
done <"$dir/module/service-hosts"
admission_host=pepr-$uuid.pepr-system.svc
watcher_host=pepr-$uuid-watcher.pepr-system.svc

container_env() { # <component> <port>: the whole environment of the container, one NAME=value a line
  local component=$1 port=$2 line
  echo "PATH=$(dirname "$(command -v node)"):/usr/local/bin:/usr/bin:/bin"
  echo "HOME=/app"
  while IFS= read -r line; do
    if [ -n "${WUKONG_LOG_LEVEL:-}" ] && [ "${line%%=*}" = LOG_LEVEL ]; then line=LOG_LEVEL=$WUKONG_LOG_LEVEL; fi
    echo "$line"
  done <"$dir/module/$component.env"
  echo "WUKONG_PORT=$port"
  [ -z "${WUKONG_NODE_OPTIONS:-}" ] || echo "NODE_OPTIONS=$WUKONG_NODE_OPTIONS"
  if [ "$auth" = kubeconfig ]; then
    echo "KUBECONFIG=$kubeconfig"
  else
    local server hostport sa=$dir/$component/serviceaccount
    server=$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')
    hostport=${server#https://}
    hostport=${hostport%%/*}
    rm -rf "$sa" && mkdir -p "$sa"
    k create token "pepr-$uuid" -n pepr-system --duration 24h >"$sa/token"
    k config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$sa/ca.crt"
    printf pepr-system >"$sa/namespace"
    chmod 600 "$sa/token"
    echo "KUBERNETES_SERVICE_HOST=${hostport%:*}"
    echo "KUBERNETES_SERVICE_PORT=${hostport##*:}"
    echo "WUKONG_SA_DIR=$sa"
  fi
}

started=()
for c in "${components[@]}"; do
  if supervisor_alive "$c"; then
    echo "$deploy_name $c already running (supervisor $(cat "$dir/$c/supervisor.pid"))"
    continue
  fi
  port=$(port_of "$c")
  if [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
    echo "port $port ($c) is in use; choose another with WUKONG_$(echo "$c" | tr "[:lower:]" "[:upper:]")_PORT" >&2
    exit 1
  fi
  mkdir -p "$dir/$c"
  rm -f "$dir/$c/supervisor.pid" "$dir/$c/pod.pid"
  echo "$port" >"$dir/$c/port"
  container_env "$c" "$port" >"$dir/$c/env"
  [ ! -f "$dir/$c.log" ] || mv "$dir/$c.log" "$dir/$c.log.prev"
  : >"$dir/$c.log"
  setsid "$here/supervise.sh" "$dir" "$c" </dev/null >>"$dir/$c.log" 2>&1 &
  echo $! >"$dir/$c/supervisor.pid" # the supervisor writes it too; this closes the gap until it does
  started+=("$c")
done

# Like a kubelet's probes, these do not verify the certificate: Pepr's generated leaf has an empty subject and
# issuer, so OpenSSL (curl) takes it for self-signed, while Go (the API server) chains it to the caBundle.
ready() { # <component>
  local port
  port=$(port_of "$1")
  if [ "$1" = admission ]; then
    [ "$(curl -sk --max-time 2 "https://$admission_host:$port/healthz" 2>/dev/null)" = OK ]
  else
    curl -sk --max-time 2 "https://$watcher_host:$port/metrics" 2>/dev/null | grep -q '^pepr_cache_miss{'
  fi
}
deadline=$((SECONDS + timeout))
for c in "${started[@]}"; do
  printf 'waiting for %s %s' "$deploy_name" "$c"
  until ready "$c"; do
    if ! supervisor_alive "$c" || [ "$SECONDS" -ge "$deadline" ]; then
      echo; echo "$deploy_name $c did not become ready; last lines of $dir/$c.log:" >&2
      tail -n 40 "$dir/$c.log" >&2
      exit 1
    fi
    printf '.'; sleep 0.5
  done
  echo " ok"
done

if [[ " ${started[*]} " == *" admission "* ]] && [ "${WUKONG_REGISTER_WEBHOOKS:-1}" = 1 ]; then
  sed -e "s|@ADMISSION_PORT@|$admission_port|g" "$dir/module/webhooks.yaml" | k apply -f - >/dev/null
  echo "$admission_port" >"$dir/webhooks.registered"
  echo "registered webhooks pepr-$uuid -> https://$admission_host:$admission_port"
  # Only the Wukong module has a Wukong defaulter to probe for; another module is ready at /healthz.
  if [ "$uuid" = wukong ]; then
    printf 'waiting for a server-side dry run through the webhooks'
    probe='{"apiVersion":"vm.novasphere.dev/v1alpha1","kind":"Wukong","metadata":{"name":"readiness-probe","namespace":"default"},
      "spec":{"cpu":1,"memory":"1Gi","networks":[{"name":"probe","type":"bridge"}],"disks":[{"name":"system","size":"1Gi"}]}}'
    until echo "$probe" | k apply --dry-run=server -f - -o jsonpath='{.spec.networks[0].macAddress}' 2>/dev/null | grep -q ':'; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo; echo "the API server's dry run did not get through the webhooks:" >&2
        echo "$probe" | k apply --dry-run=server -f - >&2 || true
        exit 1
      fi
      printf '.'; sleep 1
    done
    echo " ok"
  fi
fi

for c in "${components[@]}"; do
  if [ "$c" = admission ]; then host=$admission_host; else host=$watcher_host; fi
  echo "$deploy_name $c: https://$host:$(port_of "$c") supervisor $(cat "$dir/$c/supervisor.pid")" \
    "controller.js $(controller_pid "$c") module $(module_pid "$c") (hash ${hash:0:12}, auth $auth, log $dir/$c.log)"
done
