#!/usr/bin/env bash
# Run the whole test suite from a fresh checkout: creates its own virtual environment,
# installs the package with its test extras, builds the sdist and wheel (metadata checked
# with twine, the wheel installed into a scratch environment and run), builds and tests
# the VS Code extension with that wheel bundled when Node.js is present, then runs pytest
# (which includes real Neovim, Emacs and VS Code when they are installed).
# Usage: scripts/test.sh [pytest args...]
# PYTHON selects the interpreter (default: python3); VENV the environment directory;
# SKIP_EDITORS=1 leaves out the VS Code extension build and the editor tests that need it.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
version="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
VENV="${VENV:-.venv-test-$version}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[test]"

echo "== package: sdist and wheel"
dist="$(mktemp -d)"
trap 'rm -rf "$dist"' EXIT
"$VENV/bin/python" -m build --outdir "$dist" . >"$dist/build.log" 2>&1 || { cat "$dist/build.log"; exit 1; }
"$VENV/bin/twine" check --strict "$dist"/*.tar.gz "$dist"/*.whl
wheel="$(ls "$dist"/secreview_ls-*.whl)"
# The wheel on its own, as a user installs it (dependencies from the index).
"$PYTHON" -m venv "$dist/venv"
"$dist/venv/bin/python" -m pip install --quiet "$wheel"
"$dist/venv/bin/secreview-ls" --check >"$dist/check.txt" || { cat "$dist/check.txt"; exit 1; }
"$dist/venv/bin/secreview" check examples/clean_app >/dev/null
echo "built and installed $(basename "$wheel") and $(basename "$(ls "$dist"/*.tar.gz)")"
mkdir -p dist
cp "$wheel" "$dist"/*.tar.gz dist/

if [ "${SKIP_EDITORS:-0}" != "1" ] && command -v npm >/dev/null 2>&1 && [ -x editors/ci.sh ]; then
    echo "== VS Code extension: build, lint, unit tests, package"
    SECREVIEW_WHEEL="$wheel" SECREVIEW_TEST_PYTHON="$VENV/bin/python" bash editors/ci.sh
fi

echo "== ruff"
"$VENV/bin/ruff" check secreview_ls tests benchmarks
"$VENV/bin/ruff" format --check secreview_ls tests benchmarks scripts

echo "== pytest on Python $version"
set +e
"$VENV/bin/python" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
