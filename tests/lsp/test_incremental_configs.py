"""Incremental analysis returns what whole-file analysis returns under non-default settings:
a per-file timeout (before the first rule, or part-way through the rules), ignored and
selected rules, severity and confidence thresholds, test code in relaxed and strict mode,
per-file ignores. Findings (every field), suppressed findings, notices and evidence are
compared after every step of random edit sequences over realistic modules and fixtures."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from secreview_ls.config import Config
from secreview_ls.engine.finding import Level
from secreview_ls.pipeline import IncrementalAnalyzer, analyze_source, running

from .realistic import generate
from .test_incremental import FIXTURES, check_edits, summary

pytestmark = pytest.mark.slow

CONFIGS: dict[str, dict[str, object]] = {
    "timeout before the first rule": {"timeout": 1e-9},
    "ignore": {"ignore": ("SR401", "SR2", "SR80", "B324")},
    "select": {"select": ("SR1", "SR4", "SR5", "SR801", "SR802")},
    "thresholds": {"severity": Level.MEDIUM, "confidence": Level.HIGH},
    "per-file ignores": {"per_file_ignores": {"app/*.py": ("SR201", "SR8")}},
    "strict test code": {"test_code": "strict"},
    "relaxed test code": {"test_code": "relaxed"},
    "require reason": {"require_reason": True},
}
TEST_CODE = ("strict test code", "relaxed test code")


class TickingClock:
    """A clock that advances one second each time it is read: a deadline of N.5 seconds lets
    exactly N rules run, whatever the machine's speed."""

    def __init__(self) -> None:
        self.now = 0.0

    def thread_time(self) -> float:
        self.now += 1.0
        return self.now


def _path(tmp_path: Path, name: str) -> str:
    folder = "tests" if name in TEST_CODE else "app"
    file = "test_views.py" if name in TEST_CODE else "views.py"
    return str(tmp_path / folder / file)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_random_edits_under_a_configuration(name: str, tmp_path: Path) -> None:
    config = Config(root=tmp_path).with_overrides(**CONFIGS[name])
    seed = sorted(CONFIGS).index(name) + 20
    modes = check_edits(generate(300, seed=seed), _path(tmp_path, name), config, steps=25, seed=seed)
    if name != "timeout before the first rule":
        assert modes["incremental"] > modes["full"], modes


@pytest.mark.parametrize("rules_run", [0, 3, 17, 40])
def test_a_timeout_part_way_stops_both_at_the_same_rule(
    rules_run: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(running, "time", TickingClock())
    config = Config(root=tmp_path, timeout=rules_run + 0.5)
    path = str(tmp_path / "app" / "views.py")
    text = generate(250, seed=rules_run)
    whole = analyze_source(text, path, config)
    timeouts = [n for n in whole.notices if n.kind == "timeout"]
    assert len(timeouts) == 1 and len(timeouts[0].message.split(", ")) == len(whole.rules_run) - rules_run
    check_edits(text, path, config, steps=15, seed=rules_run)


def test_a_timeout_leaves_the_cache_usable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "app" / "views.py")
    text = generate(250, seed=5)
    analyzer = IncrementalAnalyzer(path, Config(root=tmp_path, timeout=4.5))
    monkeypatch.setattr(running, "time", TickingClock())
    stopped = analyzer.analyze(text)
    assert [n.kind for n in stopped.notices if n.kind == "timeout"] == ["timeout"]
    monkeypatch.setattr(running, "time", time)
    edited = text.replace("def ", "def renamed_", 1)
    assert summary(analyzer.analyze(edited)) == summary(
        analyze_source(edited, path, Config(root=tmp_path, timeout=4.5))
    )
    assert analyzer.stats.mode == "incremental"


def test_random_edits_on_fixtures_under_each_configuration() -> None:
    files = sorted(FIXTURES.glob("**/*.py"))
    rng = random.Random(3)
    for name in sorted(CONFIGS):
        for path in rng.sample(files, 6):
            config = Config(root=path.parent).with_overrides(**CONFIGS[name])
            text = path.read_text(encoding="utf-8", errors="replace")
            check_edits(text, str(path), config, steps=4, seed=rng.randrange(1_000_000))


def test_random_edits_of_suppression_comments_under_require_reason() -> None:
    path = FIXTURES / "rules" / "misc" / "suppression_reasons.py"
    text = path.read_text(encoding="utf-8")
    config = Config(root=path.parent, require_reason=True)
    for seed in range(3):
        check_edits(text, str(path), config, steps=8, seed=seed)
