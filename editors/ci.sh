#!/usr/bin/env bash
# Builds, checks, tests and packages the VS Code extension.
# Usage: editors/ci.sh   (from anywhere; needs node >= 20 and npm)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/vscode"

echo "== node $(node --version), npm $(npm --version)"

echo "== npm ci"
npm ci --no-audit --no-fund

echo "== lint (tsc --noEmit, strict)"
npm run --silent lint

echo "== compile"
npm run --silent compile

echo "== unit tests"
# The --version probe test also runs against the real server when a Python
# that can run `-m secreview_ls` is at hand.
repo="$(cd "$here/.." && pwd)"
for py in "${SECREVIEW_TEST_PYTHON:-}" "$repo"/.venv-test-*/bin/python "$repo/.venv/bin/python" python3; do
  if [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 \
     && "$py" -c "import importlib.util as u, sys; sys.exit(u.find_spec('secreview_ls.__main__') is None)" \
        >/dev/null 2>&1; then
    export SECREVIEW_TEST_PYTHON="$py"
    break
  fi
done
npm test

echo "== package"
rm -f secreview.vsix
npm run --silent package
test -s secreview.vsix
python3 - secreview.vsix <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
missing = {"extension/dist/extension.js", "extension/package.json"} - names
sys.exit(f"vsix lacks {sorted(missing)}" if missing else 0)
PY
echo "== built $(pwd)/secreview.vsix ($(wc -c < secreview.vsix) bytes)"
