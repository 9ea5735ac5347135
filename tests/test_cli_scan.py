"""``scan_paths``: the ScanResult contract, parallel workers, timeouts and crashed workers."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
from pathlib import Path

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import batch as batch_module
from secreview_ls.pipeline import scan as scan_module
from secreview_ls.pipeline.scan import ScanResult, scan_paths

VULNERABLE = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"
fork_only = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="patched functions reach workers only through fork"
)


def make_tree(root: Path, count: int) -> None:
    for index in range(count):
        sub = root / f"pkg{index % 3}"
        sub.mkdir(exist_ok=True)
        (sub / f"m{index:02}.py").write_text(VULNERABLE if index % 2 else "x = 1\n", encoding="utf-8")


def test_scan_result_contract(tmp_path: Path) -> None:
    make_tree(tmp_path, 20)
    seen: list[tuple[int, int]] = []
    result = scan_paths([tmp_path], Config(root=tmp_path), jobs=2, progress=lambda d, t: seen.append((d, t)))
    assert isinstance(result, ScanResult)
    assert result.root == tmp_path.resolve()
    assert result.files_scanned == 20
    assert [r.path for r in result.results] == sorted(r.path for r in result.results)
    assert all(r.facts is None for r in result.results)
    findings = result.findings()
    assert len(findings) == 10
    assert findings == sorted(findings, key=lambda f: f.sort_key())
    assert result.relpath(findings[0].path) == "pkg0/m03.py"
    assert seen[-1] == (20, 20) and all(t == 20 for _, t in seen)
    pickle.loads(pickle.dumps(result))  # results cross process boundaries


def test_hard_timeout_abandons_runaway_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "slow.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    real = batch_module.analyze_file

    def stuck(path: Path, config: Config, *, project=None, **options):
        if path.name == "slow.py":
            while True:  # a rule that never returns
                time.sleep(0.01)
        return real(path, config, project=project, **options)

    monkeypatch.setattr(batch_module, "analyze_file", stuck)
    started = time.monotonic()
    result = scan_paths([tmp_path], Config(root=tmp_path, timeout=0.1), jobs=1)
    assert time.monotonic() - started < 5
    notices = [n for r in result.results for n in r.notices]
    assert [(Path(n.path).name, n.kind) for n in notices] == [("slow.py", "timeout")]
    assert [f.rule_id for f in result.findings()] == ["SR401"]


@fork_only
def test_crashing_worker_loses_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, 24)
    (tmp_path / "crash.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "crash_too.py").write_text("x = 1\n", encoding="utf-8")
    real = batch_module.analyze_file

    def crashing(path: Path, config: Config, *, project=None, **options):
        if path.name.startswith("crash"):
            os._exit(3)  # the process dies as on a segfault
        return real(path, config, project=project, **options)

    monkeypatch.setattr(batch_module, "analyze_file", crashing)
    monkeypatch.setattr(scan_module, "_mp_context", lambda: multiprocessing.get_context("fork"))
    result = scan_paths([tmp_path], Config(root=tmp_path), jobs=2)
    assert result.files_scanned == 26
    assert len(result.findings()) == 12  # every other file analyzed, whichever worker it shared
    crashed = [r for r in result.results if Path(r.path).name.startswith("crash")]
    assert [r.notices[0].kind for r in crashed] == ["internal-error", "internal-error"]
    assert all(not r.notices for r in result.results if r not in crashed)
    assert any(n.kind == "internal-error" for n in result.notices)


def test_rule_exception_becomes_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")

    def broken(path: Path, config: Config, *, project=None, **options):
        raise ValueError("boom")

    monkeypatch.setattr(batch_module, "analyze_file", broken)
    result = scan_paths([tmp_path], Config(root=tmp_path), jobs=1)
    (notice,) = result.results[0].notices
    assert notice.kind == "internal-error" and "ValueError: boom" in notice.message


def test_parallel_scan_from_a_thread(tmp_path: Path) -> None:
    """A server scans from a worker thread: the pool must not fork a threaded process."""
    import threading

    make_tree(tmp_path, 16)
    box: dict[str, ScanResult] = {}
    thread = threading.Thread(
        target=lambda: box.setdefault("scan", scan_paths([tmp_path], Config(root=tmp_path), jobs=2))
    )
    thread.start()
    thread.join(120)
    assert len(box["scan"].findings()) == 8
