# Source me (sh, bash or zsh):  . test/stack/cluster/env.sh
# Exports KUBECONFIG for the local control plane (see up.sh) and puts the kubectl v1.36.3 built by
# build.sh first on PATH, so tests do not pick up whatever kubectl the machine has.
# POSIX sh on purpose (npm scripts run under /bin/sh); no `set -eu`, which would leak into the caller.
if [ -n "${BASH_VERSION:-}" ]; then
  eval '_wukong_here=$(dirname "${BASH_SOURCE[0]}")'
elif [ -n "${ZSH_VERSION:-}" ]; then
  eval '_wukong_here=$(dirname "${(%):-%x}")'
else # plain sh cannot tell a sourced file its own path: assume we are inside the repo
  _wukong_here=$(git rev-parse --show-toplevel 2>/dev/null || pwd)/test/stack/cluster
fi
_wukong_here=$(cd "$_wukong_here" && pwd)
_wukong_repo=$(cd "$_wukong_here/../../.." && pwd)
if _wukong_bin=$("$_wukong_here/build.sh"); then
  case ":$PATH:" in
    *":$_wukong_bin:"*) ;;
    *) export PATH="$_wukong_bin:$PATH" ;;
  esac
else
  echo "env.sh: build.sh failed; PATH unchanged" >&2
fi
export KUBECONFIG="${WUKONG_STATE:-$_wukong_repo/.wukong}/kubeconfig"
unset _wukong_here _wukong_repo _wukong_bin
