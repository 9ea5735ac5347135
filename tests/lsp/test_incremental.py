"""The incremental analyzer returns what the full pipeline returns, edit after edit.

Random edits (typing inside a line, inserting and deleting lines, moving blocks,
adding imports and suppressions, breaking the syntax for a moment) over realistic
generated modules and over every fixture file of the rule and taint suites; after
each edit the incremental result is compared with ``analyze_source`` on the same
text: findings (every field, fingerprints included), suppressed findings, notices,
and the evidence each kind of check recorded.
"""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from secreview_ls.analyze import AnalysisResult, analyze_source
from secreview_ls.config import Config
from secreview_ls.engine.source import split_lines
from secreview_ls.incremental import IncrementalAnalyzer, split_lines_keepends

from .realistic import generate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SNIPPETS = (
    "    x = 1\n",
    "    subprocess.call(cmd, shell=True)\n",
    "import os as system\n",
    "from yaml import load\n",
    "eval = print\n",
    "    data = yaml.load(text)\n",
    "CMD = 'ls -l'\n",
    "# nosec\n",
    "    # secreview: ignore[SR401]\n",
    "\n",
    "def helper(a):\n    return pickle.loads(a)\n",
    "    value = requests.get(url, verify=False)  # noqa: S501\n",
    "@app.route('/x')\ndef handler():\n    return eval(request.args['q'])\n",
    "    query = f\"SELECT * FROM t WHERE id = {request.args['id']}\"\n",
    "class Thing:\n    def run(self, arg):\n        os.system(arg)\n",
)


def summary(result: AnalysisResult) -> tuple[object, ...]:
    return (
        [f.to_dict() for f in result.findings],
        sorted((f.to_dict() for f in result.suppressed), key=repr),
        [n.to_dict() for n in result.notices],
        {kind: sorted(set(items)) for kind, items in result.evidence.items()},
        result.is_test,
        result.rules_run,
    )


def mutate(text: str, rng: random.Random) -> str:
    lines = split_lines_keepends(text) or ["\n"]
    index = rng.randrange(len(lines))
    roll = rng.random()
    if roll < 0.4:
        line = lines[index]
        column = rng.randrange(len(line)) if line else 0
        lines[index] = line[:column] + rng.choice(["a", "_", " ", "(", ")", "'", "1", ":", "#", "é"]) + line[column:]
    elif roll < 0.65:
        lines.insert(index, rng.choice(SNIPPETS))
    elif roll < 0.8:
        del lines[index]
    elif roll < 0.9:
        start = rng.randrange(len(lines))
        end = min(len(lines), start + rng.randint(1, 15))
        block = lines[start:end]
        del lines[start:end]
        where = rng.randrange(len(lines) + 1)
        lines[where:where] = block
    else:
        lines[index] = lines[index].replace("yaml.load(", "yaml.safe_load(").replace("shell=True", "shell=False")
    return "".join(lines)


def parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return True


def check_edits(text: str, path: str, config: Config, steps: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    analyzer = IncrementalAnalyzer(path, config)
    modes = {"incremental": 0, "full": 0}
    assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
    valid, broken_for = text, 0
    for step in range(steps):
        candidate = mutate(text, rng)
        got = analyzer.analyze(candidate)
        modes[analyzer.stats.mode] += 1
        want = analyze_source(candidate, path, config)
        assert summary(got) == summary(want), f"step {step} ({analyzer.stats}) differs:\n{candidate}"
        if parses(candidate):
            text, valid, broken_for = candidate, candidate, 0
        elif broken_for < 2 and rng.random() < 0.5:
            text, broken_for = candidate, broken_for + 1  # keep typing in broken code for a moment
        else:
            text, broken_for = valid, 0  # ... then the syntax is fixed
    return modes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_on_realistic_modules(seed: int, tmp_path: Path) -> None:
    text = generate(450, seed=seed)
    config = Config(root=tmp_path)
    modes = check_edits(text, str(tmp_path / "app" / "views.py"), config, steps=40, seed=seed)
    assert modes["incremental"] > modes["full"], modes


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("**/*.py"))


@pytest.mark.skipif(not _fixtures(), reason="no fixture files")
def test_random_edits_on_every_fixture() -> None:
    files = _fixtures()
    rng = random.Random(7)
    for path in files:
        root = next((p for p in path.parents if p.parent.name == "fixtures" or p.name == "fixtures"), path.parent)
        config = Config(root=root)
        text = path.read_text(encoding="utf-8", errors="replace")
        check_edits(text, str(path), config, steps=5, seed=rng.randrange(1_000_000))


def test_moves_and_unchanged_text_reuse_work(tmp_path: Path) -> None:
    text = generate(400, seed=11)
    path = str(tmp_path / "svc.py")
    analyzer = IncrementalAnalyzer(path, Config(root=tmp_path))
    analyzer.analyze(text)
    lines = split_lines_keepends(text)
    middle = len(lines) // 2
    edited = "".join([*lines[:middle], "\n", *lines[middle:]])
    result = analyzer.analyze(edited)
    assert analyzer.stats.mode == "incremental"
    assert analyzer.stats.parsed_lines < 80, analyzer.stats
    assert summary(result) == summary(analyze_source(edited, path, Config(root=tmp_path)))
    analyzer.analyze(edited)
    assert analyzer.stats.rerun == 0


def test_line_splitting_matches_the_tokenizer() -> None:
    text = "a\r\nb\rc\x0cd\u2028e\n\nf"
    assert [line.rstrip("\r\n") for line in split_lines_keepends(text)] == split_lines(text)
    assert "".join(split_lines_keepends(text)) == text


def test_document_opened_with_syntax_errors_is_still_incremental(tmp_path: Path) -> None:
    lines = split_lines_keepends(generate(500, seed=4))
    broken = next(i for i, line in enumerate(lines) if "limit = int(" in line)
    lines[broken] = lines[broken].replace("int(", "int((")  # an unclosed call, left for later
    text = "".join(lines)
    path = str(tmp_path / "svc.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
    assert analyzer.stats.mode == "incremental" and analyzer.stats.broken
    for step in range(4):
        text = text.replace("def ", f"def v{step}_", 1)
        assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
        assert analyzer.stats.mode == "incremental"
        assert analyzer.stats.parsed_lines < 100
