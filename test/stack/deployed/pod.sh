#!/usr/bin/env bash
# The container. supervise.sh starts it as PID 1 of a new mount and PID namespace (unshare); it mounts the
# staged files where Pepr's Deployments mount their volumes, then becomes the container's process, the
# generated Deployment's args run by node: `node /app/node_modules/pepr/dist/controller.js <hash>`.
#
#   /app                 a fresh tmpfs each start (a container's writable layer: controller.js writes
#                        /app/module-<hash>.js there and forks it)
#   /app/node_modules    the repo's node_modules, read-only (the controller image's /app/node_modules)
#   /app/load            module/load: the module Secret, read-only
#   /app/api-path        module/api-path: the api-path Secret, read-only (admission only, as in the Deployment)
#   /etc/certs           certs/: tls.crt and tls.key, read-only
#   /var/run/secrets/kubernetes.io/serviceaccount   $WUKONG_SA_DIR when set (WUKONG_AUTH=serviceaccount)
#
# Mounts are private to the namespace: the host's /app and /etc/certs stay empty directories.
# Usage: pod.sh <deploy dir> <admission|watcher> [--check]
#   --check   mount as above, then only check that the module's bare requires resolve from /app
set -euo pipefail
dir=$1 component=$2 mode=${3:-run}
module=$dir/module
[ "$$" = 1 ] || { echo "pod.sh must be PID 1 of its own namespaces (started by supervise.sh)" >&2; exit 2; }

ro_bind() { # <source> <mountpoint>
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mount -o remount,bind,ro "$2"
}
mount -t tmpfs -o mode=0755,size=512m "pepr-$component" /app
ro_bind "$(cat "$dir/node_modules.path")" /app/node_modules
ro_bind "$module/load" /app/load
[ "$component" != admission ] || ro_bind "$module/api-path" /app/api-path
ro_bind "$dir/certs" /etc/certs
if [ -n "${WUKONG_SA_DIR:-}" ]; then
  ro_bind "$WUKONG_SA_DIR" /var/run/secrets/kubernetes.io/serviceaccount
  unset WUKONG_SA_DIR
fi
cd /app
unset OLDPWD # bash's own; the container env is exactly what start.sh wrote

if [ "$mode" = --check ]; then
  # The bundle leaves pepr's dependencies, pepr and @kubernetes/client-node to the image's node_modules.
  # shellcheck disable=SC2016 # JavaScript, not shell
  exec node -e '
    const fs = require("fs"), zlib = require("zlib"), { builtinModules } = require("module");
    const [gz] = fs.readdirSync("/app/load").filter(f => f.endsWith(".js.gz"));
    const code = zlib.gunzipSync(fs.readFileSync("/app/load/" + gz)).toString();
    const bare = new Set([...code.matchAll(/require\("([^"./][^"]*)"\)/g)].map(m => m[1]));
    const external = [...bare].filter(n => !n.startsWith("node:") && !builtinModules.includes(n));
    for (const name of external) console.log(`  require("${name}") -> ${require.resolve(name, { paths: ["/app"] })}`);
    console.log(`in-namespace check ok: ${gz}; pepr ${require("/app/node_modules/pepr/package.json").version} from /app/node_modules`);
  '
fi

mapfile -t args <"$module/$component.args"
exec node "${args[@]}"
