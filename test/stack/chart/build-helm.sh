#!/usr/bin/env bash
# Builds helm from the Go module proxy (helm.sh/helm/v3) into a cache outside the repo keyed by version, as
# test/stack/cluster/build.sh does for the control plane, and prints the binary's path. A warm cache returns at once.
set -euo pipefail
version=v3.22.0
cache_root=${WUKONG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wukong}
bin="$cache_root/helm/$version/bin"
if [ ! -x "$bin/helm" ]; then
  echo "building helm $version (helm.sh/helm/v3/cmd/helm) — a cold build takes minutes on 2 cores" >&2
  started=$SECONDS
  (while sleep 30; do echo "  … still building helm ($((SECONDS - started))s)"; done) >&2 &
  heartbeat=$! status=0
  mkdir -p "$bin"
  # Stamp the version, as helm's release build does: `helm version` otherwise prints v3.x-dev.
  CGO_ENABLED=0 GOBIN="$bin/.partial" go install -trimpath \
    -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version" "helm.sh/helm/v3/cmd/helm@$version" >&2 || status=$?
  kill "$heartbeat" 2>/dev/null || true
  [ "$status" -eq 0 ] || exit "$status"
  mv "$bin/.partial/helm" "$bin/helm"
  rmdir "$bin/.partial"
  echo "built helm $version in $((SECONDS - started))s" >&2
fi
echo "$bin/helm"
