# shellcheck shell=bash disable=SC2034 # variables used by the scripts that source this
# Sourced by the scripts in test/stack/deployed/: where a staged module lives, its ports and its processes.
# Expects $here (this directory). Knobs (environment):
#   WUKONG_STATE            state root (default <repo>/.wukong); a staged module lives in $WUKONG_STATE/deployed/<name>
#   WUKONG_DEPLOY_NAME      the <name> (default: wukong); two names can be staged and run side by side
#   WUKONG_ADMISSION_PORT   admission's HTTPS port (default 3100)
#   WUKONG_WATCHER_PORT     watcher's HTTPS port, /healthz and /metrics only (default 3101)
#   WUKONG_KUBECONFIG       kubeconfig for kubectl and, with WUKONG_AUTH=kubeconfig, for the module
#                           (default $WUKONG_STATE/kubeconfig, the local control plane's admin)

repo=$(cd "${here:?}/../../.." && pwd)
state_root=${WUKONG_STATE:-$repo/.wukong}
deploy_name=${WUKONG_DEPLOY_NAME:-wukong}
dir=$state_root/deployed/$deploy_name
admission_port=${WUKONG_ADMISSION_PORT:-3100}
watcher_port=${WUKONG_WATCHER_PORT:-3101}
kubeconfig=${WUKONG_KUBECONFIG:-$state_root/kubeconfig}
all_components=(admission watcher)

case "$deploy_name" in
  "" | *[!a-z0-9-]*) echo "WUKONG_DEPLOY_NAME must be lower-case letters, digits and dashes: '$deploy_name'" >&2; exit 2 ;;
esac

port_of() { # <component>
  if [ "$1" = admission ]; then echo "$admission_port"; else echo "$watcher_port"; fi
}

# A pid file names a live process whose command line contains <pattern> (not a reused pid).
pid_alive() { # <pid file> <pattern>
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

supervisor_alive() { pid_alive "$dir/$1/supervisor.pid" supervise.sh; } # <component>

# The processes of a running component, as a container would contain them: the unshare process
# that made the namespaces (pod.pid), controller.js (its only child, PID 1 inside), and the module
# controller.js forked. Host pids; empty when not (yet) running.
controller_pid() { # <component>
  local pod
  pod=$(cat "$dir/$1/pod.pid" 2>/dev/null) || return 0
  [ -n "$pod" ] && pgrep -P "$pod" | head -n 1
  return 0
}
module_pid() { # <component>
  local controller
  controller=$(controller_pid "$1")
  [ -n "$controller" ] && pgrep -P "$controller" | head -n 1
  return 0
}

# kubectl v1.36 from test/stack/cluster (built once, cached), on the chosen kubeconfig.
kubectl_bin() {
  local bin
  bin=$("$repo/test/stack/cluster/build.sh") || return 1
  echo "$bin/kubectl"
}
