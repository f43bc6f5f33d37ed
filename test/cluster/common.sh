# Sourced by up.sh, down.sh and logs.sh so paths, ports and process checks live in one place.
# Expects $here (this directory).

repo=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))
state_root=${WUKONG_STATE:-$repo/.wukong}
state=$state_root/cluster
kubeconfig=$state_root/kubeconfig
pki=$state/pki

# All on 127.0.0.1. Not etcd's usual 2379/2380, which a developer's own etcd may hold.
etcd_port=${WUKONG_ETCD_PORT:-12379}
etcd_peer_port=${WUKONG_ETCD_PEER_PORT:-12380}
apiserver_port=${WUKONG_APISERVER_PORT:-6443}
kcm_port=${WUKONG_KCM_PORT:-10257}

# Start order; stop in reverse.
components=(etcd kube-apiserver kube-controller-manager)

pid_of() { cat "$state/$1.pid" 2>/dev/null || true; }

# True if the pid file names a live process of that binary (not a reused pid, not a zombie).
alive() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] || return 1
  local exe; exe=$(ps -o args= -p "$pid" 2>/dev/null | awk '{print $1}') || return 1
  [ "${exe##*/}" = "$1" ]
}
