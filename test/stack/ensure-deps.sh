#!/bin/sh
# Installs the npm dependencies when node_modules is missing or older than package-lock.json, so that
# `npm test` and `npm start` work on a fresh clone and after a pull that changed the lock.
# npm runs it before both (the pretest and prestart scripts); test/stack/up.sh runs it too.
set -eu
cd "$(dirname "$0")/../.."
# npm writes node_modules/.package-lock.json last, at the end of every successful install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing the npm dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
