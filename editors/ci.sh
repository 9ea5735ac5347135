#!/usr/bin/env bash
# Builds, checks, tests and packages the VS Code extension, with the server bundled.
# Usage: editors/ci.sh   (from anywhere; needs node >= 20, npm and Python >= 3.11 with pip)
# SECREVIEW_WHEEL: the secreview-ls wheel to bundle (default: built from the checkout).
# SECREVIEW_TEST_PYTHON: an interpreter with secreview_ls installed, for the tests of
# the "fromEnvironment" mode (default: the first of the checkout's environments that has it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$here/vscode"

echo "== node $(node --version), npm $(npm --version)"

for py in "${SECREVIEW_TEST_PYTHON:-}" "$repo"/.venv-test-*/bin/python "$repo/.venv/bin/python" python3; do
  if [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 \
     && "$py" -c "import importlib.util as u, sys; sys.exit(sys.version_info < (3, 11) or u.find_spec('secreview_ls.__main__') is None)" \
        >/dev/null 2>&1; then
    export SECREVIEW_TEST_PYTHON="$py"
    break
  fi
done
bundle_python="${SECREVIEW_TEST_PYTHON:-python3}"

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== bundle the server (bundled/libs)"
bundle_args=()
if [ -n "${SECREVIEW_WHEEL:-}" ]; then
  bundle_args=(--wheel "$SECREVIEW_WHEEL")
fi
"$bundle_python" scripts/bundle_python.py "${bundle_args[@]}"

echo "== lint (tsc --noEmit, strict)"
npm run --silent lint

echo "== compile"
npm run --silent compile

echo "== unit tests"
npm test --silent

echo "== package"
rm -f secreview.vsix
# Bytecode written while the tests ran the bundled server is not shipped (.vscodeignore).
npm run --silent package >/dev/null
test -s secreview.vsix
"$bundle_python" - secreview.vsix <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
required = {
    "extension/dist/extension.js",
    "extension/package.json",
    "extension/bundled/tool/secreview_server.py",
    "extension/bundled/libs/secreview_ls/__init__.py",
    "extension/bundled/libs/secreview_ls/lsp/__main__.py",
    "extension/bundled/libs/pygls/__init__.py",
    "extension/bundled/libs/lsprotocol/types.py",
}
problems = [f"lacks {name}" for name in sorted(required - names)]
problems += [f"carries {name}" for name in sorted(names) if "__pycache__" in name or name.endswith((".pyc", ".so"))]
sys.exit("secreview.vsix " + "; ".join(problems) if problems else 0)
PY
echo "== built $(pwd)/secreview.vsix ($(wc -c < secreview.vsix) bytes)"
