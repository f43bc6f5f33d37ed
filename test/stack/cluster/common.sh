# Sourced by up.sh, down.sh and logs.sh so paths, ports and process checks live in one place.
# Expects $here (this directory).

repo=$(cd "$here/../../.." && pwd)
state_root=${WUKONG_STATE:-$repo/.wukong}
state=$state_root/cluster
kubeconfig=$state_root/kubeconfig
pki=$state/pki

# All on 127.0.0.1. Not etcd's usual 2379/2380, which a developer's own etcd may hold.
etcd_port=${WUKONG_ETCD_PORT:-12379}
etcd_peer_port=${WUKONG_ETCD_PEER_PORT:-12380}
apiserver_port=${WUKONG_APISERVER_PORT:-6443}
kcm_port=${WUKONG_KCM_PORT:-10257}
# The real scheduler, KubeVirt and CDI control planes (upstream/components.sh).
scheduler_port=${WUKONG_SCHEDULER_PORT:-10259}
virt_api_port=${WUKONG_VIRT_API_PORT:-18443}
virt_controller_port=${WUKONG_VIRT_CONTROLLER_PORT:-18444}
cdi_api_port=${WUKONG_CDI_API_PORT:-18445}

# Start order; stop in reverse.
components=(etcd kube-apiserver kube-controller-manager kube-scheduler cdi-apiserver cdi-controller virt-api virt-controller)

# Pids of this control plane's <component>, whatever its pid file says: processes of that binary whose
# arguments name a path under $state (each component gets its data or cert dir there). Another checkout's
# control plane runs the same cached binaries, with its own state. Zombies do not count.
pids_of() {
  ps -eo pid=,stat=,args= | awk -v name="$1" -v dir="$state/" '
    $2 !~ /^Z/ { exe = $3; sub(/.*\//, "", exe); if (exe == name && index($0, dir)) print $1 }'
}

# The pid to report: the one recorded at start if it is still that process, else the first found.
pid_of() {
  local recorded pids; recorded=$(cat "$state/$1.pid" 2>/dev/null || true) pids=$(pids_of "$1")
  if [ -n "$recorded" ] && grep -qx "$recorded" <<<"$pids"; then echo "$recorded"; else head -n 1 <<<"$pids"; fi
}

alive() { [ -n "$(pids_of "$1")" ]; }

# Stops every process of <component> (SIGTERM, SIGKILL after 15 s), also ones a stale pid file lost track of.
stop_component() {
  local name=$1 pids
  pids=$(pids_of "$name")
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086 # one pid per word
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 150); do alive "$name" || break; sleep 0.1; done
    if alive "$name"; then
      echo "$name ($(pids_of "$name" | paste -sd " ")) ignored SIGTERM; killing" >&2
      # shellcheck disable=SC2046
      kill -KILL $(pids_of "$name") 2>/dev/null || true
      for _ in $(seq 50); do alive "$name" || break; sleep 0.1; done
    fi
    echo "stopped $name (pid $(paste -sd " " <<<"$pids"))"
  fi
  rm -f "$state/$name.pid"
}
