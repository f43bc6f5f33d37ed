#!/usr/bin/env bash
# Stages a built Pepr module the way its Deployments would see it, so start.sh can run it like Pepr's
# controller image does: `node /app/node_modules/pepr/dist/controller.js <hash>` with the module Secret at
# /app/load, the api-path Secret at /app/api-path and the TLS Secret at /etc/certs.
#
# Usage: stage.sh [--build] [--ref <git ref>]
#   --build       build in the module directory first, as a user would: `npm run build` when its package.json
#                 has that script (Wukong's adds the CRDs to the manifest), else `npx pepr build`
#   --ref <ref>   build a clean `git archive` of <ref> instead of the working tree (implies --build), in
#                 $WUKONG_STATE/deployed/<name>/src, with the module's node_modules linked in. Useful while
#                 others have half-finished edits in the working tree.
# Environment:
#   WUKONG_MODULE_DIR    the Pepr module's directory (default: the repo, i.e. the Wukong module)
#   WUKONG_DEPLOY_NAME   name of the staged copy (default: the module's pepr.uuid); see common.sh for the rest
#
# Writes $WUKONG_STATE/deployed/<name>/: module/ (see manifest.ts), certs/ (tls.crt, tls.key: the generated
# TLS Secret, what /etc/certs gets), ca/ca.crt (the generated caBundle), node_modules.path. Re-running it
# replaces them; running processes pick the new module up when they next (re)start.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

build=false ref=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=true ;;
    --ref) ref=${2:?--ref needs a git ref}; build=true; shift ;;
    *) echo "usage: $0 [--build] [--ref <git ref>]" >&2; exit 2 ;;
  esac
  shift
done

module_dir=$(cd "${WUKONG_MODULE_DIR:-$repo}" && pwd)
if [ ! -f "$module_dir/package.json" ] || [ ! -f "$module_dir/pepr.ts" ]; then
  echo "stage.sh: $module_dir has no package.json and pepr.ts; set WUKONG_MODULE_DIR to a Pepr module" >&2
  exit 2
fi
uuid=$(node -p 'require(process.argv[1]).pepr.uuid' "$module_dir/package.json")
: "${WUKONG_DEPLOY_NAME:=$uuid}"
export WUKONG_DEPLOY_NAME
# shellcheck source=common.sh
source "$here/common.sh"
mkdir -p "$dir"

# A module without its own node_modules (test/bench/noop-module) builds and runs with the repo's.
if [ ! -e "$module_dir/node_modules" ]; then
  ln -s "$repo/node_modules" "$module_dir/node_modules"
  echo "linked $module_dir/node_modules -> $repo/node_modules"
fi
node_modules=$(realpath "$module_dir/node_modules")
[ -f "$node_modules/pepr/dist/controller.js" ] || {
  echo "stage.sh: $node_modules has no pepr/dist/controller.js (run npm ci in the repo)" >&2
  exit 1
}

build_dir=$module_dir
if [ -n "$ref" ]; then
  top=$(git -C "$module_dir" rev-parse --show-toplevel)
  sub=$(realpath --relative-to="$top" "$module_dir")
  [ "$sub" = . ] && tree=$ref || tree=$ref:$sub
  build_dir=$dir/src
  rm -rf "$build_dir" && mkdir -p "$build_dir"
  git -C "$top" archive --format=tar "$tree" | tar -x -C "$build_dir"
  ln -s "$node_modules" "$build_dir/node_modules"
  echo "building $tree ($(git -C "$top" rev-parse --short "$ref")) in $build_dir"
fi

manifest=$build_dir/dist/pepr-module-$uuid.yaml
if $build; then
  # The module's own build script when it has one (Wukong's `npm run build` adds its CRDs to the manifest).
  if node -e 'process.exit(require(process.argv[1]).scripts?.build ? 0 : 1)' "$build_dir/package.json"; then
    build_command=(npm run --silent build)
  else
    build_command=(npx --no-install pepr build)
  fi
  echo "${build_command[*]} in $build_dir (log: $dir/build.log)"
  # pepr build exits 0 even when its tsc or esbuild step fails, leaving the last manifest in place: the
  # manifest must be newer than the build's start. (Its tsc step checks the whole tsconfig project, tests too.)
  stamp=$dir/build.started
  touch "$stamp"
  sleep 0.01
  if ! (cd "$build_dir" && "${build_command[@]}") >"$dir/build.log" 2>&1 || [ ! "$manifest" -nt "$stamp" ]; then
    tail -n 30 "$dir/build.log" >&2
    echo "stage.sh: pepr build failed: no new $manifest (full log: $dir/build.log)" >&2
    exit 1
  fi
fi
[ -f "$manifest" ] || {
  echo "stage.sh: no $manifest; build first (stage.sh --build, or npm run build in $build_dir)" >&2
  exit 1
}

# ---- the module's volumes and Deployment spec ---------------------------------------------------
rm -rf "$dir/module.new"
hash=$("$repo/node_modules/.bin/tsx" "$here/manifest.ts" "$manifest" "$dir/module.new")
rm -rf "$dir/module.old"
[ ! -d "$dir/module" ] || mv "$dir/module" "$dir/module.old"
mv "$dir/module.new" "$dir/module"
rm -rf "$dir/module.old"
echo "$node_modules" >"$dir/node_modules.path"
echo "$module_dir" >"$dir/module_dir.path"

# ---- serving certificate ------------------------------------------------------------------------
# The generated TLS Secret, as the pods mount it. It names pepr-<uuid>.pepr-system.svc (and -watcher), which
# start.sh maps to 127.0.0.1; ca/ca.crt is the generated caBundle.
rm -rf "$dir/certs" "$dir/ca"
mkdir -p "$dir/certs" "$dir/ca"
cp "$dir/module/generated-certs/tls.crt" "$dir/module/generated-certs/tls.key" "$dir/certs/"
cp "$dir/module/generated-certs/ca.crt" "$dir/ca/ca.crt"
chmod 600 "$dir/certs/tls.key"

# ---- check: inside the namespaces, the module's bare requires resolve from /app/node_modules --------
# Needs root (mount namespaces, and the empty mountpoints /app and /etc/certs on the host).
if [ "$(id -u)" = 0 ]; then
  mkdir -p /app /etc/certs
  unshare --mount --propagation private --pid --fork --kill-child -- \
    env -i PATH="$PATH" "$here/pod.sh" "$dir" admission --check
else
  echo "note: not root, so the in-namespace require check was skipped (start.sh needs root)" >&2
fi
echo "staged $deploy_name (module $uuid, hash $hash) in $dir"
