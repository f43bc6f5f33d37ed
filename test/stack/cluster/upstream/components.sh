# Sourced by up.sh: how the real control planes beside kube-apiserver start and are
# checked. kube-scheduler v1.36.3 (built by build.sh), KubeVirt v1.7.4 virt-api and virt-controller, CDI v1.66.0
# cdi-apiserver and cdi-controller (binaries from ../shared/upstream through upstream-bin.sh).
#
# Each runs as its own identity with the RBAC its installer grants, never as admin: kube-scheduler with a client
# certificate for system:kube-scheduler (the built-in role), the others with a token of their ServiceAccount
# (kubectl create token) bound by install-strategy.yaml / install.yaml's roles. Their args and env are their
# Deployments' (manifests.ts writes them out), plus only what running outside a pod needs: --kubeconfig, the local
# port, certificate paths. Files live in $state/upstream/.
upstream_dir=$state/upstream

upstream_bin() { "$here/upstream-bin.sh" "$1"; }

# ---- objects: CRDs, RBAC, ServiceAccounts, Services, webhooks, the KubeVirt/CDI configuration --------------------
install_upstream_resources() {
  local out=$upstream_dir/manifests
  # The CRDs of the chosen set stay as that set has them (an older release's, or left out): not the install's to replace.
  "$repo/node_modules/.bin/tsx" "$here/upstream/manifests.ts" "$out" "$pki/ca.crt" "$virt_api_port" "$cdi_api_port" "${set_crd_names[@]}"
  local names
  names=$(kubectl apply --server-side --force-conflicts --field-manager wukong-up -o name -f "$out/crds.yaml")
  # shellcheck disable=SC2086 # one name per word
  kubectl wait --for condition=Established --timeout 60s $names >&2
  kubectl apply --server-side --force-conflicts --field-manager wukong-up -f "$out/resources.yaml" >/dev/null
  kubectl apply --server-side --force-conflicts --field-manager wukong-up -f "$here/kubevirt-cr.yaml" -f "$here/upstream/cdi-config.yaml" \
    -f "$here/upstream/volume-snapshot-classes.yaml" -f "$here/upstream/storage.yaml" -f "$here/upstream/shared-storage.yaml" >&2
  # virt-api and virt-controller read the KubeVirt CR's configuration (feature gates included) only once its
  # status.phase is set, which virt-operator does (kubevirt v1.7.4 pkg/virt-config/configuration.go,
  # GetConfigFromKubeVirtCR; pkg/virt-operator/kubevirt.go sets Deployed). No operator runs here: say it is deployed.
  # The configuration then takes its default architecture from status.defaultArchitecture (configuration.go), which
  # virt-operator fills (pkg/virt-operator/util/config.go); left empty, virt-api's VM mutator sets no architecture
  # and every VMI is rejected.
  kubectl patch kubevirt kubevirt -n kubevirt --subresource status --type merge \
    -p '{"status":{"phase":"Deployed","observedKubeVirtVersion":"v1.7.4","targetKubeVirtVersion":"v1.7.4","defaultArchitecture":"amd64"}}' >&2
  kubectl apply --server-side --force-conflicts --field-manager wukong-up -f "$here/upstream/nodes.yaml" >&2
  local node resources='{"cpu":"16","memory":"64Gi","ephemeral-storage":"100Gi","pods":"110","devices.kubevirt.io/kvm":"1k","devices.kubevirt.io/tun":"1k","devices.kubevirt.io/vhost-net":"1k","nvidia.com/GA102GL_A10":"1","intel.com/sriov_netdevice":"8"}'
  for node in sim-node-1 sim-node-2; do
    kubectl patch node "$node" --subresource status --type merge -p "{\"status\":{\"capacity\":$resources,\"allocatable\":$resources,
      \"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"message\":\"simulated by test/simulator\"}]}}" >/dev/null
  done
  # The simulated virt-handler's identity: virt-api puts back VMI status written by anyone else (vmi-mutator.go).
  sa_kubeconfig virt-handler kubevirt kubevirt-handler >/dev/null
  # Webhooks last: their servers start after this, and until then they fail closed only for KubeVirt/CDI kinds.
  kubectl apply --server-side --force-conflicts --field-manager wukong-up -f "$out/webhooks.yaml" >&2
}

# A kubeconfig that authenticates as ServiceAccount <namespace>/<name> with a fresh bound token.
sa_kubeconfig() { # <component> <namespace> <service account>
  local file=$upstream_dir/$1/kubeconfig token
  mkdir -p "$upstream_dir/$1"
  token=$(kubectl create token "$3" -n "$2" --duration 8760h)
  rm -f "$file.tmp"
  "$bin/kubectl" --kubeconfig "$file.tmp" config set-cluster local --server "https://127.0.0.1:$apiserver_port" \
    --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
  "$bin/kubectl" --kubeconfig "$file.tmp" config set-credentials "$3" --token "$token" >/dev/null
  "$bin/kubectl" --kubeconfig "$file.tmp" config set-context local --cluster local --user "$3" >/dev/null
  "$bin/kubectl" --kubeconfig "$file.tmp" config use-context local >/dev/null
  chmod 600 "$file.tmp" && mv "$file.tmp" "$file"
  echo "$file"
}

deployment_args() { mapfile -t "$2" <"$upstream_dir/manifests/$1.args"; }
deployment_env() { mapfile -t "$2" <"$upstream_dir/manifests/$1.env"; }

