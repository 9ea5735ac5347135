"""``secreview-ls --version`` / ``--check``: the server says whether it can start, and how to
fix it when it cannot (the interpreter it runs on, what is missing, the command that installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from secreview_ls import __version__
from secreview_ls.lsp import __main__ as entry

REPO = Path(__file__).resolve().parent.parent


def run(
    *args: str,
    python: str = sys.executable,
    flags: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m secreview_ls ARGS`` with this checkout importable."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [python, *flags, "-m", "secreview_ls", *args],
        cwd=cwd or REPO,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_requirements_are_the_declared_dependencies() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    checked = {r.distribution: r.spec for r in entry.REQUIREMENTS}
    for dependency in declared:
        spec = dependency.replace(" ", "")
        name = spec.split(">")[0].split("<")[0].split("=")[0]
        assert checked.get(name) == spec, f"{dependency!r} in pyproject.toml, {checked.get(name)!r} checked"


def test_version_when_everything_imports() -> None:
    proc = run("--version")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"secreview-ls {__version__}\n", "")


def test_check_lists_the_interpreter_and_each_requirement() -> None:
    proc = run("--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"secreview-ls {__version__}"
    assert f"python: {sys.executable} (" in proc.stdout
    for requirement in entry.REQUIREMENTS:
        assert any(line.startswith(f"ok: {requirement.distribution} ") for line in lines), proc.stdout
    assert any(line.startswith("ok: the server's ") for line in lines), proc.stdout
    assert "problem:" not in proc.stdout and "fix:" not in proc.stdout and "run:" not in proc.stdout


# `python -S` leaves site-packages out: the checkout is importable (PYTHONPATH), its
# dependencies are not, as for a Python that never had the package installed.


def test_version_without_the_dependencies_says_what_is_missing_and_the_fix() -> None:
    proc = run("--version", flags=("-S",))
    assert proc.returncode == 1
    assert proc.stdout == "", "no version line: an editor probing --version must see the failure"
    assert proc.stderr.startswith(f"secreview-ls {__version__} cannot start\n"), proc.stderr
    assert f"python: {sys.executable} (" in proc.stderr
    assert "problem: pygls>=2.1,<3: cannot import pygls" in proc.stderr
    assert "problem: lsprotocol>=2025.0.0: cannot import lsprotocol" in proc.stderr
    assert f"fix: install this checkout and its requirements into {sys.executable}" in proc.stderr, proc.stderr
    assert f"run: {sys.executable} -m pip install -e {REPO}" in proc.stderr.splitlines(), proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_without_the_dependencies_reports_on_stdout() -> None:
    proc = run("--check", flags=("-S",))
    assert proc.returncode == 1
    assert "problem: pygls>=2.1,<3" in proc.stdout and "\nfix: " in proc.stdout, proc.stdout


def test_starting_the_server_without_the_dependencies_prints_the_report() -> None:
    proc = run(flags=("-S",))
    assert proc.returncode == 1
    assert "problem: pygls>=2.1,<3: cannot import pygls" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_dependency_of_the_wrong_version_is_named(tmp_path: Path) -> None:
    fake = tmp_path / "site"
    (fake / "pygls").mkdir(parents=True)
    (fake / "pygls" / "__init__.py").write_text("", encoding="utf-8")
    (fake / "pygls-1.3.1.dist-info").mkdir()
    (fake / "pygls-1.3.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pygls\nVersion: 1.3.1\n", encoding="utf-8"
    )
    proc = run("--version", flags=("-S",), env={"PYTHONPATH": os.pathsep.join([str(REPO), str(fake)])})
    assert proc.returncode == 1
    assert "problem: pygls>=2.1,<3: version 1.3.1 is installed" in proc.stderr, proc.stderr


def test_a_system_managed_python_is_told_to_use_an_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entry, "_externally_managed", lambda: True)
    report = entry.Report()
    entry._install_fixes(report, "/usr/bin/python3", [entry.REQUIREMENTS[0]], None)
    (fix,) = report.fixes
    assert "run the server with ~/.venvs/secreview/bin/python" in fix
    assert report.commands == [
        "/usr/bin/python3 -m venv ~/.venvs/secreview && ~/.venvs/secreview/bin/python -m pip install 'pygls>=2.1,<3'"
    ]


def _old_python() -> str | None:
    """A Python older than 3.11 that runs (pyenv shims exist for versions not selected)."""
    candidates = [shutil.which(f"python3.{minor}") for minor in (10, 9, 8, 7)]
    candidates += [str(p) for p in sorted(Path("/root/.pyenv/versions").glob("3.[789]*/bin/python3"))]
    for candidate in candidates:
        if candidate is None:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; sys.exit(sys.version_info >= (3, 11))"], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return candidate
    return None


def test_an_old_python_is_told_which_python_is_needed() -> None:
    old = _old_python()
    if old is None:
        pytest.skip("no Python older than 3.11 on this machine")
    proc = run("--version", python=old)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "the server needs Python 3.11 or newer" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
