"""`secreview check --watch`: a real process re-checks a file when it changes and stops
cleanly on Ctrl-C."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from secreview_ls.cli import main

SHELL = "import subprocess\n\n\ndef run():\n    return subprocess.call(cmd, shell=True)\n"


def _reader(stream, lines: queue.Queue[str]) -> None:  # type: ignore[no-untyped-def]
    for line in iter(stream.readline, ""):
        lines.put(line)


def _wait_for(lines: queue.Queue[str], needle: str, seen: list[str], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if needle in line:
            return
    raise AssertionError(f"{needle!r} not printed within {timeout} s; output so far:\n{''.join(seen)}")


def _watch(folder: Path, *extra: str) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """``secreview check FOLDER --watch`` in a child process, its output lines in a queue."""
    process = subprocess.Popen(
        [sys.executable, "-m", "secreview_ls.cli", "check", str(folder), "--watch", "--no-progress", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=folder,
        # A test run started in the background inherits SIGINT ignored; Ctrl-C must reach the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    return process, lines


def test_watch_reports_a_new_finding_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    target = tmp_path / "app.py"
    target.write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "other.py").write_text(
        "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n", encoding="utf-8"
    )
    process, lines = _watch(tmp_path)
    seen: list[str] = []
    try:
        _wait_for(lines, "watching 3 files", seen)
        assert any("SR401" in line for line in seen)  # the first run reports the whole project
        target.write_text(SHELL, encoding="utf-8")
        _wait_for(lines, "SR201", seen, timeout=10.0)
        _wait_for(lines, "in the whole project: 2 findings in 2 files", seen)
        changed_round = "".join(seen[seen.index(next(s for s in seen if "changed: app.py" in s)) :])
        assert "SR401" not in changed_round  # only the changed file's findings are printed again
        assert "\x1b[2J" not in "".join(seen)  # not a terminal: the screen is not cleared
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    error = process.stderr.read() if process.stderr else ""
    assert code == 0, error
    assert "stopped watching" in error and "Traceback" not in error


def test_watch_checks_the_callers_of_an_edited_module_again(tmp_path: Path) -> None:
    """Through the result cache, a view whose finding depends on a helper module is analyzed
    again when only the helper changes."""
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "views.py").write_text(
        "from flask import Flask, request\n\nfrom helpers import run\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/run')\ndef handler():\n    return run(request.args.get('cmd'))\n",
        encoding="utf-8",
    )
    helper = tmp_path / "helpers.py"
    helper.write_text("import shlex\n\n\ndef run(text):\n    return shlex.quote(text)\n", encoding="utf-8")
    process, lines = _watch(tmp_path, "-j", "1")
    seen: list[str] = []
    try:
        _wait_for(lines, "watching 3 files", seen)
        helper.write_text("import os\n\n\ndef run(text):\n    return os.system(text)\n", encoding="utf-8")
        _wait_for(lines, "views.py:10", seen, timeout=10.0)
        assert any("SR802" in line for line in seen[-3:])
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "json"], "--watch prints text or concise reports"),
        (["--output", "x.txt"], "--watch cannot be combined with --output"),
        (["--diff", "HEAD"], "--watch cannot be combined with --diff"),
        (["--shard", "1/2"], "--watch cannot be combined with --shard"),
    ],
)
def test_watch_refuses_options_that_make_no_sense_for_it(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path), "--watch", *extra]) == 2
    assert message in capsys.readouterr().err


def test_watch_clears_the_screen_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from secreview_ls.cli import watch as watching

    target = tmp_path / "app.py"
    target.write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "gone.py").write_text("import yaml\nyaml.load(x)\n", encoding="utf-8")

    def run(terminal: bool) -> str:
        rounds = iter(["edit", "remove", "stop"])

        def sleep(seconds: float) -> None:
            step = next(rounds)
            if step == "edit":
                target.write_text(SHELL, encoding="utf-8")
            elif step == "remove":
                (tmp_path / "gone.py").unlink()
            else:
                raise KeyboardInterrupt

        monkeypatch.setattr(watching.time, "sleep", sleep)
        monkeypatch.setattr(watching, "_isatty", lambda stream: terminal)
        assert main(["check", str(tmp_path), "--watch", "--format", "concise", "--color", "never"]) == 0
        return capsys.readouterr().out

    out = run(terminal=True)
    assert out.count(watching.CLEAR_SCREEN) == 2  # one per round of changes, none before the first report
    assert "app.py:5:12: SR201" in out and "gone.py (removed)" in out
    assert out.rstrip().endswith("in the whole project: 1 finding in 1 file (1 high); 1 file scanned")
    target.write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "gone.py").write_text("import yaml\nyaml.load(x)\n", encoding="utf-8")
    assert watching.CLEAR_SCREEN not in run(terminal=False)