# ---- components -----------------------------------------------------------------------------------------------
start_kube-scheduler() {
  local file=$upstream_dir/kube-scheduler/kubeconfig
  mkdir -p "$upstream_dir/kube-scheduler"
  rm -f "$file.tmp"
  "$bin/kubectl" --kubeconfig "$file.tmp" config set-cluster local --server "https://127.0.0.1:$apiserver_port" \
    --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
  "$bin/kubectl" --kubeconfig "$file.tmp" config set-credentials system:kube-scheduler \
    --client-certificate "$pki/kube-scheduler.crt" --client-key "$pki/kube-scheduler.key" --embed-certs >/dev/null
  "$bin/kubectl" --kubeconfig "$file.tmp" config set-context local --cluster local --user system:kube-scheduler >/dev/null
  "$bin/kubectl" --kubeconfig "$file.tmp" config use-context local >/dev/null
  chmod 600 "$file.tmp" && mv "$file.tmp" "$file"
  start kube-scheduler --kubeconfig "$file" --authentication-kubeconfig "$file" --authorization-kubeconfig "$file" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$scheduler_port" --cert-dir "$upstream_dir/kube-scheduler/certs" ${WUKONG_SCHEDULER_VERBOSITY:+-v "$WUKONG_SCHEDULER_VERBOSITY"}
}
ok_kube-scheduler() { [ "$(curl -skf --max-time 2 "https://127.0.0.1:$scheduler_port/healthz")" = ok ]; }
ports_kube-scheduler() { port_free "$scheduler_port" WUKONG_SCHEDULER_PORT; }

start_virt-api() {
  local sa_config args
  sa_config=$(sa_kubeconfig virt-api kubevirt kubevirt-apiserver)
  deployment_args virt-api args
  start_exe virt-api "$(upstream_bin kubevirt-v1.7.4/virt-api)" "${args[@]}" --kubeconfig "$sa_config" \
    --listen 127.0.0.1 --port "$virt_api_port" \
    --tls-cert-file "$pki/upstream-serving.crt" --tls-key-file "$pki/upstream-serving.key" \
    --handler-cert-file "$pki/upstream-serving.crt" --handler-key-file "$pki/upstream-serving.key"
}
ok_virt-api() { curl -skf --max-time 2 "https://127.0.0.1:$virt_api_port/apis/subresources.kubevirt.io/v1/healthz" >/dev/null; }
ports_virt-api() { port_free "$virt_api_port" WUKONG_VIRT_API_PORT; }

start_virt-controller() {
  local sa_config args env
  sa_config=$(sa_kubeconfig virt-controller kubevirt kubevirt-controller)
  deployment_args virt-controller args
  deployment_env virt-controller env
  start_env=("${env[@]}")
  start_exe virt-controller "$(upstream_bin kubevirt-v1.7.4/virt-controller)" "${args[@]}" \
    --kubeconfig "$sa_config" --listen 127.0.0.1 --port "$virt_controller_port" \
    --prom-cert-file "$pki/upstream-serving.crt" --prom-key-file "$pki/upstream-serving.key"
}
ok_virt-controller() { curl -skf --max-time 2 "https://127.0.0.1:$virt_controller_port/healthz" >/dev/null; }
ports_virt-controller() { port_free "$virt_controller_port" WUKONG_VIRT_CONTROLLER_PORT; }

# cdi-apiserver serves on 0.0.0.0:8443, fixed in its code: pod.sh gives it a network namespace of its own and
# carries that port to 127.0.0.1:$cdi_api_port. Its certificate comes from CERT_FILE/KEY_FILE.
start_cdi-apiserver() {
  local sa_config args dir=$upstream_dir/cdi-apiserver
  sa_config=$(sa_kubeconfig cdi-apiserver cdi cdi-apiserver)
  deployment_args cdi-apiserver args
  start_env=(CERT_FILE="$pki/upstream-serving.crt" KEY_FILE="$pki/upstream-serving.key")
  start_exe cdi-apiserver "$here/upstream/pod.sh" "$dir" "$apiserver_port" --serve "$cdi_api_port:8443" -- \
    "$(upstream_bin cdi-v1.66.0/cdi-apiserver)" "${args[@]}" -kubeconfig "$sa_config"
}
ok_cdi-apiserver() { curl -skf --max-time 2 "https://127.0.0.1:$cdi_api_port/healthz" >/dev/null; }
ports_cdi-apiserver() { port_free "$cdi_api_port" WUKONG_CDI_API_PORT; }

# cdi-controller binds its metrics to :8443 and reads the token keys at /var/run/cdi/token/keys, both fixed in its
# code (cmd/cdi-controller/controller.go): pod.sh gives it its own network and mount namespaces. It serves nothing
# the cluster calls, so its health is its leader lease being held.
start_cdi-controller() {
  local sa_config args env dir=$upstream_dir/cdi-controller
  sa_config=$(sa_kubeconfig cdi-controller cdi cdi-sa)
  mkdir -p "$dir/keys"
  [ -f "$dir/keys/id_rsa" ] || { openssl genrsa -out "$dir/keys/id_rsa" 2048 2>/dev/null &&
    openssl rsa -in "$dir/keys/id_rsa" -pubout -out "$dir/keys/id_rsa.pub" 2>/dev/null; }
  deployment_args cdi-deployment args
  deployment_env cdi-deployment env
  start_env=("${env[@]}")
  start_exe cdi-controller "$here/upstream/pod.sh" "$dir" "$apiserver_port" \
    --mount "$dir/keys:/var/run/cdi/token/keys" -- \
    "$(upstream_bin cdi-v1.66.0/cdi-controller)" "${args[@]}" -kubeconfig "$sa_config"
}
ok_cdi-controller() {
  [ -n "$(kubectl get lease -n cdi cdi-controller-leader-election-helper -o jsonpath='{.spec.holderIdentity}' 2>/dev/null)" ]
}
ports_cdi-controller() { :; }
