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
import itertools
import random
from collections.abc import Iterable
from pathlib import Path

import pytest

from secreview_ls.config import Config
from secreview_ls.engine.facts import CallBlocks, ModuleFacts
from secreview_ls.engine.names import ImportMap
from secreview_ls.engine.source import SourceFile, parse_quietly, split_lines
from secreview_ls.pipeline import AnalysisResult, analyze_source
from secreview_ls.pipeline.incremental import IncrementalAnalyzer, split_lines_keepends
from secreview_ls.pipeline.incremental.chunking import _needed_below, _parse_region
from secreview_ls.pipeline.incremental.linediff import diff_lines
from secreview_ls.rules.base import RuleContext
from secreview_ls.rules.judge import single_assignment

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
        sorted(map(repr, result.evidence)),
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
        parse_quietly(text)  # the fixtures' invalid escapes are not this test's to warn about
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


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_on_realistic_modules(seed: int, tmp_path: Path) -> None:
    text = generate(450, seed=seed)
    config = Config(root=tmp_path)
    modes = check_edits(text, str(tmp_path / "app" / "views.py"), config, steps=40, seed=seed)
    assert modes["incremental"] > modes["full"], modes


_METHODS = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(10))
REGISTRY = (
    "import os\n\nHOOKS = []\nTABLE = {'a': 'true'}\n\n\n"
    "def register(hook):\n    print(hook)\n\n\n"
    f"class Plugins:\n{_METHODS}    def add(self, name, code):\n        self.name = name\n\n\n"
    "def run_hooks():\n    for hook in HOOKS:\n        os.system(hook)\n    eval(TABLE['a'])\n"
)
# Statements that grow (or shadow) the module's containers, with unknown items or constants.
GROWTH = (
    "HOOKS.append(hook)",
    "HOOKS.append('ls')",
    "HOOKS.extend([hook])",
    "HOOKS.insert(0, 'pwd')",
    "TABLE[name] = code",
    "TABLE['b'] = 'false'",
    "TABLE.update(b=code)",
    "HOOKS = []",
)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_growth_of_module_containers_in_other_chunks(seed: int, tmp_path: Path) -> None:
    """Whether a module-level list or dict is a constant depends on every function (and
    method, and top-level statement) that grows it: adding and removing such statements in
    other chunks must re-judge the chunk that runs the items."""
    rng = random.Random(seed)
    path, config = str(tmp_path / "module.py"), Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    text = REGISTRY
    growths = {g.strip() for g in GROWTH}
    for step in range(30):
        lines = split_lines_keepends(text)
        grown = [i for i, line in enumerate(lines) if line.strip() in growths]
        if grown and rng.random() < 0.4:
            del lines[rng.choice(grown)]
        else:
            bodies = [i for i, line in enumerate(lines) if line.lstrip().startswith("def ") and i + 1 < len(lines)]
            at = rng.choice([*bodies, None])
            if at is None:  # a top-level statement
                lines.insert(3, rng.choice(GROWTH).replace("hook", "os.environ['HOOK']") + "\n")
            else:
                indent = lines[at + 1][: len(lines[at + 1]) - len(lines[at + 1].lstrip())]
                lines.insert(at + 1, indent + rng.choice(GROWTH) + "\n")
        text = "".join(lines)
        got = analyzer.analyze(text)
        assert summary(got) == summary(analyze_source(text, path, config)), f"step {step} ({analyzer.stats}):\n{text}"
        if step == 0:
            analyzer.prepare()


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("**/*.py"))


@pytest.mark.slow
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
    assert analyzer.stats.mode == "full" and analyzer.unprepared
    analyzer.prepare()
    assert not analyzer.unprepared and analyzer._chunks and any(c.broken for c in analyzer._chunks)
    for step in range(4):
        text = text.replace("def ", f"def v{step}_", 1)
        assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
        assert analyzer.stats.mode == "incremental"
        assert analyzer.stats.parsed_lines < 100


