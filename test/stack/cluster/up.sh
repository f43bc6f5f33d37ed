#!/usr/bin/env bash
# Starts a real local control plane in the background and returns once it is ready: etcd, kube-apiserver,
# kube-controller-manager and kube-scheduler, and the real KubeVirt (virt-api, virt-controller) and CDI
# (cdi-apiserver, cdi-controller) control planes (upstream/components.sh). No kubelet or container runtime:
# test/simulator plays the nodes.
#
#   kubeconfig  ${WUKONG_STATE:-<repo>/.wukong}/kubeconfig   (context wukong-local, admin = system:masters)
#   state       ${WUKONG_STATE:-<repo>/.wukong}/cluster      (pki/, etcd/, <component>.log, <component>.pid)
#   ports       127.0.0.1 only: kube-apiserver 6443 (WUKONG_APISERVER_PORT), etcd 12379/12380
#               (WUKONG_ETCD_PORT/WUKONG_ETCD_PEER_PORT), kube-controller-manager 10257 (WUKONG_KCM_PORT)
#
# Running it again keeps what is healthy and (re)starts only what is not: after kube-apiserver died, etcd
# and kube-controller-manager keep running and only the apiserver starts. A component that runs but stays
# unhealthy is stopped and started again. CRDs and fixtures are re-applied each time. Stop with down.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

bin=$("$here/build.sh")
kubectl() { "$bin/kubectl" --kubeconfig "$kubeconfig" "$@"; }
mkdir -p "$state"
# Two concurrent runs (e.g. parallel test jobs) would both see "not running" and race for the ports.
exec 9>"$state/up.lock"
flock 9

