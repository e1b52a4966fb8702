#!/usr/bin/env bash
# Runs the compiled MCP integration tests against another version of @modelcontextprotocol/sdk,
# installed with zod 3 into a temporary folder outside the repository: the test files are copied
# there (so that they import that SDK), and their imports of the package and of the other test
# helpers point back at this repository's dist/. Run `npm run build:test` first.
#   scripts/mcp-floor.sh 1.12.1      the lowest version of the peer range
set -euo pipefail
version=${1:?usage: mcp-floor.sh <sdk version>}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/toolweaver-mcp-$version.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$work"
printf '{ "name": "mcp-floor", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund "@modelcontextprotocol/sdk@$version" zod@3 >npm-install.log 2>&1 || { cat npm-install.log >&2; exit 1; }
# The OpenTelemetry packages, sinon and better-sqlite3 are the repository's: one copy of the API.
for dep in @opentelemetry sinon better-sqlite3; do ln -s "$root/node_modules/$dep" "node_modules/$dep"; done

mkdir -p t/integrations t/helpers t/fixtures
cp "$root"/dist/test/integrations/{mcp,mcpSides,mcpStdio}.test.js t/integrations/
cp "$root"/dist/test/helpers/mcpWeather.js t/helpers/
cp "$root"/dist/test/fixtures/mcpStdioServer.js t/fixtures/
for file in t/*/*.js; do
  sed -i -e "s#'\.\./\.\./src/#'$root/dist/src/#g" \
    -e "s#'\.\./helpers/\(collect\|mcpTotals\|tracing\|otlpTraceReceiver\)\.js'#'$root/dist/test/helpers/\1.js'#g" "$file"
done
echo "@modelcontextprotocol/sdk $(node -p "require('./node_modules/@modelcontextprotocol/sdk/package.json').version")"
# The source scan reads this repository's files, whatever the SDK: it runs with the suite.
"$root/node_modules/.bin/mocha" --no-config --timeout 30000 --grep 'never loads' --invert t/integrations/*.test.js
