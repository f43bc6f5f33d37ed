#!/usr/bin/env bash
# Prints the path of an upstream control-plane binary, e.g. `upstream-bin.sh kubevirt-v1.7.4/virt-api`.
# It comes from ../shared/upstream/<name>.xz (built there from the release tag; see its README), unpacked once
# into a cache outside the repo keyed by that name and checked against ../shared/upstream/SHA256SUMS.
# Without ../shared, WUKONG_UPSTREAM_SRC=<dir> names a directory holding the binaries built by that README's
# recipe, laid out the same way (<dir>/kubevirt-v1.7.4/virt-api); they are checked against the same sums.
# Nothing is downloaded.
set -euo pipefail
name=${1:?usage: upstream-bin.sh <release>/<binary>}
here=$(cd "$(dirname "$0")" && pwd)
shared=${WUKONG_SHARED_UPSTREAM:-$here/../../../../shared/upstream}
sums=$shared/SHA256SUMS
cache_root=${WUKONG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wukong}
out=$cache_root/upstream/$name

[ -f "$sums" ] || { echo "upstream-bin.sh: $sums not found: put ../shared beside the repo" >&2; exit 1; }
want=$(awk -v n="$name" '$2 == n { print $1 }' "$sums")
[ -n "$want" ] || { echo "upstream-bin.sh: $name is not listed in $sums" >&2; exit 1; }
if [ -x "$out" ]; then echo "$out"; exit 0; fi

mkdir -p "$(dirname "$out")"
if [ -f "$shared/$name.xz" ]; then
  xz -dc "$shared/$name.xz" > "$out.partial"
elif [ -n "${WUKONG_UPSTREAM_SRC:-}" ] && [ -f "$WUKONG_UPSTREAM_SRC/$name" ]; then
  cp "$WUKONG_UPSTREAM_SRC/$name" "$out.partial"
else
  echo "upstream-bin.sh: neither $shared/$name.xz nor \$WUKONG_UPSTREAM_SRC/$name exists" >&2; exit 1
fi
got=$(sha256sum "$out.partial" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
  rm -f "$out.partial"
  echo "upstream-bin.sh: $name has sha256 $got, SHA256SUMS says $want" >&2; exit 1
fi
chmod +x "$out.partial" && mv "$out.partial" "$out"
echo "$out"
