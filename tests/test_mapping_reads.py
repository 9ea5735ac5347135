"""The text test before the walk for names a function reads as a mapping never says no where
the walk says yes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint.mapping_reads import mapping_names, may_read_as_mapping

FIXTURES = Path(__file__).parent / "fixtures"


def _function(text: str) -> tuple[ast.AST, SourceFile]:
    source = SourceFile(text, "m.py")
    return next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)), source


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('    return doc["type"]\n', True),
        ("    return (doc)['type']\n", True),
        ("    return doc .get('id')\n", True),
        ("    for k, v in doc.items():\n        pass\n", True),
        ('    return (doc[  # the kind\n        "type"])\n', True),
        ('    return self.doc["type"]\n', False),
        ('    return docs["type"]\n', False),
        ("    return doc.split()\n", False),
    ],
)
def test_spellings_of_a_read_by_key(body: str, expected: bool) -> None:
    function, source = _function(f"def f(doc, docs, self):\n{body}")
    assert may_read_as_mapping(function, "doc", source.segment) is expected
    if not expected:
        assert "doc" not in mapping_names(function)


def test_every_name_the_walk_finds_passes_the_text_test() -> None:
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        source = SourceFile(text, str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                for name in mapping_names(node):
                    assert may_read_as_mapping(node, name, source.segment), (path, node.lineno, name)
                    checked += 1
    assert checked > 100
