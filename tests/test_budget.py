"""The per-file time budget grows with the file's size and its timeout is always reported."""

from __future__ import annotations

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source, running
from secreview_ls.pipeline.running import BUDGET_SCALES_FROM_CHARS, budget_seconds


class _TickingClock:
    """Advances one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def thread_time(self) -> float:
        self.now += 1.0
        return self.now


def test_small_files_get_the_timeout_and_big_ones_proportionally_more() -> None:
    assert budget_seconds(10.0, 0) == 10.0
    assert budget_seconds(10.0, BUDGET_SCALES_FROM_CHARS) == 10.0
    assert budget_seconds(10.0, 4 * BUDGET_SCALES_FROM_CHARS) == 40.0


@pytest.mark.parametrize("copies", [1, 20])
def test_the_timeout_notice_names_the_budget_of_the_file(monkeypatch: pytest.MonkeyPatch, copies: int) -> None:
    text = "eval(text)\n" * copies
    monkeypatch.setattr(running, "BUDGET_SCALES_FROM_CHARS", 110)  # 10 lines
    monkeypatch.setattr(running, "time", _TickingClock())
    result = analyze_source(text, "slow.py", Config(timeout=2.5))
    [notice] = [n for n in result.notices if n.kind == "timeout"]
    assert notice.message.startswith(f"analysis stopped after {budget_seconds(2.5, len(text)):g} s of CPU time")
    ran = 2 if copies == 1 else 5  # one rule per second of the budget
    assert len(result.rules_run) - len(notice.message.split("rules not run: ")[1].split(", ")) == ran
