#!/usr/bin/env bash
# Runs one upstream binary the way its pod would, for the two whose ports and paths are fixed in the code:
# cdi-apiserver serves on 0.0.0.0:8443 and cdi-controller's metrics bind :8443 too (each pod has its own network),
# and cdi-controller reads its token keys from /var/run/cdi/token/keys. So the binary gets its own network and
# mount namespaces: loopback only, with port-bridge.mjs carrying the kube-apiserver's port in and the served port
# out through unix sockets in <dir>, and <dir>'s files bind-mounted where the code looks for them.
#
#   pod.sh <dir> <apiserver port> [--serve <host port>:<pod port>] [--mount <dir>:<path>]... -- <binary> <args...>
#
# Its pid stays the binary's (exec all the way), so up.sh and down.sh find and stop it like the others; the
# bridges exit when it is gone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1 apiserver_port=$2
shift 2
serve="" mounts=()
while [ "$1" != -- ]; do
  case $1 in
    --serve) serve=$2 ;;
    --mount) mounts+=("$2") ;;
    *) echo "pod.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
shift
bridge="node $here/port-bridge.mjs $$"

host_pairs="unix:$dir/apiserver.sock=tcp:$apiserver_port"
pod_pairs="tcp:$apiserver_port=unix:$dir/apiserver.sock"
if [ -n "$serve" ]; then
  host_pairs+=" tcp:${serve%%:*}=unix:$dir/serve.sock"
  pod_pairs+=" unix:$dir/serve.sock=tcp:${serve##*:}"
fi
# shellcheck disable=SC2086 # one pair per word
$bridge $host_pairs </dev/null &
until [ -S "$dir/apiserver.sock" ]; do sleep 0.05; done

setup="ip link set lo up"
for m in "${mounts[@]}"; do
  mkdir -p "${m#*:}" # an empty mountpoint on the host, as test/stack/deployed does for /app
  setup+="; mount --bind '${m%%:*}' '${m#*:}'"
done
# shellcheck disable=SC2016
ready="until ss -Hltn 'sport = :$apiserver_port' | grep -q .; do sleep 0.05; done"
exec unshare --net --mount --propagation private bash -c "$setup; $bridge $pod_pairs </dev/null & $ready; exec \"\$@\"" pod "$@"
