"""``SourceFile.span`` / ``text_of`` and a few rule predicates are written out for speed; what
they give must be what their plain definitions (kept here) give, on every fixture and on
hand-made nodes (non-ASCII lines, missing end positions, lines out of range)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from secreview_ls.engine.finding import Span
from secreview_ls.engine.source import SourceFile
from secreview_ls.rules import secrets
from secreview_ls.rules.connection_strings import connection_strings

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))

NON_ASCII = """GREETING = "Grüß Gott — 😀 welcome"
def f(x="é"):
    return {"ü": x, "😀": f"{x!r} ø",
            "PASSWORD": "pässwörd", "ENGINE": "db.postgresql", "USER": "ä"}
psycopg2.connect("host=db user=ä password=s3cr3t-😀", dsn="x")
db.connect(conninfo="password=ümlaut", other="pwd=1")
"""


def plain_span(source: SourceFile, node: ast.AST) -> Span:
    """The definition ``SourceFile.span`` spells out."""
    lineno = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0)
    end_line = getattr(node, "end_lineno", None) or lineno
    end_col = getattr(node, "end_col_offset", None)
    if end_col is None:
        end_col = len(source.line(end_line).encode("utf-8"))
    return Span(lineno, source.col_to_chars(lineno, col), end_line, source.col_to_chars(end_line, end_col))


def plain_text_of(source: SourceFile, span: Span) -> str:
    if span.start_line == span.end_line:
        return source.line(span.start_line)[span.start_col : span.end_col]
    parts = [source.line(span.start_line)[span.start_col :]]
    parts.extend(source.line(n) for n in range(span.start_line + 1, span.end_line))
    parts.append(source.line(span.end_line)[: span.end_col])
    return "\n".join(parts)


def _sources() -> list[SourceFile]:
    return [SourceFile(NON_ASCII), *(SourceFile(path.read_text(encoding="utf-8")) for path in FIXTURES)]


def _made_nodes(lines: int) -> list[ast.AST]:
    """Nodes the analysis makes or moves: without end positions, or on lines past the text."""
    made: list[ast.AST] = [ast.Name(id="x", lineno=2, col_offset=3), ast.Name(id="x")]
    for start, end in ((0, 1), (1, lines + 2), (lines + 1, lines + 3), (lines + 3, 2), (3, 1), (-1, 2)):
        made.append(ast.Name(id="x", lineno=start, col_offset=1, end_lineno=end, end_col_offset=4))
        made.append(ast.Name(id="x", lineno=start, col_offset=1, end_lineno=end))
    return made


def test_span_and_segment_are_their_plain_definitions() -> None:
    checked = 0
    for source in _sources():
        for node in [*ast.walk(source.tree), *_made_nodes(len(source.lines))]:
            if not hasattr(node, "lineno") and not isinstance(node, ast.Name):
                continue
            span = source.span(node)
            assert span == plain_span(source, node)
            assert source.text_of(span) == plain_text_of(source, span)
            checked += 1
    assert checked > 10_000


@pytest.mark.parametrize(
    "span",
    [Span(0, 0, 2, 3), Span(2, 1, 99, 0), Span(99, 0, 100, 2), Span(5, 2, 3, 1), Span(3, 0, 3, 99), Span(1, 5, 6, 4)],
)
def test_text_of_spans_out_of_range(span: Span) -> None:
    source = SourceFile(NON_ASCII)
    assert source.text_of(span) == plain_text_of(source, span)


def _plain_may_pass_password_entry(call: ast.Call) -> bool:
    return any(secrets._PASSWORD_KEY.search(node.value) is not None for node in connection_strings(call))


def _plain_judged_entries(mapping: ast.Dict) -> list[tuple[ast.expr, str, str]]:
    judged = []
    for key, item in zip(mapping.keys, mapping.values, strict=False):
        name, value = secrets._string(key), secrets._string(item)
        if name and value is not None and secrets._judge(name, value):
            judged.append((item, name, value))
    return judged


def _plain_empty_database_password(mapping: ast.Dict) -> bool:
    entries: dict[str, str | None] = {}
    for key, value in zip(mapping.keys, mapping.values, strict=False):
        name = secrets._string(key)
        if name:
            entries[name] = secrets._string(value)
    engine = entries.get("ENGINE")
    return (
        engine is not None
        and "sqlite" not in engine.lower()
        and bool(entries.get("USER"))
        and "PASSWORD" in entries
        and entries["PASSWORD"] == ""
    )


MAPPINGS = """
a = {"ENGINE": "django.db.backends.postgresql", "USER": "app", "PASSWORD": ""}
b = {"ENGINE": "django.db.backends.sqlite3", "USER": "app", "PASSWORD": ""}
c = {"ENGINE": b"x", "USER": "app", "PASSWORD": ""}
d = {b"ENGINE": "pg", "USER": "app", "PASSWORD": ""}
e = {"ENGINE": "pg", "USER": "app", "PASSWORD": "", "ENGINE": "sqlite"}
f = {**base, "ENGINE": "pg", "USER": "app", "PASSWORD": ""}
g = {"": "x", "password": "hunter2-prod", 1: "y", "token": 3, "api_key": "", "secret": f"{x}"}
h = {"ENGINE": "pg", "USER": "", "PASSWORD": ""}
i = {ENGINE: "pg", "USER": "app", "PASSWORD": ""}
connect("host=db password=x", dsn="pwd = 1", conninfo=b"password=2", conn_str=name)
connect(f"password={x}", connstr="PassWord=3", other="pwd=4")
connect(**kw, dsn="password=5")
connect(*args, connection_string="x")
"""


def test_secret_rule_predicates_are_their_plain_definitions() -> None:
    sources = [SourceFile(MAPPINGS), *_sources()]
    seen = {"call": 0, "dict": 0, "entry": 0, "empty": 0, "judged": 0}
    for source in sources:
        for node in ast.walk(source.tree):
            if isinstance(node, ast.Call):
                expected = _plain_may_pass_password_entry(node)
                assert secrets._may_pass_password_entry(node) == expected
                seen["call"] += 1
                seen["entry"] += expected
            elif isinstance(node, ast.Dict):
                judged = _plain_judged_entries(node)
                assert secrets._judged_entries(node) == judged
                empty = _plain_empty_database_password(node)
                assert secrets._empty_database_password(node) == empty
                seen["dict"] += 1
                seen["empty"] += empty
                seen["judged"] += bool(judged)
    # the cases above reach every answer of each predicate
    assert seen["entry"] >= 5 and seen["empty"] >= 2 and seen["judged"] >= 1
    assert seen["call"] > seen["entry"] and seen["dict"] > seen["empty"]
