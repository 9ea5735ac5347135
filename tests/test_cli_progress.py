"""The progress bar of ``secreview check``: drawn at once, per file, with an ETA, and only on a
terminal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from secreview_ls.cli import build_parser
from secreview_ls.cli.progress import ProgressBar, format_duration, progress_for
from secreview_ls.pipeline import Config, scan_paths


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def frames(stream: io.StringIO) -> list[str]:
    return [part.rstrip() for part in stream.getvalue().split("\r") if part.strip()]


def test_bar_is_drawn_at_once_then_per_file_with_an_eta() -> None:
    stream, clock = FakeTTY(), Clock()
    bar = ProgressBar(stream, width=10, clock=clock, columns=200)
    bar(0, 8)
    assert frames(stream) == ["[----------] 0/8 files"]  # before any file is done, without waiting
    for done in range(1, 8):
        clock.now += 1.0
        bar(done, 8)
    shown = frames(stream)
    assert [f.split("] ")[1].split(" files")[0] for f in shown] == [f"{n}/8" for n in range(8)]
    assert "ETA" not in shown[1] and "ETA" not in shown[2]  # too few files to estimate
    assert shown[3].endswith("ETA 5s")  # 3 files in 3 s, 5 to go
    assert shown[7].endswith("ETA 1s")
    clock.now += 1.0
    bar(8, 8)
    assert frames(stream)[-1] == "[##########] 8/8 files"
    bar.close()
    assert stream.getvalue().endswith("\r" + " " * len("[##########] 8/8 files") + "\r")


def test_fast_updates_are_throttled_but_the_last_is_drawn() -> None:
    stream, clock = FakeTTY(), Clock()
    bar = ProgressBar(stream, width=10, clock=clock, columns=200)
    for done in range(0, 101):
        clock.now += 0.001
        bar(done, 100)
    shown = frames(stream)
    assert shown[0].endswith("0/100 files") and shown[-1].endswith("100/100 files")
    assert len(shown) < 10


def test_bar_never_wraps_a_narrow_terminal() -> None:
    stream = FakeTTY()
    bar = ProgressBar(stream, width=30, clock=Clock(), columns=24)
    bar(1, 1000)
    assert all(len(f) <= 23 for f in frames(stream))


def test_duration_format() -> None:
    assert [format_duration(s) for s in (0.2, 8, 65, 3725)] == ["0s", "8s", "1m05s", "1h02m"]


@pytest.mark.parametrize(
    ("argv", "tty", "drawn"),
    [([], True, True), (["-q"], True, False), (["--no-progress"], True, False), ([], False, False)],
)
def test_bar_only_on_a_terminal_and_when_not_turned_off(argv: list[str], tty: bool, drawn: bool) -> None:
    args = build_parser().parse_args(["check", ".", *argv])
    stream = FakeTTY() if tty else io.StringIO()
    assert (progress_for(args, stream) is not None) is drawn


def test_parallel_scan_reports_every_file_from_zero(tmp_path: Path) -> None:
    for index in range(40):
        (tmp_path / f"m{index:02}.py").write_text("import os\nos.system(input())\n" if index % 2 else "x = 1\n")
    seen: list[tuple[int, int]] = []
    scan_paths([tmp_path], Config(root=tmp_path), jobs=2, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 40) and seen[-1] == (40, 40)
    counts = [d for d, _ in seen]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)


def _check(tmp_path: Path, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "app.py").write_text("x = 1\n")
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "secreview_ls.cli", "check", str(tmp_path)], env=env, timeout=120, check=False, **kwargs
    )


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    done = _check(tmp_path, capture_output=True)
    assert done.returncode == 0
    assert b"\r" not in done.stderr and b"/1 files" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_bar_on_a_real_terminal(tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        done = _check(tmp_path, stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        follower = -1
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert done.returncode == 0
    assert b"0/1 files" in drawn and b"1/1 files" in drawn
