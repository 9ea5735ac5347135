#!/usr/bin/env bash
# Run the whole test suite from a fresh checkout: creates its own virtual environment,
# installs the package with its test extras, builds and tests the VS Code extension when
# Node.js is present, then runs pytest. Usage: scripts/test.sh [pytest args...]
# PYTHON selects the interpreter (default: python3); VENV the environment directory.
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

if [ "${SKIP_EDITORS:-0}" != "1" ] && command -v npm >/dev/null 2>&1 && [ -x editors/ci.sh ]; then
    echo "== VS Code extension: build, lint, unit tests, package"
    bash editors/ci.sh
fi

echo "== ruff"
"$VENV/bin/ruff" check secreview_ls tests benchmarks

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