def _facts_answers(facts: ModuleFacts, nodes: list[ast.AST]) -> tuple[object, ...]:
    """Every answer of a facts object, with nodes named by their position in ``nodes``."""
    number = {id(node): index for index, node in enumerate(nodes)}

    def ids(found: Iterable[ast.AST]) -> list[int]:
        return [number.get(id(n), -1) for n in found]

    types = sorted({type(n) for n in nodes}, key=lambda t: t.__name__)
    identifiers = sorted({n.id for n in nodes if isinstance(n, ast.Name)} | {"nothing"})
    mixed = [
        (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
        (ast.Expr, ast.Assign, ast.Call),
        (ast.Name, ast.arguments),
    ]
    return (
        [ids(call for _, call in facts.calls_to(n)) for n in ("json.dumps", "builtins.open", "yaml.load", "nothing")],
        ids(facts.method_calls("get", "execute", "loads")),
        [ids(facts.nodes(t)) for t in types],
        [ids(facts.nodes(*combo)) for combo in mixed],
        [(name, ids(call for _, call in facts.calls_to(name))) for name in facts.call_names],
        ids(call for _, call in facts.calls_with_prefix("os.")),
        ids(facts.method_calls("get", "execute", "loads")),
        [ids([p] if (p := facts.parent(n)) is not None else []) for n in nodes],
        [ids(facts.ancestors(n)) for n in nodes],
        ids(facts.enclosing_statement(n) for n in nodes),
        ids(facts.functions),
        [
            (
                sorted(ids(facts.name_uses().any_order_loads(n))),  # asked first: not joined yet
                ids(facts.name_uses().loads(n)),
                ids(facts.name_uses().stores(n)),
                facts.name_uses().is_stored(n),
            )
            for n in identifiers
        ],
        sorted(facts.name_uses().loaded()),
    )


@pytest.mark.parametrize("seed", [5, 6])
def test_combined_facts_answer_like_facts_of_the_whole_module(seed: int) -> None:
    text = (
        generate(300, seed=seed)
        + "\nclass K:\n    x = [a for a in range(3)]\n    def m(self, *args): return lambda y: y\n"
    )
    tree = ast.parse(text)
    rng = random.Random(seed)
    groups: list[list[ast.stmt]] = [[]]
    for statement in tree.body:
        if groups[-1] and rng.random() < 0.4:
            groups.append([])
        groups[-1].append(statement)
    imports = ImportMap(tree, "app")
    parts = [ModuleFacts(_tree_source(ast.Module(body=g, type_ignores=[])), "app", imports=imports) for g in groups]
    root = ast.Module(body=list(tree.body), type_ignores=[])
    whole = ModuleFacts(_tree_source(root, text), "app", imports=imports)
    combined = ModuleFacts.combined(_tree_source(root, text), parts, imports, "app")
    shared = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)  # one instance each: not indexed
    nodes = [node for node in ast.walk(root) if not isinstance(node, shared)]
    assert _facts_answers(combined, nodes) == _facts_answers(whole, nodes)
    combined = ModuleFacts.combined(_tree_source(root, text), parts, imports, "app")
    assert combined.parents == whole.parents  # the merged map, as rules reading it directly see it
    assert _facts_answers(combined, nodes) == _facts_answers(whole, nodes)


def test_call_indexes_kept_between_versions_merge_as_the_parts_do() -> None:
    """``CallBlocks`` over versions whose parts come, go and are replaced: each call index the
    same as merging every part (keys in the same order, calls in the same order)."""
    text = generate(600, seed=9)
    tree = ast.parse(text)
    imports = ImportMap(tree, "app")

    def part(statements: list[ast.stmt]) -> ModuleFacts:
        return ModuleFacts(_tree_source(ast.Module(body=statements, type_ignores=[])), "app", imports=imports)

    pool = [part([statement]) for statement in tree.body]
    parts = list(pool)
    blocks = CallBlocks()
    rng = random.Random(9)
    for version in range(40):
        for index in ("_calls_by_attr", "_calls_by_name"):  # either may be asked first
            fresh = _merged(parts, index)
            kept = blocks.merged(parts, index)
            assert list(kept) == list(fresh), version
            assert all(kept[key] == calls for key, calls in fresh.items()), version
        where = rng.randrange(len(parts))
        roll = rng.random()
        if roll < 0.3:  # the edited part parsed again: a new object, the same calls
            parts[where] = part(list(parts[where].tree.body))
        elif roll < 0.5:  # a part edited into another one
            parts[where] = part(list(rng.choice(pool).tree.body))
        elif roll < 0.7:
            parts.insert(where, rng.choice(pool))
        elif roll < 0.9 and len(parts) > 1:
            del parts[where]
        else:
            parts = list(reversed(parts))  # every run changes
    assert any(len(calls) > 1 for calls in _merged(parts, "_calls_by_name").values())


