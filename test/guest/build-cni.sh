#!/usr/bin/env bash
# Builds the real CNI bridge plugin (containernetworking/plugins) from the Go module proxy, once per version, into
# a cache outside the repo keyed by version; prints the directory that holds the plugin binary.
#   build-cni.sh [version]     default v1.10.0 (CNI_PLUGINS_VERSION overrides the default)
set -euo pipefail
version=${1:-${CNI_PLUGINS_VERSION:-v1.10.0}}
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then echo "build-cni.sh: not a release tag: $version" >&2; exit 2; fi
cache_root=${WUKONG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wukong}
bin="$cache_root/cni-$version"
if [ -x "$bin/bridge" ]; then echo "$bin"; exit 0; fi
started=$SECONDS
# Built into a scratch directory and renamed: a build cut short never passes for a cached plugin.
mkdir -p "$cache_root"
scratch=$(mktemp -d "$cache_root/.cni-$version.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
GOBIN="$scratch" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath -ldflags="-s -w" \
  "github.com/containernetworking/plugins/plugins/main/bridge@$version" >&2
chmod 755 "$scratch" && rm -rf "$bin" && mv "$scratch" "$bin"
echo "built the CNI bridge plugin $version in $((SECONDS - started))s" >&2
echo "$bin"
