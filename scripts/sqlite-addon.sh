#!/usr/bin/env bash
# Installs better-sqlite3's compiled addon into a node_modules without compiling it again when the
# same better-sqlite3 version was compiled for the same Node ABI before (each compile takes about 3
# minutes here, and CI installs the package four times: two Node versions, two consumer apps).
#   scripts/sqlite-addon.sh save DIR       keep DIR/node_modules/better-sqlite3's addon in the cache
#   scripts/sqlite-addon.sh install DIR    put the cached addon in place, or compile it and keep it
# DIR is installed with --ignore-scripts first. The cache is TOOLWEAVER_ADDON_CACHE (default
# $TMPDIR/toolweaver-addon-cache), keyed by better-sqlite3's version and `process.versions.modules`.
set -euo pipefail
command=${1:?usage: sqlite-addon.sh save|install DIR}
dir=$(cd "${2:?usage: sqlite-addon.sh save|install DIR}" && pwd)
package="$dir/node_modules/better-sqlite3"
addon="$package/build/Release/better_sqlite3.node"
cache="${TOOLWEAVER_ADDON_CACHE:-${TMPDIR:-/tmp}/toolweaver-addon-cache}"
version=$(node -p "require('$package/package.json').version")
abi=$(node -p 'process.versions.modules')
kept="$cache/better-sqlite3-$version-abi$abi.node"

save() {
  mkdir -p "$cache"
  cp "$addon" "$kept.tmp.$$" && mv "$kept.tmp.$$" "$kept"
}

case $command in
  save) save ;;
  install)
    if [[ -f $kept ]]; then
      mkdir -p "$(dirname "$addon")"
      cp "$kept" "$addon"
      echo "better-sqlite3 $version: the addon for Node ABI $abi taken from $cache" >&2
    else
      echo "better-sqlite3 $version: compiling the addon for Node ABI $abi (about 3 minutes)" >&2
      (cd "$dir" && npm rebuild better-sqlite3 --loglevel=error >&2)
      save
    fi
    # The addon must load here, whichever way it came.
    (cd "$dir" && node -e "new (require('better-sqlite3'))(':memory:').close()")
    ;;
  *)
    echo "usage: sqlite-addon.sh save|install DIR" >&2
    exit 2
    ;;
esac