def test_node_lists_kept_between_versions_are_the_parts_lists() -> None:
    """A combined module's nodes of a type (and of several types) read from ``CallBlocks`` runs
    kept between versions are every part's, in the same order, over versions whose parts come,
    go and are replaced, and whose class header's ``ClassDef`` list is replaced in place (as a
    class cut into segments gets a new node): a kept list holding it would be stale."""
    text = generate(2000, seed=11) + "\n\nclass Holder:\n    def first(self):\n        return 1\n"
    tree = ast.parse(text)
    imports = ImportMap(tree, "app")

    def part(statements: list[ast.stmt]) -> ModuleFacts:
        return ModuleFacts(_tree_source(ast.Module(body=statements, type_ignores=[])), "app", imports=imports)

    pool = [part([statement]) for statement in tree.body]
    headers = [p for p in pool if p.nodes(ast.ClassDef)]
    assert headers
    parts = list(pool)
    blocks = CallBlocks()
    asked = (
        (ast.Constant,),
        (ast.Call,),
        (ast.withitem,),  # no position: the parts last first
        (ast.ClassDef,),
        (ast.FunctionDef, ast.AsyncFunctionDef),
        (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
        (ast.If, ast.IfExp),
    )
    rng = random.Random(11)
    source = _tree_source(ast.Module(body=[], type_ignores=[]))
    for version in range(40):
        for renew in (False, True):  # the same parts again, a header's node replaced
            if renew:
                header = rng.choice(headers)
                (node,) = header.nodes(ast.ClassDef)
                renewed = ast.ClassDef(**{name: getattr(node, name) for name in node._fields})
                header._by_type[ast.ClassDef] = [renewed]
                header._mixed.clear()
            kept = ModuleFacts.combined(source, parts, imports, "app", blocks=blocks)
            fresh = ModuleFacts.combined(source, parts, imports, "app")
            for types in rng.sample(asked, len(asked)):  # in any order
                assert kept.nodes(*types) == fresh.nodes(*types), (version, types)
        where = rng.randrange(len(parts))
        roll = rng.random()
        if roll < 0.3:
            parts[where] = part(list(parts[where].tree.body))
        elif roll < 0.6:
            parts.insert(where, rng.choice(pool))
        elif roll < 0.9 and len(parts) > 1:
            del parts[where]
        else:
            parts = list(reversed(parts))


def _merged(parts: list[ModuleFacts], index: str) -> dict[str, list[ast.Call]]:
    merged: dict[str, list[ast.Call]] = {}
    for part in reversed(parts):
        for key, calls in getattr(part, index).items():
            merged.setdefault(key, []).extend(calls)
    return merged


def _tree_source(tree: ast.Module, text: str = "") -> SourceFile:
    source = SourceFile.__new__(SourceFile)
    source.text, source.path, source.lines, source.tree = text, "app.py", split_lines(text), tree
    source.notices, source.blanked_lines = [], frozenset()
    return source


def opened(tmp_path: Path, size: int, seed: int) -> tuple[IncrementalAnalyzer, list[str], str, Config]:
    """An analyzer that has seen a generated module once, and the module's lines."""
    text = generate(size, seed=seed)
    path = str(tmp_path / "svc.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    analyzer.analyze(text)
    analyzer.prepare()
    return analyzer, split_lines_keepends(text), path, config


def test_class_attribute_edit_reruns_only_its_class(tmp_path: Path) -> None:
    analyzer, lines, path, config = opened(tmp_path, 3000, seed=8)
    index = next(i for i, line in enumerate(lines) if line.startswith('    title: str = "'))
    lines[index] = lines[index].replace('title: str = "', 'title: str = "x', 1)
    edited = "".join(lines)
    assert summary(analyzer.analyze(edited)) == summary(analyze_source(edited, path, config))
    assert analyzer.stats.mode == "incremental"
    assert analyzer.stats.rerun <= 3, analyzer.stats  # not every class that also has a `title`


def test_unclosed_bracket_in_a_large_file_parses_only_around_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyzer, lines, path, config = opened(tmp_path, 3000, seed=9)
    index = next(i for i, line in enumerate(lines) if i > 200 and line.startswith("    payload = "))
    broken = "".join([*lines[:index], "    log.debug(\n", *lines[index:]])
    parsed: list[int] = []
    real_parse = ast.parse

    def counting_parse(source: str, *args: object, **kwargs: object) -> ast.Module:
        tree = real_parse(source, *args, **kwargs)  # type: ignore[arg-type]
        parsed.append(source.count("\n") - (len(source) - len(source.lstrip("\n"))))
        return tree

    monkeypatch.setattr(ast, "parse", counting_parse)
    got = analyzer.analyze(broken)
    monkeypatch.undo()
    assert analyzer.stats.mode == "incremental" and analyzer.stats.broken, analyzer.stats
    assert max(parsed) < 200, parsed  # no successful parse of the rest of the file
    assert summary(got) == summary(analyze_source(broken, path, config))
    fixed = broken.replace("    log.debug(\n", "    log.debug('x')\n", 1)
    assert summary(analyzer.analyze(fixed)) == summary(analyze_source(fixed, path, config))
    assert analyzer.stats.mode == "incremental"


OPENERS = (
    "log.debug(",
    "x = [",
    "d = {1: (",
    "call(a,",
    "y = (b for b in",
    "z = (lambda: (",
    "f(x, \\",
    "w = (  # open",
    "v = print(f'{x}'",
    "u = (x @",
    "s = fn(**{",
    "r = [x async",
    "q = (\n        a,\n        b,",
)


@pytest.mark.parametrize("opener", OPENERS)
def test_a_parse_cut_after_the_first_definition_below_an_open_bracket_fails_as_the_whole_text(opener: str) -> None:
    """``_needed_below``: the text down to a chunk that ends inside brackets, followed by the
    chunks below it up to the first one holding a definition, fails with the error of the
    whole text (message and place), wherever the region is."""
    extra = "\n\n@decorate(\n    1,\n)\nasync def late(a):\n    return [a]\n\n\nclass Late:\n    x = (1)\n"
    text = generate(600, seed=5) + extra
    lines = split_lines_keepends(text)
    chunks = _parse_region(lines, 1, len(lines), {})
    assert chunks is not None
    rng = random.Random(opener)
    checked = 0
    for index in rng.sample(range(len(chunks) - 1), 16):
        chunk = chunks[index]
        chunk_lines = split_lines_keepends(chunk.text)
        body = [i for i, line in enumerate(chunk_lines) if line.startswith("    ") and line.strip()]
        at = rng.choice(body) if body else len(chunk_lines)
        indent = "    " if body else ""
        region = "".join([*chunk_lines[:at], indent + opener + "\n", *chunk_lines[at:]])
        with pytest.raises(SyntaxError) as alone:
            parse_quietly(region)
        if not alone.value.msg.endswith("was never closed"):
            continue  # not a region ending inside brackets
        above = "".join(c.text for c in chunks[:index])
        below = "".join(c.text for c in chunks[index + 1 :])
        needed = _needed_below(chunks[index + 1 :], region, len(below))
        if needed is None:
            continue
        errors = []
        for cut in (len(below), needed):
            with pytest.raises(SyntaxError) as failed:
                parse_quietly(above + region + below[:cut])
            error = failed.value
            errors.append((type(error), error.msg, error.lineno, error.offset, error.end_lineno, error.end_offset))
        assert errors[0] == errors[1], (index, opener)
        checked += 1
    assert checked >= 4


def test_a_setting_made_in_another_function_reaches_every_extraction(tmp_path: Path) -> None:
    with_filter = (
        "import tarfile\n\n\ndef setup():\n    tarfile.extraction_filter = tarfile.data_filter\n\n\n"
        "def unpack(path):\n    with tarfile.open(path) as archive:\n        archive.extractall('out')\n"
    )
    without = with_filter.replace("tarfile.extraction_filter = tarfile.data_filter", "pass")
    path = str(tmp_path / "unpack.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    for step, text in enumerate((without, with_filter, without)):
        assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
        assert analyzer.stats.mode == ("full" if step == 0 else "incremental")


def _edited(rng: random.Random, text: str, pieces: list[str], most: int) -> str:
    """``text`` with one to three random spans of up to ``most`` characters replaced by up to
    ``most`` random pieces."""
    for _ in range(rng.randint(1, 3)):
        start = rng.randint(0, len(text))
        end = min(len(text), start + rng.randint(0, most))
        text = text[:start] + "".join(rng.choice(pieces) for _ in range(rng.randint(0, most))) + text[end:]
    return text


def test_line_diff_splits_like_the_tokenizer() -> None:
    rng = random.Random(3)
    pieces = ["a", "b", "\n", "\r", "\r\n", "x\n", "\u2028", "é"]
    for _ in range(3000):
        old = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        new = _edited(rng, old, pieces, 4)
        old_lines = split_lines_keepends(old)
        starts = list(itertools.accumulate(map(len, old_lines), initial=0))
        lines, prefix, suffix = diff_lines(old, old_lines, starts, new)
        assert lines == split_lines_keepends(new), (old, new)
        assert prefix + suffix <= min(len(old_lines), len(lines))
        assert (
            lines[:prefix] == old_lines[:prefix]
            and lines[len(lines) - suffix :] == old_lines[len(old_lines) - suffix :]
        )


def test_line_diff_without_offsets_finds_them_in_the_text() -> None:
    """Without the old version's line offsets, ``diff_lines`` finds what it needs by searching
    the old text (or lists them, with ``\\r`` in it): the same result as with the offsets."""
    rng = random.Random(5)
    pieces = ["a", "b", "\n", "x\n", "\n\n", "\u2028", "é", "\r", "\r\n"]
    for round_ in range(4000):
        usable = pieces if round_ % 4 == 0 else pieces[:-2]  # mostly texts without "\r"
        old = "".join(rng.choice(usable) for _ in range(rng.randint(0, 30)))
        new = _edited(rng, old, usable, 5)
        old_lines = split_lines_keepends(old)
        starts = list(itertools.accumulate(map(len, old_lines), initial=0))
        assert diff_lines(old, old_lines, None, new) == diff_lines(old, old_lines, starts, new), (old, new)


@pytest.mark.parametrize("inserted", ["        part = 1 + 0\n", "        a = 0\n        b = 0\n"])
def test_line_diff_leaves_out_the_line_below_an_insertion_at_the_same_indentation(inserted: str) -> None:
    """The common start holds the indentation of the line below the inserted lines (and the
    common end may hold the end of the line above): that line is still unchanged, so the change
    stays inside the method and does not reach the next one."""
    old = "class A:\n    def f(self):\n        zeros = 0\n        return zeros\n\n    def g(self):\n        pass\n"
    at = old.index("        return")
    new = old[:at] + inserted + old[at:]
    for before, after in ((old, new), (new, old)):
        before_lines = split_lines_keepends(before)
        starts = list(itertools.accumulate(map(len, before_lines), initial=0))
        lines, prefix, suffix = diff_lines(before, before_lines, starts, after)
        assert lines == split_lines_keepends(after)
        assert prefix == 3
        assert suffix == 4  # ``return zeros`` and below


def test_class_attributes_do_not_stand_for_module_names() -> None:
    text = "CMD = 'ls'\n\nclass A:\n    CMD = input()\n    used = CMD\n\ndef run():\n    return CMD\n"
    source = SourceFile(text, "m.py")
    facts = ModuleFacts(source, "m")
    ctx = RuleContext(source, facts)
    names = [n for n in facts.nodes(ast.Name) if isinstance(n.ctx, ast.Load) and n.id == "CMD"]  # type: ignore[attr-defined]
    in_class, in_function = names
    assert ast.unparse(single_assignment(ctx, in_class)) == "input()"  # type: ignore[arg-type]
    assert ast.unparse(single_assignment(ctx, in_function)) == "'ls'"  # type: ignore[arg-type]


@pytest.mark.parametrize("prepared", [True, False])
def test_open_is_one_whole_file_analysis_and_the_caches_come_after(tmp_path: Path, prepared: bool) -> None:
    text = generate(400, seed=6)
    path = str(tmp_path / "svc.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
    assert (analyzer.stats.mode, analyzer.stats.reason) == ("full", "first version")
    assert analyzer.unprepared
    if prepared:
        analyzer.prepare()  # what the server does once the first result is published
        assert not analyzer.unprepared
    edited = text.replace("def ", "def renamed_", 1)
    assert summary(analyzer.analyze(edited)) == summary(analyze_source(edited, path, config))
    assert analyzer.stats.mode == "incremental" and not analyzer.unprepared
    assert analyzer.stats.parsed_lines < 80, analyzer.stats
    analyzer.release()
    analyzer.analyze(edited)
    assert analyzer.stats.mode == "full" and analyzer.unprepared


def test_a_chunk_spelling_a_marker_without_a_suppression_does_not_decide_how_comments_are_read(
    tmp_path: Path,
) -> None:
    """``# noqa`` without codes, ``nosec`` in a name: no suppression, so whether such a chunk
    tokenizes is asked only once some chunk holds what looks like one; and a real one, in a
    file that does not tokenize (mid-edit), is read by the line scan as the whole file is."""
    head = 'import pickle\nimport subprocess\n\n\ndef a():\n    subprocess.call("ls " + input(), shell=True)  # noqa\n'
    head += "    nosecret = 1\n"
    loads = "\n\ndef b(x):\n    return pickle.loads(x)\n"
    marked = loads.replace("(x)\n", "(x)  # nosec\n")
    broken = "\n\ndef c(y):\n    return len(y\n"
    versions = [
        head + loads,
        head + marked,
        head + marked + broken,
        head + loads + broken,
        head + loads,
        head.replace("# noqa", "# noqa: S602") + loads,
    ]
    path = str(tmp_path / "m.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    for text in versions:
        assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
