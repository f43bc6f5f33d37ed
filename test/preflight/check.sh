#!/bin/sh
# The preflight of `npm start`, `npm run up`, `npm test` and .ci/run: are the tools that tools.tsv lists for these
# runs installed, and is this root when a run needs it? As root on Debian or Ubuntu it installs what is missing with
# apt-get; anywhere else it stops before anything starts, printing the command that installs it on this system.
# Usage: test/preflight/check.sh <run>…   runs: start (npm start/up), host (npm run test:host), e2e (npm run test:e2e)
# WUKONG_PREFLIGHT_OS_RELEASE names another os-release file (test/unit/preflight/check.test.ts).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
runs=" $* "
# Root's tools live in sbin, which a user's PATH often leaves out.
search_path=$PATH:/usr/local/sbin:/usr/sbin:/sbin

missing="" debian="" fedora="" manual=""
tab=$(printf '\t')
while IFS=$tab read -r command debian_package fedora_package needed_by why; do
  case $command in '' | '#'*) continue ;; esac
  wanted=false
  for run in $(echo "$needed_by" | tr , ' '); do
    case $runs in *" $run "*) wanted=true ;; esac
  done
  $wanted || continue
  PATH=$search_path command -v "$command" >/dev/null 2>&1 && continue
  missing="$missing $command"
  if [ "$debian_package" = - ]; then
    manual="$manual
  $command: $why"
  else
    case " $debian " in *" $debian_package "*) ;; *) debian="$debian $debian_package" ;; esac
    case " $fedora " in *" $fedora_package "*) ;; *) fedora="$fedora $fedora_package" ;; esac
  fi
done <"$here/tools.tsv"

needs_root=false
case $runs in *" host "* | *" e2e "*) needs_root=true ;; esac
is_root=false
[ "$(id -u)" = 0 ] && is_root=true
system=$( (. "${WUKONG_PREFLIGHT_OS_RELEASE:-/etc/os-release}" 2>/dev/null && echo "${ID:-} ${ID_LIKE:-}") || uname -s)
case " $system " in
  *" debian "* | *" ubuntu "*) family=debian ;;
  *" fedora "* | *" rhel "*) family=fedora ;;
  *) family=other ;;
esac

if [ -n "$debian" ] && [ -z "$manual" ] && $is_root && [ $family = debian ] && command -v apt-get >/dev/null; then
  log=${TMPDIR:-/tmp}/wukong-preflight-apt.log
  echo "preflight: installing with apt-get (log: $log):$debian" >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $debian; } >"$log" 2>&1; then
    tail -20 "$log" >&2
    exit 1
  fi
  missing="" debian=""
fi

if [ -z "$missing" ] && { $is_root || ! $needs_root; }; then exit 0; fi

sudo=""
$is_root || sudo="sudo "
{
  echo "preflight: this run ($*) cannot start yet."
  if [ -n "$missing" ]; then
    echo "Missing:$missing."
    if [ -n "$debian" ]; then
      case $family in
        debian) echo "Install them with:  ${sudo}apt-get install -y --no-install-recommends$debian" ;;
        fedora) echo "Install them with:  ${sudo}dnf install -y$fedora" ;;
        *) echo "Install them with your system's package manager (Debian's packages:$debian)." ;;
      esac
    fi
    [ -z "$manual" ] || echo "Install by hand:$manual"
  fi
  if $needs_root && ! $is_root; then
    echo "Run it as root: the host tests chroot into the guest image and the journeys make network namespaces."
    echo "\`npm run test:unit\` needs neither root nor these tools."
  fi
} >&2
exit 1
