#!/usr/bin/env bash
# The module part of `WUKONG_RUNTIME=deployed test/stack/up.sh`: builds and stages the module when its sources
# changed since the last staging (npx pepr build takes about a minute), then starts what is not running of
# admission and watcher under the module's ServiceAccount (test/stack/deployed/start.sh). Their logs are linked
# into .wukong/stack/ beside the simulator's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
state_root=${WUKONG_STATE:-$repo/.wukong}
state=$state_root/stack
export WUKONG_DEPLOY_NAME=wukong WUKONG_AUTH=serviceaccount
deployed=$state_root/deployed/$WUKONG_DEPLOY_NAME

# What the built module is made of: every file `npm run build` bundles or ships, tracked or not. Plain find, so
# that a source tree without git (a release tarball, `git archive`) works too.
fingerprint() {
  (cd "$repo" && find pepr.ts package.json package-lock.json capabilities lib schemas -type f ! -name '*.log' -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
sources=$(fingerprint)
if [ "$(cat "$deployed/module/sources.sha256" 2>/dev/null)" != "$sources" ]; then
  "$here/stop.sh" --keep-webhooks >/dev/null # a stale module must not keep running
  "$here/stage.sh" --build
  echo "$sources" >"$deployed/module/sources.sha256"
else
  echo "module already built and staged from these sources ($deployed/module)"
fi

"$here/start.sh"
for c in admission watcher; do ln -sfn "$deployed/$c.log" "$state/$c.log"; done
echo "export KUBECONFIG=${WUKONG_KUBECONFIG:-$state_root/kubeconfig}"
