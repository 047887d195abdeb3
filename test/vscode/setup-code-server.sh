#!/usr/bin/env bash
# Makes test/vscode/code-server/node_modules hold a built code-server 4.100.3 (idempotent, no prompts).
#   1. Debian packages (chromium, libkrb5-dev, ripgrep, …) via scripts/install-system-deps.sh
#   2. test/vscode/node_modules (mocha, playwright-core) if missing
#   3. code-server: already in place → nothing; cached build for this lockfile + Node major → copy (≈1 s);
#      otherwise build it (≈1 min of native compiling) and fill the cache.
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/so100-vscode-e2e/<key>; see test/vscode/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cs="$here/code-server"

bash "$root/scripts/install-system-deps.sh"

if [ ! -d "$here/node_modules/mocha" ] || [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "test/vscode: installing mocha + playwright-core"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
key="$( (cat "$cs/package-lock.json"; echo "node$node_major") | sha256sum | cut -c1-16)"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/so100-vscode-e2e"
cache="$cache_root/$key"
stamp="$cs/node_modules/.so100-e2e-key"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$cs/node_modules/code-server/out/node/entry.js" ]; then
  echo "code-server: ready ($key)"
  exit 0
fi

# Replaces node_modules by a finished copy in one rename, so a concurrent run never sees half a tree.
install_from() {
  local src="$1" tmp="$cs/.node_modules.$$"
  rm -rf "$tmp"
  cp -a "$src" "$tmp"
  echo "$key" > "$tmp/.so100-e2e-key"
  rm -rf "$cs/node_modules.old.$$"
  [ -e "$cs/node_modules" ] && mv "$cs/node_modules" "$cs/node_modules.old.$$"
  mv "$tmp" "$cs/node_modules"
  rm -rf "$cs/node_modules.old.$$"
}

if [ -f "$cache/node_modules/code-server/out/node/entry.js" ]; then
  echo "code-server: restoring cached build $key"
  install_from "$cache/node_modules"
  exit 0
fi

echo "code-server: building 4.100.3 for Node $node_major (≈1 min, cache key $key)"
# @vscode/ripgrep downloads rg from GitHub (unreachable here) unless its cache holds the archive: seed it
# with Debian's rg (values for code-server 4.100.3: @vscode/ripgrep 1.15.11, tag v13.0.0-10).
seed="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
archive="$seed/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$archive" ]; then
  mkdir -p "$seed"
  d="$(mktemp -d)"
  cp "$(command -v rg)" "$d/rg"
  tar czf "$archive.$$" -C "$d" rg && mv "$archive.$$" "$archive"
  rm -rf "$d"
fi

build="$(mktemp -d "${TMPDIR:-/tmp}/so100-code-server-build.XXXXXX")"
trap 'rm -rf "$build"' EXIT
cp "$cs/package.json" "$cs/package-lock.json" "$build/"
# unsafe_perm: code-server's postinstall refuses root without it; yes: node-pty's postinstall runs npx
# node-gyp, which would otherwise wait for a "y" that CI cannot type; JOBS: parallel native builds.
(cd "$build" && JOBS=max npm_config_unsafe_perm=true npm_config_yes=true \
  npm ci --no-audit --no-fund --loglevel=error </dev/null)
test -f "$build/node_modules/code-server/out/node/entry.js"

mkdir -p "$cache_root"
if [ ! -d "$cache" ]; then
  tmpc="$cache_root/.$key.$$"
  rm -rf "$tmpc"; mkdir -p "$tmpc"
  cp -a "$build/node_modules" "$tmpc/node_modules"
  mv -T "$tmpc" "$cache" 2>/dev/null || rm -rf "$tmpc"   # another run filled it first: keep theirs
fi
install_from "$build/node_modules"
echo "code-server: built and cached ($key)"
