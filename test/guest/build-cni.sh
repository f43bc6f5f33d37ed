#!/usr/bin/env bash
# Builds the real CNI bridge plugin (containernetworking/plugins) from the Go module proxy, once, into a cache
# outside the repo keyed by version; prints the directory that holds the plugin binaries.
set -euo pipefail
version=v1.10.0
cache_root=${WUKONG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wukong}
bin="$cache_root/cni-$version"
if [ -x "$bin/bridge" ]; then echo "$bin"; exit 0; fi
started=$SECONDS
mkdir -p "$bin"
GOBIN="$bin" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath -ldflags="-s -w" \
  "github.com/containernetworking/plugins/plugins/main/bridge@$version" >&2
echo "built the CNI bridge plugin $version in $((SECONDS - started))s" >&2
echo "$bin"