# ---- health checks (named ok_<component>) --------------------------------------------------------
ok_etcd() { [[ $(curl -sf --max-time 2 "http://127.0.0.1:$etcd_port/health") == *'"health":"true"'* ]]; }
ok_kube-apiserver() {
  [ "$(curl -sf --max-time 2 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$apiserver_port/readyz")" = ok ]
}
# /healthz is in kcm's always-allowed paths; its serving cert is self-signed, hence -k.
ok_kube-controller-manager() { [ "$(curl -skf --max-time 2 "https://127.0.0.1:$kcm_port/healthz")" = ok ]; }
healthy() { alive "$1" && "ok_$1"; }

# ---- failure handling ----------------------------------------------------------------------------
started=false started_at=0
failing=""
fail() { # <component> <message>
  failing=$1
  echo "up.sh: $2" >&2
  exit 1
}
on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return
  if [ -n "$failing" ] && [ -f "$state/$failing.log" ]; then
    echo "---- last 40 lines of $state/$failing.log" >&2
    tail -n 40 "$state/$failing.log" >&2
  fi
  # Do not leave a half-started control plane holding ports; the logs stay for logs.sh.
  if $started; then "$here/down.sh" >&2 || true; fi
  echo "up.sh failed (exit $rc)" >&2
}
trap on_exit EXIT

start() { start_exe "$1" "$bin/$1" "${@:2}"; } # <component> <args...>: a binary built by build.sh
start_env=() # NAME=value pairs for the next start_exe
start_exe() { # <component> <executable> <args...>: own session, so it outlives this script and a Ctrl-C sent to it
  local name=$1 exe=$2; shift 2
  started=true started_at=$SECONDS
  : >"$state/$name.log"
  setsid env "${start_env[@]}" "$exe" "$@" </dev/null >>"$state/$name.log" 2>&1 9>&- & # 9>&-: must not hold the lock
  echo $! >"$state/$name.pid"
  start_env=()
}

wait_healthy() { # <component> <timeout seconds>
  local name=$1 deadline=$((SECONDS + $2))
  until healthy "$name"; do
    # pod.sh (upstream/) execs into the binary after setting up; until then only the recorded pid runs.
    alive "$name" || kill -0 "$(cat "$state/$name.pid")" 2>/dev/null || fail "$name" "$name exited during start-up"
    [ "$SECONDS" -lt "$deadline" ] || fail "$name" "$name not healthy after $2 s"
    sleep 0.2
  done
  echo "$name ready after $((SECONDS - started_at)) s (pid $(pid_of "$name"))" >&2
}

port_free() { # <port> <env var that overrides it>
  [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] ||
    fail "" "127.0.0.1:$1 is already in use by another process (choose another port with $2=...)"
}

# ---- pki -----------------------------------------------------------------------------------------
make_pki() {
  [ -f "$pki/sa.pub" ] && return 0 # written last, so its presence means the set is complete
  local d="$pki.tmp"
  rm -rf "$d" && mkdir -p "$d"
  (
    cd "$d"
    exec 2>openssl.log # openssl is chatty; shown only if something fails
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=wukong-local-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout ca.key -out ca.crt
    sign() { # <name> <subject> <extensions>
      openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile <(printf '%s\n' "$3") -out "$1.crt"
    }
    sign apiserver "/CN=kube-apiserver" "keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.0.0.1"
    # O=system:masters makes this client cluster-admin under RBAC.
    sign admin "/O=system:masters/CN=wukong-admin" "keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
    openssl genrsa -out sa.key 2048
    openssl rsa -in sa.key -pubout -out sa.pub
    rm -f ./*.csr ca.srl
  ) || { cat "$d/openssl.log" >&2; fail "" "certificate generation failed"; }
  rm -f "$d/openssl.log"
  rm -rf "$pki" && mv "$d" "$pki"
  chmod 600 "$pki"/*.key
}

# Added beside make_pki's set, so an existing pki/ keeps its CA: the aggregation layer's front-proxy CA and client
# (extension API servers such as virt-api and cdi-apiserver refuse to start without requestheader settings in
# kube-system/extension-apiserver-authentication), kube-scheduler's client certificate for the built-in
# system:kube-scheduler identity, and a serving certificate for virt-api and cdi-apiserver's local webhook URLs.
make_extra_pki() {
  [ -f "$pki/upstream-serving.crt" ] && return 0
  (
    cd "$pki"
    exec 2>openssl-extra.log
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=wukong-front-proxy-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout front-proxy-ca.key -out front-proxy-ca.crt
    sign() { # <name> <CA> <subject> <extensions>
      openssl req -newkey rsa:2048 -nodes -subj "$3" -keyout "$1.key" -out "$1.csr"
      openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 3650 \
        -extfile <(printf '%s\n' "$4") -out "$1.crt"
      rm -f "$1.csr" "$2.srl"
    }
    sign front-proxy-client front-proxy-ca "/CN=front-proxy-client" "keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
    sign kube-scheduler ca "/CN=system:kube-scheduler" "keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
    sign upstream-serving ca "/CN=wukong-upstream" "keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,DNS:virt-api.kubevirt.svc,DNS:cdi-api.cdi.svc,IP:127.0.0.1"
  ) || { cat "$pki/openssl-extra.log" >&2; fail "" "certificate generation failed"; }
  rm -f "$pki/openssl-extra.log"
  chmod 600 "$pki"/*.key
}

write_kubeconfig() {
  local tmp="$kubeconfig.tmp"
  rm -f "$tmp"
  "$bin/kubectl" --kubeconfig "$tmp" config set-cluster wukong-local --server "https://127.0.0.1:$apiserver_port" \
    --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
  "$bin/kubectl" --kubeconfig "$tmp" config set-credentials wukong-admin \
    --client-certificate "$pki/admin.crt" --client-key "$pki/admin.key" --embed-certs >/dev/null
  "$bin/kubectl" --kubeconfig "$tmp" config set-context wukong-local --cluster wukong-local --user wukong-admin >/dev/null
  "$bin/kubectl" --kubeconfig "$tmp" config use-context wukong-local >/dev/null
  chmod 600 "$tmp" && mv "$tmp" "$kubeconfig"
}

# ---- CRDs and fixtures ---------------------------------------------------------------------------
set_crd_names=() # the CRDs of the chosen set, installed or left out on purpose (install_resources)
install_resources() {
  local crds=() shared
  # WUKONG_CRD_SET: the upstream CRDs of the newest releases we target (../shared/crds, the default) or of the oldest
  # we support (test/fixtures/crds/oldest, docs/compatibility.md). Applied over whatever is installed.
  case ${WUKONG_CRD_SET:-newest} in
    newest) shared="$repo/../shared/crds" ;;
    oldest) shared="$repo/test/fixtures/crds/oldest" ;;
    *) fail "" "WUKONG_CRD_SET must be newest or oldest, not '$WUKONG_CRD_SET'" ;;
  esac
  if [ -d "$shared" ]; then
    # The oldest set is stored gzipped: unpacked into the state directory, whence it is applied.
    local gz unpacked="$state/crd-set"
    rm -rf "$unpacked" && mkdir -p "$unpacked"
    for gz in "$shared"/*.yaml.gz; do
      if [ -e "$gz" ]; then gzip -dc "$gz" >"$unpacked/$(basename "$gz" .gz)"; fi
    done
    crds=("$shared"/*.yaml "$unpacked"/*.yaml)
    # WUKONG_OMIT_CRDS: shared CRD files (basenames, globs) left out, for a cluster without an optional API
    # (test/e2e/optional-apis.e2e.test.ts: no snapshot.kubevirt.io, no nmstate.io). Already installed ones stay.
    local omit f kept=() omitted=()
    for f in "${crds[@]}"; do
      [ -e "$f" ] || continue # an unmatched glob
      for omit in ${WUKONG_OMIT_CRDS:-}; do
        # shellcheck disable=SC2053 # a glob on purpose
        [[ $(basename "$f" .yaml) == $omit ]] && { omitted+=("$f"); continue 2; }
      done
      kept+=("$f")
    done
    crds=("${kept[@]}")
    # The upstream install (upstream/components.sh) must neither replace this set's CRDs nor bring back omitted ones.
    local file
    for file in "${crds[@]}" "${omitted[@]}"; do
      set_crd_names+=($(kubectl create --dry-run=client -o name -f "$file" | sed 's#.*/##'))
    done
  else
    echo "no $shared: installing the permissive fallback CRDs from $here/fallback-crds" >&2
    crds=("$here"/fallback-crds/*.yaml)
  fi
  # Our own CRDs, generated from schemas/ (npm run generate:crd).
  crds+=("$repo"/schemas/*.crd.yaml)
  # Server-side apply: the KubeVirt CRDs are too big for client-side apply's last-applied annotation.
  local args=() names f
  for f in "${crds[@]}"; do args+=(-f "$f"); done
  names=$(kubectl apply --server-side --force-conflicts --field-manager wukong-up -o name "${args[@]}")
  # shellcheck disable=SC2086 # one name per word
  kubectl wait --for condition=Established --timeout 60s $names >&2
  kubectl apply --server-side --force-conflicts --field-manager wukong-up -f "$here/fixtures.yaml" >&2
}

# ---- components: how each starts ----------------------------------------------------------------
# --unsafe-no-fsync: throwaway test data; fsync latency otherwise dominates on CI disks.
start_etcd() {
  start etcd --name wukong --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "wukong=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync
}

# OwnerReferencesPermissionEnforcement (on by default in OpenShift/OKD): setting blockOwnerDeletion needs `update`
# on the owner's finalizers subresource, so the deployed journeys prove the module's RBAC has it.
# --endpoint-reconciler-type=none: no Endpoints for the `kubernetes` service, nothing in-cluster uses it.
start_kube-apiserver() {
  start kube-apiserver --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --secure-port "$apiserver_port" --advertise-address 127.0.0.1 \
    --endpoint-reconciler-type none --authorization-mode RBAC --client-ca-file "$pki/ca.crt" \
    --enable-admission-plugins OwnerReferencesPermissionEnforcement \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --cert-dir "$state/apiserver-certs" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key"
}

# The controllers that matter here: ownerReference GC, namespace deletion, the `default` ServiceAccount per namespace
# (+ token controller) so namespaces look like a real cluster's; node-lifecycle-controller, which lifts the not-ready
# taint every new Node gets once the (simulated) kubelet posts Ready and marks a node whose kubelet stopped renewing
# its Lease unreachable (without it, kube-scheduler never places a pod on the simulated nodes); and the pvc- and
# pv-protection controllers, which let a deleted claim go once no pod uses it and a deleted volume once no claim does.
# --authentication-skip-lookup: its own /healthz needs no front-proxy authentication, so it need not read the CA.
start_kube-controller-manager() {
  local controllers=garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller
  controllers+=,node-lifecycle-controller,persistentvolumeclaim-protection-controller,persistentvolume-protection-controller
  start kube-controller-manager --kubeconfig "$kubeconfig" \
    --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --authentication-skip-lookup \
    --controllers "$controllers" \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials=false --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port "$kcm_port" --cert-dir "$state/kcm-certs"
}

ports_etcd() { port_free "$etcd_port" WUKONG_ETCD_PORT && port_free "$etcd_peer_port" WUKONG_ETCD_PEER_PORT; }
ports_kube-apiserver() { port_free "$apiserver_port" WUKONG_APISERVER_PORT; }
ports_kube-controller-manager() { port_free "$kcm_port" WUKONG_KCM_PORT; }
startup_timeout() { case $1 in etcd) echo 30 ;; kube-apiserver) echo 120 ;; *) echo 60 ;; esac; }

# ---- main ----------------------------------------------------------------------------------------
t0=$SECONDS
[ "$(id -u)" = 0 ] || fail "" "needs root: cdi-apiserver and cdi-controller run in network and mount namespaces of their own (upstream/pod.sh)"
[ -f "$pki/sa.pub" ] || "$here/down.sh" >&2 # new keys: nothing signed with old ones may keep running
make_pki
make_extra_pki
# shellcheck source=upstream/components.sh
source "$here/upstream/components.sh"
restarted=()
for c in "${components[@]}"; do
  if alive "$c" && ! healthy "$c"; then
    # Running but not (yet) healthy: it may be starting, or etcd behind it was just restarted.
    for _ in $(seq 50); do healthy "$c" && break; sleep 0.2; done
    healthy "$c" || { echo "$c (pid $(pid_of "$c")) runs but is not healthy; restarting it" >&2; stop_component "$c" >&2; }
  fi
  if healthy "$c"; then
    echo "$c already running (pid $(pid_of "$c"))" >&2
  else
    rm -f "$state/$c.pid"
    "ports_$c"
    "start_$c"
    wait_healthy "$c" "$(startup_timeout "$c")"
    restarted+=("$c")
  fi
  if [ "$c" = kube-apiserver ]; then
    write_kubeconfig # cheap, and repairs a deleted or edited one
    # Before the controller manager starts: its garbage collector re-discovers resource types only every 30 s.
    install_resources
    install_upstream_resources
  fi
done
if [ ${#restarted[@]} -gt 0 ]; then
  echo "started ${restarted[*]} in $((SECONDS - t0)) s" >&2
else
  echo "control plane already running (pids $(for c in "${components[@]}"; do pid_of "$c"; done | paste -sd " "))" >&2
fi

echo "export KUBECONFIG=$kubeconfig"
