#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from the Go modules beside this script,
# into a cache outside the repo keyed by version, and prints the bin directory. A warm cache returns at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
k8s_version=$(awk '$1=="k8s.io/kubernetes"{print $2; exit}' "$here/kube/go.mod")
etcd_version=$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2; exit}' "$here/etcd/go.mod")
cache_root=${WUKONG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wukong}
bin="$cache_root/control-plane/k8s-$k8s_version-etcd-$etcd_version/bin"
mkdir -p "$bin"

build() { # <module dir> <package> <binary name> [ldflags]
  local dir=$1 pkg=$2 name=$3 ldflags=${4:-}
  if [ -x "$bin/$name" ]; then return 0; fi
  echo "building $name ($pkg) — a cold build takes minutes on 2 cores" >&2
  local started=$SECONDS
  # A heartbeat, so a 5-minute compile does not look like a hang.
  (while sleep 30; do echo "  … still building $name ($((SECONDS - started))s)"; done) >&2 &
  local heartbeat=$! status=0
  (cd "$here/$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w $ldflags" -o "$bin/$name.partial" "$pkg") || status=$?
  kill "$heartbeat" 2>/dev/null || true
  [ "$status" -eq 0 ] || return "$status"
  mv "$bin/$name.partial" "$bin/$name"
  echo "built $name in $((SECONDS - started))s" >&2
}

build etcd go.etcd.io/etcd/server/v3 etcd
# Stamp the real version: clients and `kubectl version` otherwise see v0.0.0-master.
stamp="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1"
stamp="$stamp -X k8s.io/component-base/version.gitMinor=$(echo "$k8s_version" | cut -d. -f2)"
build kube k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver "$stamp"
build kube k8s.io/kubernetes/cmd/kube-controller-manager kube-controller-manager "$stamp"
build kube k8s.io/kubernetes/cmd/kube-scheduler kube-scheduler "$stamp"
build kube k8s.io/kubernetes/cmd/kubectl kubectl "$stamp"

echo "$bin"
