"""The facts index and the import map walk the tree their own (faster) way; what they find
must be what the plain ``ast`` walks find, in the same order."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from secreview_ls.engine.facts import ModuleFacts, source_position, subtree
from secreview_ls.engine.names import ImportMap
from secreview_ls.engine.source import SourceFile

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))

# The same local name imported in many places: which import wins depends on the walk's order.
REBOUND = """
import json as codec
try:
    import pickle as codec
except ImportError:
    from marshal import loads as codec
else:
    import yaml as codec
finally:
    import shelve as codec
def f():
    import xml as codec
    class C:
        import csv as codec
        def g(self):
            from os import path as codec
match command:
    case 1:
        import zlib as codec
    case _:
        import bz2 as codec
while x:
    import lzma as codec
else:
    from . import sibling as codec
import subprocess as codec2
with open(p) as f:
    import gzip as codec
"""


def reference_aliases(tree: ast.Module, module_name: str) -> dict[str, str]:
    """The aliases an import map built on ``ast.walk``'s order would hold."""
    expected = ImportMap(ast.Module(body=[], type_ignores=[]), module_name)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            expected._collect(ast.Module(body=[node], type_ignores=[]))
    expected._collect_assigned_aliases(tree)  # ``_randombytes = os.urandom``: after every import
    return expected.aliases


# An ``except`` clause sits deeper than a function body: its import is seen after the function's.
EXCEPT_DEEPER = """\
import os.path
try:
    import json as os
except ImportError:
    from yaml import safe_load as os
else:
    import pickle as loads
finally:
    from . import helpers
def f():
    import subprocess as os
    from marshal import loads
    class C:
        import shelve as json
    return [x for x in os.listdir()]
match command:
    case [name]:
        from shlex import quote as name
    case _:
        import tempfile as quote
while True:
    with open(p) as fh:
        from pickle import loads as fh
if x:
    import ssl as helpers
"""


@pytest.mark.parametrize(
    ("text", "name", "winner"),
    [
        (REBOUND, "codec", "os.path"),  # the most deeply nested is visited last
        (EXCEPT_DEEPER, "os", "yaml.safe_load"),
    ],
)
def test_rebound_import_names_resolve_as_in_walk_order(text: str, name: str, winner: str) -> None:
    tree = ast.parse(text)
    imports = ImportMap(tree, "pkg.mod")
    assert list(imports.aliases.items()) == list(reference_aliases(tree, "pkg.mod").items())
    assert imports.aliases[name] == winner
    # Given the text, the statements whose lines do not spell ``import`` are passed over.
    with_text = ImportMap(tree, "pkg.mod", text=text)
    assert list(with_text.aliases.items()) == list(imports.aliases.items())


# Contexts and operators: one shared instance each, not indexed and given no parent.
SHARED = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def _reference_index(tree: ast.Module) -> tuple[dict[type, list[ast.AST]], dict[ast.AST, ast.AST]]:
    by_type: dict[type, list[ast.AST]] = defaultdict(list)
    parents: dict[ast.AST, ast.AST] = {}
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        by_type[type(node)].append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, SHARED):
                continue
            parents[child] = node
            stack.append(child)
    for nodes in by_type.values():
        nodes.sort(key=source_position)
    return dict(by_type), parents


def test_contexts_and_operators_are_shared_instances() -> None:
    """Why the index leaves them out: the parser gives every ``Load`` (every ``+``...) the
    same object, which therefore has no single parent."""
    tree = ast.parse("a + b\nc + d\nx = y == z\n")
    first, second = tree.body[0].value, tree.body[1].value  # type: ignore[attr-defined]
    assert first.op is second.op and first.left.ctx is second.right.ctx
    facts = ModuleFacts(SourceFile("a + b\nc + d\n", "m.py"), "m")
    assert not facts.nodes(ast.Add) and not facts.nodes(ast.Load)
    names = facts.nodes(ast.Name)
    assert [facts.parent(n) for n in names] == [
        facts.parent(names[0]),
        facts.parent(names[0]),
        facts.parent(names[2]),
        facts.parent(names[2]),
    ]


@pytest.mark.parametrize("path", [*FIXTURES[:40]], ids=lambda p: p.name)
def test_facts_index_matches_the_plain_walk(path: Path) -> None:
    source = SourceFile(path.read_text(encoding="utf-8"), str(path))
    facts = ModuleFacts(source, "app")
    by_type, parents = _reference_index(source.tree)
    assert set(facts._by_type) == set(by_type)
    for kind, nodes in by_type.items():
        assert [id(n) for n in facts._by_type[kind]] == [id(n) for n in nodes], kind.__name__
    assert facts.parents == parents
    assert ImportMap(source.tree, "app").aliases == reference_aliases(source.tree, "app")
    with_text = ImportMap(source.tree, "app", text=source.text).aliases
    assert list(with_text.items()) == list(reference_aliases(source.tree, "app").items())


