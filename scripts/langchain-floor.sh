#!/usr/bin/env bash
# Runs the LangChain.js tests and example against the lowest @langchain/core of the peer range
# (1.0.0 unless given), outside the working tree: that version is installed into a temporary
# folder whose node_modules are this install's, but for @langchain/core. Run `npm run build:test`
# first; the tests are the built ones in dist/test/integrations.
#   scripts/langchain-floor.sh [version]
set -euo pipefail
version=${1:-1.0.0}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/toolweaver-langchain-floor.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$work"
printf '{ "name": "langchain-floor", "private": true }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "@langchain/core@$version"
# The package as built, with every dependency of this install but @langchain/core, which resolves
# (and finds its own dependencies) in the folder above.
mkdir -p pkg/node_modules/@langchain
cp -R "$root/package.json" "$root/dist" "$root/examples" pkg/
modules=$(cd "$root/node_modules" && pwd -P)
for entry in "$modules"/* "$modules"/.bin; do
  [[ $(basename "$entry") == @langchain ]] || ln -s "$entry" "pkg/node_modules/$(basename "$entry")"
done
ln -s "$work/node_modules/@langchain/core" pkg/node_modules/@langchain/core
cd pkg
echo "LangChain floor: @langchain/core $(node -p "require('@langchain/core/package.json').version")"
node_modules/.bin/mocha --no-config --require dist/test/seed.js --timeout 60000 dist/test/integrations/langchain*.test.js
