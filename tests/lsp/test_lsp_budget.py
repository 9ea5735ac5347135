"""Time budgets: a document whose analysis runs long never holds up the others, and a file
over its budget gets a diagnostic or a log message naming it, never silence."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from .rawclient import RawServer, diagnostics, hover_params, initialize, open_document

GOOD = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"


def slow_handlers(count: int) -> str:
    """Request handlers each folding 30 parameters into one shell command: seconds of taint
    analysis for a parse of a tenth of that. The wall-clock budget is checked on the event loop,
    which waits while a thread is inside one long call into C (the parse): a module of many
    small functions, mostly parse, could be analyzed before its budget was looked at."""
    folds = "".join(f"    v{j} = request.args.get('p{j}') + v{j - 1}\n" for j in range(1, 30))
    handler = "def handler_{}(request):\n    v0 = ''\n" + folds + "    os.system(v29)\n\n\n"
    return "import os\n\n\n" + "".join(handler.format(i) for i in range(count))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    return tmp_path


async def test_documents_over_budget_do_not_hold_up_the_others(project: Path) -> None:
    server = await RawServer.start(cwd=project)
    try:
        await initialize(server, project, {"timeout": 0.4})  # a budget of 0.6 s per analysis
        slow = [(project / f"slow_{i}.py").as_uri() for i in range(4)]
        for uri in slow:  # more than the two analysis slots, for seconds each
            await open_document(server, uri, slow_handlers(600))
        await asyncio.sleep(0.2)
        good = (project / "good.py").as_uri()
        started = time.monotonic()
        await open_document(server, good, GOOD)
        assert [d["code"] for d in await diagnostics(server, good, 1, timeout=5)] == ["SR401"]
        answer = await server.call("textDocument/hover", hover_params(good, 4, 16), timeout=5)
        assert "SR401" in json.dumps(answer["result"])
        assert time.monotonic() - started < 5
        for uri in slow:
            items = await diagnostics(server, uri, 1, timeout=8)
            assert [d["code"] for d in items] == ["timeout"]
            assert "stopped after 0.6 s" in items[0]["message"]
        for name in ("slow_0.py", "slow_1.py", "slow_2.py", "slow_3.py"):
            assert any(name in line and "stopped after" in line for line in server.log_text().splitlines())
        # The abandoned analyses were stopped, not left running: the server goes idle.
        await asyncio.sleep(1.0)
        before = cpu_seconds(server.process.pid)
        await asyncio.sleep(2.0)
        assert cpu_seconds(server.process.pid) - before < 1.0
    finally:
        await server.stop()


async def test_a_very_large_module_gets_diagnostics_within_its_budget(project: Path) -> None:
    """55,000 small functions (2.2 MB): analyzed whole, within the budget, and told."""
    server = await RawServer.start(cwd=project)
    try:
        await initialize(server, project, {"timeout": 2})
        text = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(55_000))
        text += "import yaml\nyaml.load(data)\n"
        uri = (project / "many_functions.py").as_uri()
        started = time.monotonic()
        await open_document(server, uri, text)
        items = await diagnostics(server, uri, 1, timeout=60)
        elapsed = time.monotonic() - started
        assert elapsed < 20, elapsed
        codes = [d["code"] for d in items]
        told_on_document = "timeout" in codes
        told_in_log = any("many_functions.py" in line and "timeout" in line for line in server.log_text().splitlines())
        assert codes == ["SR401"] or told_on_document or told_in_log, (codes, server.log_text()[-2000:])
    finally:
        await server.stop()


# -- what the server asks of the incremental analyzer ----------------------------------------------


def test_syntax_errors_in_several_places_do_not_restart_the_incremental_analyzer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With syntax errors in several places the incremental analyzer analyzes the whole file
    and drops its cache; starting it again at the next keystroke would cost a first run (many
    times a whole analysis) at every other keystroke. The server analyzes whole instead, until
    the errors are gone."""
    from secreview_ls.pipeline import IncrementalAnalyzer

    from .inprocess import Driven
    from .realistic import generate

    runs: list[str] = []
    original = IncrementalAnalyzer.analyze

    def recorded(self: IncrementalAnalyzer, text: str):  # type: ignore[no-untyped-def]
        result = original(self, text)
        first = self.stats.mode == "incremental" and self.stats.parsed_lines >= text.count("\n")
        runs.append("first" if first else self.stats.mode)
        return result

    monkeypatch.setattr(IncrementalAnalyzer, "analyze", recorded)
    lines = generate(600, seed=3).splitlines(True)
    bodies = [i for i, line in enumerate(lines) if line.startswith("    return ")]
    for index in bodies[2:9:3]:  # three broken statements far apart
        lines[index] = "    return 1 +\n"
    text = "".join(lines)
    typed = next(i for i, line in enumerate(lines) if "log.info(" in line)

    async def scenario() -> list[str]:
        driven = Driven(tmp_path)
        await driven.start()
        uri = (tmp_path / "broken.py").as_uri()
        driven.open(uri, text)
        await driven.published(uri, 1)
        for version in range(2, 9):
            driven.replace_line(uri, version, typed, lines[typed].replace("log.info(", f"log.info({version} and ", 1))
            await driven.published(uri, version)
        codes = [d["code"] for d in await driven.published(uri, 8)]
        assert codes.count("syntax-error") == 3
        lines[bodies[2]] = lines[bodies[5]] = "    return 1\n"  # two errors fixed: back to incremental
        for version, line in ((9, bodies[2]), (10, bodies[5])):
            driven.replace_line(uri, version, line, "    return 1\n")
            await driven.published(uri, version)
        for version in range(11, 14):
            driven.replace_line(uri, version, typed, lines[typed].replace("log.info(", f"log.info({version} or ", 1))
            await driven.published(uri, version)
        return runs

    recorded_runs = asyncio.run(scenario())
    # Open: a whole analysis that prepares the analyzer; the next keystroke falls back to a
    # whole analysis; versions 3-10 are analyzed whole (not by the incremental analyzer); with
    # one error left, incremental analysis resumes: one whole run that prepares it, then cheap
    # runs.
    assert recorded_runs == ["full", "full", "full", "incremental", "incremental"]
