"""Fills bundled/libs with the secreview-ls package and its pure-Python dependencies.

    python scripts/bundle_python.py [--wheel dist/secreview_ls-X.Y.Z-py3-none-any.whl]

Without --wheel the wheel is built from the repository (``pip wheel``). The dependencies
come from requirements-bundle.txt (exact versions, hashes checked), as wheels for any
platform and Python 3.11+, never compiled code: the .vsix runs on every OS with the
user's own interpreter. Run it with Python 3.11 or newer; needs pip and an index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # editors/vscode
REPO = HERE.parent.parent
LIBS = HERE / "bundled" / "libs"
REQUIREMENTS = HERE / "requirements-bundle.txt"
PURE_WHEEL_OPTIONS = [
    "--only-binary=:all:",
    "--platform", "any",
    "--python-version", "3.11",
    "--implementation", "py",
    "--abi", "none",
]
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args]
    print("$ " + " ".join(command), flush=True)
    # Installing into a folder as root is what this does on purpose: no warning about it.
    subprocess.run(command, check=True, env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"})


def build_wheel(out: Path) -> Path:
    pip("wheel", "--no-deps", "--wheel-dir", str(out), str(REPO))
    (wheel,) = out.glob("secreview_ls-*.whl")
    return wheel


def check_bundle() -> list[str]:
    """Problems with the filled folder: compiled files, platform wheels, a missing package."""
    problems = []
    for path in LIBS.rglob("*"):
        if path.suffix in COMPILED_SUFFIXES:
            problems.append(f"compiled file {path.relative_to(LIBS)}: the bundle must be pure Python")
    for wheel_file in LIBS.glob("*.dist-info/WHEEL"):
        text = wheel_file.read_text(encoding="utf-8")
        if "Root-Is-Purelib: true" not in text:
            problems.append(f"{wheel_file.parent.name} is not a pure-Python wheel")
    for package in ("secreview_ls", "pygls", "lsprotocol", "cattrs", "attrs", "pathspec"):
        if not (LIBS / package / "__init__.py").is_file():
            problems.append(f"{package} is missing from {LIBS}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="the secreview-ls wheel to bundle (default: build one)")
    args = parser.parse_args(argv)
    if sys.version_info < (3, 11):
        print("bundle_python.py needs Python 3.11 or newer", file=sys.stderr)
        return 2
    shutil.rmtree(LIBS, ignore_errors=True)
    LIBS.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="secreview-wheel-") as scratch:
        wheel = args.wheel.resolve() if args.wheel else build_wheel(Path(scratch))
        pip("install", "--target", str(LIBS), "--no-compile", "--no-deps", "--require-hashes",
            *PURE_WHEEL_OPTIONS, "--requirement", str(REQUIREMENTS))
        pip("install", "--target", str(LIBS), "--no-compile", "--no-deps", str(wheel))
    # Console scripts written for the build machine's interpreter: of no use in the bundle.
    shutil.rmtree(LIBS / "bin", ignore_errors=True)
    problems = check_bundle()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        size = sum(p.stat().st_size for p in LIBS.rglob("*") if p.is_file())
        print(f"bundled {', '.join(sorted(p.name.split('-')[0] for p in LIBS.glob('*.dist-info')))} "
              f"into {LIBS} ({size // 1024} KiB)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
