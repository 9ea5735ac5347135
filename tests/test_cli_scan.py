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


def test_the_hard_limit_counts_cpu_time_not_waiting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose analysis waits (a busy machine, a slow disk) longer than its CPU limit, but
    not past the wall-clock backstop, is analyzed whole."""
    (tmp_path / "waits.py").write_text(VULNERABLE, encoding="utf-8")
    real = batch_module.analyze_file

    def waiting(path: Path, config: Config, *, project=None, **options):
        time.sleep(0.6)  # twice the 0.3 s CPU limit of timeout=0.1, well under its 1.2 s backstop
        return real(path, config, project=project, **options)

    monkeypatch.setattr(batch_module, "analyze_file", waiting)
    result = scan_paths([tmp_path], Config(root=tmp_path, timeout=0.1), jobs=1)
    assert [n.kind for r in result.results for n in r.notices] == []
    assert [f.rule_id for f in result.findings()] == ["SR401"]


HELPER = "import os\n\n\ndef run(cmd):\n    os.system(cmd)\n"
VIEW = "from flask import request\nfrom helpers import run\n\n\ndef view():\n    run(request.args['c'])\n"


def stopped_in_the_middle(seen: dict[str, object]):
    """``analyze_file`` that, on ``a_slow.py``, leaves half-made work in the cross-module index
    (an entry the summary store cannot even encode) and never returns."""
    real = batch_module.analyze_file

    def analyze(path: Path, config: Config, *, project=None, **options):
        seen[path.name] = project
        if path.name == "a_slow.py":
            project._unsaved["half-made"] = object()
            while True:  # busy: the CPU-time limit stops it
                pass
        return real(path, config, project=project, **options)

    return analyze


def write_project(root: Path) -> None:
    (root / "helpers.py").write_text(HELPER, encoding="utf-8")
    (root / "a_slow.py").write_text("from helpers import run\n", encoding="utf-8")
    (root / "b_view.py").write_text(VIEW, encoding="utf-8")


def test_an_abandoned_file_leaves_its_cross_module_index_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The alarm stops an analysis wherever it is, perhaps in the middle of an imported module's
    summary: the files after it get a fresh index, and nothing the stopped one left is stored."""
    write_project(tmp_path)
    seen: dict[str, object] = {}
    monkeypatch.setattr(batch_module, "analyze_file", stopped_in_the_middle(seen))
    cache = tmp_path.parent / f"{tmp_path.name}-cache"
    result = scan_paths([tmp_path], Config(root=tmp_path, timeout=0.2), jobs=1, cache_folder=cache)
    notices = {Path(r.path).name: [n.kind for n in r.notices] for r in result.results}
    assert notices == {"a_slow.py": ["timeout"], "b_view.py": [], "helpers.py": []}
    assert seen["b_view.py"] is not seen["a_slow.py"]
    assert "SR802" in {f.rule_id for f in result.findings()}


def test_a_worker_drops_the_index_of_an_abandoned_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path)
    seen: dict[str, object] = {}
    monkeypatch.setattr(batch_module, "analyze_file", stopped_in_the_middle(seen))
    config = Config(root=tmp_path, timeout=0.2)
    scan_module._init_worker(config, [tmp_path], None, tmp_path.parent / f"{tmp_path.name}-summaries")
    results, _ = scan_module._analyze_chunk([tmp_path / "a_slow.py", tmp_path / "b_view.py"])
    assert [[n.kind for n in r.notices] for r in results] == [["timeout"], []]
    assert [r.abandoned for r in results] == [True, False]
    assert seen["b_view.py"] is not seen["a_slow.py"]
    assert scan_module._WORKER_STATE["project"] is seen["b_view.py"]


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