_SHARED = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)


@pytest.mark.parametrize("path", [*FIXTURES[:40]], ids=lambda p: p.name)
def test_subtree_is_the_plain_walk_without_contexts_and_operators(path: Path) -> None:
    """``subtree`` finds every node ``ast.walk`` finds below a node but the shared contexts and
    operators (those questions never look for), each once: below each function, each
    comprehension and the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = [
        tree,
        *(
            n
            for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ListComp, ast.Lambda))
        ),
    ]
    for root in roots:
        expected = sorted(id(n) for n in ast.walk(root) if not isinstance(n, _SHARED))
        found = [id(n) for n in subtree(root)]
        assert sorted(found) == expected
        assert len(set(found)) == len(found)


def test_facts_index_sorts_rebound_module() -> None:
    source = SourceFile(REBOUND, "m.py")
    facts = ModuleFacts(source, "m")
    by_type, parents = _reference_index(source.tree)
    for kind, nodes in by_type.items():
        assert [id(n) for n in facts._by_type[kind]] == [id(n) for n in nodes]
    assert facts.parents == parents


# ``run = os.system`` is an alias only if ``run`` is bound nowhere else; given the text, the
# search for other bindings skips the statements not spelling the name. Each case rebinds it
# where a line-based skip could miss it: a decorator above its definition, a parameter on a
# continuation line, a spelling that normalizes to the name, other line ends.
REBOUND_ALIASES = [
    "import os\nrun = os.system\n@(run := wrap)\n\ndef f():\n    pass\n",
    "import os\nrun = os.system\nclass C:\n    @decorate(\n        run := 1)\n    def g(self):\n        pass\n",
    "import os\nrun = os.system\ndef f(a,\n      run=None):\n    return a\n",
    "import os\nrun = os.system\ndef f():\n    for x in y:\n        ｒｕｎ = x\n",
    "import os\rrun = os.system\rdef f():\r    run = 1\r",
    "import os\nrun = os.system\nlambda run: run\n",
    "import os\nrun = os.system\ndef f():\n    def run():\n        pass\n",
    "import os\nrun = os.system\ndef f():\n    return run('ls')\n",
    "import os\nrun = os.system\nx = 'ｒｕｎ'\n",
]


@pytest.mark.parametrize("text", REBOUND_ALIASES)
def test_assigned_aliases_with_the_text_match_the_whole_walk(text: str) -> None:
    source = SourceFile(text, "m.py")
    with_text = ImportMap(source.tree, "app", text=source.text).aliases
    assert with_text == ImportMap(source.tree, "app").aliases == reference_aliases(source.tree, "app")
    assert ("run" in with_text) == text.endswith(("return run('ls')\n", "x = 'ｒｕｎ'\n"))


def test_name_stores_are_the_names_not_read_in_source_order() -> None:
    text = "a = 1\ndel b\nfor c, d in e: f(g)\ndef h(i):\n    global j\n    j = [k for k in i]\n    return a\n"
    tree = ast.parse(text)
    facts = ModuleFacts(SourceFile(text, "m.py"), "m")
    uses = facts.name_uses()
    by_name = {name: list(uses.stores(name)) for name in "abcdefghijk"}
    assert all(found == sorted(found, key=source_position) for found in by_name.values())
    stores = sorted((n for found in by_name.values() for n in found), key=source_position)
    expected = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)),
        key=source_position,
    )
    assert [n.id for n in stores] == [n.id for n in expected] == ["a", "b", "c", "d", "j", "k"]


# Nodes of one type at the same position: a call of a call's result, an attribute of an
# attribute, the parts of an f-string (which share the string's position before Python 3.12).
SAME_POSITIONS = 'a.b.c(x)(y).d(z)\nf"{p}{q:>{w}}" + g(h(k), m=f"{r}")\nif f"{s}":\n    t.login(u, "v")\n'


@pytest.mark.parametrize("path", [None, *FIXTURES[:20]], ids=lambda p: p.name if p else "same positions")
def test_nodes_where_is_the_filtered_source_order(path: Path | None) -> None:
    text = SAME_POSITIONS if path is None else path.read_text(encoding="utf-8")
    for kind in (ast.Call, ast.Attribute, ast.Constant, ast.FormattedValue, ast.JoinedStr, ast.keyword, ast.arguments):
        for keep in (lambda n: True, lambda n: id(n) % 3 != 0):
            facts = ModuleFacts(SourceFile(text, "m.py"), "m")
            found = facts.nodes_where(kind, keep)  # before the whole list is sorted
            assert [id(n) for n in found] == [id(n) for n in facts.nodes(kind) if keep(n)], kind.__name__
            assert [id(n) for n in facts.nodes_where(kind, keep)] == [id(n) for n in found]  # and after
