"""Caches seeded from the whole analysis of a document's first version (``seed_results``),
and ``refine``, which runs the per-chunk rules on the seeded chunks later: the results are
those of caches built by running every rule on every chunk, edit after edit."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source
from secreview_ls.pipeline.incremental import IncrementalAnalyzer, split_lines_keepends
from secreview_ls.pipeline.selection import selected_rules

from .realistic import generate
from .test_incremental import FIXTURES, summary

# Edits that change the import map (imports, module-level names) and module-level bindings.
TOP_LEVEL = (
    "import shlex\n",
    "import os as system\n",
    "from yaml import load\n",
    "eval = print\n",
    "open = None\n",
    "CMD = 'ls -l'\n",
    "TIMEOUT = 5\n",
    "def helper(a):\n    return pickle.loads(a)\n",
    "def run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
    "class Thing:\n    def run(self, arg):\n        os.system(arg)\n",
)
BODY = (
    "    x = 1\n",
    "    subprocess.call(cmd, shell=True)\n",
    "    data = yaml.load(text)\n",
    "    value = requests.get(url, verify=False)\n",
)


def _locals(analyzer: IncrementalAnalyzer) -> list[Any]:
    """What each chunk keeps, comparable between two analyzers of the same text: findings in
    no particular order, and not those of a whole-module rule the chunk's view sends to the
    whole module (never read while it does)."""
    kept = []
    for chunk in analyzer._chunks:
        local = chunk.local
        assert local is not None
        kept.append(
            (
                chunk.first,
                chunk.last,
                {
                    rule_id: sorted(repr(f.to_dict()) for f in found)
                    for rule_id, found in local.findings.items()
                    if rule_id not in local.wide
                },
                {rule_id: set(records) for rule_id, records in local.evidence.items() if rule_id not in local.wide},
                local.wide,
                local.moves,
            )
        )
    return kept


def _prepared(text: str, path: str, config: Config, *, seeded: bool) -> IncrementalAnalyzer:
    analyzer = IncrementalAnalyzer(path, config)
    analyzer.analyze(text)
    if not seeded:
        analyzer._handover = None  # every rule runs on every chunk, as before seeding
    analyzer.prepare()
    return analyzer


def _sample_files() -> list[Path]:
    return sorted(FIXTURES.glob("**/*.py"))[::6]


@pytest.mark.parametrize("size", [300, 1200])
def test_seeded_caches_are_those_of_running_every_rule(size: int, tmp_path: Path) -> None:
    text = generate(size, seed=size)
    path, config = str(tmp_path / "svc.py"), Config(root=tmp_path)
    seeded = _prepared(text, path, config, seeded=True)
    assert all(c.local is not None and c.local.seeded for c in seeded._chunks)
    assert seeded.refinable
    assert _locals(seeded) == _locals(_prepared(text, path, config, seeded=False))


def test_seeded_caches_of_fixture_files() -> None:
    files = _sample_files()
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        config = Config(root=file.parent)
        seeded = _prepared(text, str(file), config, seeded=True)
        assert _locals(seeded) == _locals(_prepared(text, str(file), config, seeded=False)), file


def _edit(text: str, rng: random.Random) -> str:
    lines = split_lines_keepends(text)
    if rng.random() < 0.5:
        at = rng.choice([i for i, line in enumerate(lines) if not line.startswith((" ", "\t", ")", "]", "}"))])
        lines.insert(at, rng.choice(TOP_LEVEL))
    else:
        bodies = [i for i, line in enumerate(lines) if line.startswith("def ") and i + 1 < len(lines)]
        at = rng.choice(bodies) + 1
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())] or "    "
        lines.insert(at, indent + rng.choice(BODY).lstrip())
    return "".join(lines)


@pytest.mark.parametrize("refine_every", [0, 1, 3])
def test_edits_after_seeding_equal_whole_analyses(refine_every: int, tmp_path: Path) -> None:
    """Imports, module-level names and bindings change; the seeded chunks run again when the
    import map changes, and ``refine`` (all of it, or a few chunks at a time) changes nothing."""
    rng = random.Random(refine_every)
    text = generate(500, seed=17)
    path, config = str(tmp_path / "app" / "views.py"), Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
    analyzer.prepare()
    incremental = 0
    for step in range(14):
        text = _edit(text, rng)
        got = analyzer.analyze(text)
        incremental += analyzer.stats.mode == "incremental"
        assert summary(got) == summary(analyze_source(text, path, config)), f"step {step} ({analyzer.stats})"
        if refine_every:
            allowed = iter(range(refine_every))
            analyzer.refine(lambda allowed=allowed: next(allowed, None) is None)  # type: ignore[misc]
    assert incremental >= 12


def test_refine_runs_the_seeded_chunks_and_stops_when_asked(tmp_path: Path) -> None:
    text = generate(400, seed=5)
    path, config = str(tmp_path / "svc.py"), Config(root=tmp_path)
    analyzer = _prepared(text, path, config, seeded=True)
    asked = 0

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > 3

    analyzer.refine(stop)
    states = [c.local.seeded for c in analyzer._chunks]  # type: ignore[union-attr]
    assert states[:3] == [False] * 3 and all(states[3:]) and analyzer.refinable
    analyzer.refine(lambda: False)
    assert not analyzer.refinable
    assert not any(c.local.seeded for c in analyzer._chunks)  # type: ignore[union-attr]
    full = _prepared(text, path, config, seeded=False)
    assert _locals(analyzer) == _locals(full)
    # The import answers recorded are a run's, not every structure.
    for ran, refined in zip(full._chunks, analyzer._chunks, strict=True):
        assert refined.local.recorder.whole == ran.local.recorder.whole  # type: ignore[union-attr]
        assert refined.local.recorder.keys == ran.local.recorder.keys  # type: ignore[union-attr]


def test_a_new_module_level_name_runs_only_the_refined_chunks_it_concerns(tmp_path: Path) -> None:
    text = generate(600, seed=8)
    path, config = str(tmp_path / "svc.py"), Config(root=tmp_path)
    edited = text + "\n\ndef brand_new_helper(value):\n    return value\n"
    seeded = _prepared(text, path, config, seeded=True)
    seeded.analyze(edited)
    assert seeded.stats.rerun >= len(seeded._chunks) - 1  # conservative: every seeded chunk
    refined = _prepared(text, path, config, seeded=True)
    refined.refine(lambda: False)
    assert summary(refined.analyze(edited)) == summary(analyze_source(edited, path, config))
    assert refined.stats.rerun < len(refined._chunks) // 2


def test_a_chunk_that_only_parses_repaired_is_run_not_seeded(tmp_path: Path) -> None:
    lines = split_lines_keepends(generate(500, seed=4))
    broken = next(i for i, line in enumerate(lines) if "limit = int(" in line)
    lines[broken] = lines[broken].replace("int(", "int((")
    text = "".join(lines)
    path, config = str(tmp_path / "svc.py"), Config(root=tmp_path)
    analyzer = _prepared(text, path, config, seeded=True)
    repaired = [c for c in analyzer._chunks if c.broken]
    assert repaired and all(not c.local.seeded for c in repaired)  # type: ignore[union-attr]
    assert any(c.local.seeded for c in analyzer._chunks if not c.broken)  # type: ignore[union-attr]
    edited = text.replace("def ", "def renamed_", 1)
    assert summary(analyzer.analyze(edited)) == summary(analyze_source(edited, path, config))


def test_no_seeding_from_an_analysis_where_a_rule_failed(tmp_path: Path) -> None:
    path, config = str(tmp_path / "svc.py"), Config(root=tmp_path)
    rules = selected_rules(config, path)
    index = next(i for i, r in enumerate(rules) if r.scope == "chunk" and r.id == "SR501")
    original = rules[index].check

    def fails_on_the_second_verify(ctx: Any) -> Any:
        found = list(original(ctx))
        if len(found) > 1:
            raise RuntimeError("rule defect")
        return found

    rules[index] = dataclasses.replace(rules[index], check=fails_on_the_second_verify)
    text = generate(300, seed=2) + "\n\ndef insecure():\n    requests.get(u, verify=False)\n"
    text += "\n\ndef more():\n    requests.get(u, verify=False)\n"
    analyzer = IncrementalAnalyzer(path, config, rules=rules)
    first = analyzer.analyze(text)
    assert any(n.kind == "rule-error" for n in first.notices)
    assert analyzer._handover is None
    analyzer.prepare()
    assert not any(c.local is not None and c.local.seeded for c in analyzer._chunks)
    edited = text.replace("x", "y", 1)
    want = analyze_source(edited, path, config, rules=rules)
    assert summary(analyzer.analyze(edited)) == summary(want)
