"""The indexes the whole-file analysis reads instead of walking the tree again answer exactly as
the walks they replace: names by identifier, nodes in walk order, the taint definitions read
from the module's index, and the faster ``__init__`` of the frozen value types."""

from __future__ import annotations

import ast
import dataclasses
import pickle
from pathlib import Path

import pytest

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.finding import FlowStep, Span, StepKind
from secreview_ls.engine.frozen import fast_init
from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint.definitions import ModuleIndex
from secreview_ls.engine.taint.templates import unescaped_names, unescaped_writes
from secreview_ls.engine.taint.values import Label, Origin, Val, in_order

SOURCE = """
import os
from flask import request
x = 1
del x
x, y = 2, 3

def helper(a, b=None):
    global counter
    counter = a
    def inner():
        nonlocal_name = f"{a}{b}{a}"
        return nonlocal_name
    class Local:
        def method(self):
            return self
    return inner

class Base:
    def get(self):
        return request.args["q"]
    if os.name == "nt":
        def get(self):
            return 1
    def get(self):
        return 2

class Child(Base):
    @staticmethod
    def tool(value):
        return value
    class Nested:
        def deep(self):
            return os.environ["HOME"]

if __name__ == "__main__":
    def main():
        helper(1)
    try:
        main()
    except ValueError as error:
        def handler():
            return error
"""


def facts_of(text: str = SOURCE) -> ModuleFacts:
    return ModuleFacts(SourceFile(text, "example.py"))


def test_names_by_identifier_are_the_filtered_names_in_source_order() -> None:
    facts = facts_of()
    names = [n for n in facts.nodes(ast.Name) if isinstance(n, ast.Name)]
    uses = facts_of().name_uses()  # a fresh index: its names not yet sorted
    for identifier in {n.id for n in names}:
        loads = [n for n in names if n.id == identifier and isinstance(n.ctx, ast.Load)]
        stores = [n for n in names if n.id == identifier and not isinstance(n.ctx, ast.Load)]
        assert [(n.lineno, n.col_offset) for n in uses.loads(identifier)] == [(n.lineno, n.col_offset) for n in loads]
        assert [(n.lineno, n.col_offset) for n in uses.stores(identifier)] == [(n.lineno, n.col_offset) for n in stores]
        assert uses.is_stored(identifier) == bool(stores)
        assert sorted((n.lineno, n.col_offset) for n in uses.any_order_loads(identifier)) == sorted(
            (n.lineno, n.col_offset) for n in loads
        )
    assert set(uses.loaded()) == {n.id for n in names if isinstance(n.ctx, ast.Load)}
    assert uses.loads("missing") == () and uses.stores("missing") == ()
    assert not uses.any_order_loads("missing")


def test_nodes_in_walk_order_are_the_nodes() -> None:
    facts = facts_of()
    for node_type in (ast.Name, ast.Call, ast.Attribute, ast.Return, ast.arguments):
        assert sorted(map(id, facts.unordered(node_type))) == sorted(map(id, facts.nodes(node_type)))


def test_definitions_from_the_index_match_the_block_walk() -> None:
    facts = facts_of()
    walked = ModuleIndex(facts, {})  # the per-statement walk (what a document's memo keeps)
    indexed = ModuleIndex(facts, None)

    def shape(index: ModuleIndex) -> tuple[object, ...]:
        return (
            list(index.module_functions.items()),
            list(index.classes.items()),
            list(index.owner_class.items()),
            [(owner, list(found.items())) for owner, found in index.nested.items()],
            sorted(index.global_names),
        )

    assert shape(indexed) == shape(walked)
    base, child = indexed.classes["Base"], indexed.classes["Child"]
    first_get = next(n for n in base.body if isinstance(n, ast.FunctionDef) and n.name == "get")
    assert indexed.method(child, "get") is first_get  # through the base, the first of its name
    assert indexed.method(child, "tool") is not None and indexed.method(child, "missing") is None


def test_fast_init_keeps_the_dataclass_behaviour() -> None:
    span = Span(1, 2, 3, 4)
    origin = Origin("source", "`x`", span)
    label = Label(origin, frozenset({"sql"}))
    value = Val(frozenset({label}), (("'k'", Val(kind="k")),), "kind")
    assert value == Val(frozenset({label}), (("'k'", Val(kind="k")),), "kind")
    assert hash(label) == hash(Label(origin, frozenset({"sql"}), (FlowStep.of(StepKind.ASSIGNED, "x", span),)))
    assert dataclasses.replace(value, kind="other").kind == "other"
    assert pickle.loads(pickle.dumps(value)) == value
    assert Span(1, 2, 3, 4) < Span(1, 2, 3, 5)
    with pytest.raises(TypeError):
        Val(1, 2, 3, 4, 5)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.kind = "changed"  # type: ignore[misc]


def test_fast_init_refuses_what_it_cannot_reproduce() -> None:
    @dataclasses.dataclass
    class Plain:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = dataclasses.field(default_factory=list)

    for cls in (Plain, Factory):
        with pytest.raises(TypeError):
            fast_init(cls)


def test_labels_sort_by_origin_then_cleaning_whatever_the_keys_made_before() -> None:
    early, late = Span(1, 0, 1, 5), Span(2, 0, 2, 5)
    labels = [
        Label(Origin("source", "b", late)),
        Label(Origin("source", "a", early), frozenset({"sql", "cmd"})),
        Label(Origin("source", "a", early)),
    ]
    ordered = in_order(frozenset(labels))
    moved = labels[1].with_step(FlowStep.of(StepKind.ASSIGNED, "x", late))  # keeps the key made above
    assert [(lab.origin.text, sorted(lab.cleaned)) for lab in ordered] == [
        ("a", []),
        ("a", ["cmd", "sql"]),
        ("b", []),
    ]
    assert in_order(frozenset({moved, labels[0]})) == [moved, labels[0]]


def test_callee_names_kept_by_the_walk_are_the_import_maps() -> None:
    """``qualname`` of a callee answers from the walk's table what the import map answers, for
    every callee and every other node; facts given a shared import map keep no table."""
    for path in sorted((Path(__file__).parent / "fixtures").rglob("*.py"))[:60]:
        source = SourceFile(path.read_text(encoding="utf-8"), str(path))
        facts = ModuleFacts(source, "app")
        assert facts._callee_names is not None
        for node in ast.walk(source.tree):
            assert facts.qualname(node) == facts.imports.qualname(node), (path.name, ast.dump(node)[:80])
        shared = ModuleFacts(source, "app", imports=facts.imports)
        assert shared._callee_names is None


def test_assigned_call_is_the_first_module_level_assignment_of_a_call() -> None:
    facts = facts_of(
        "from flask import Flask\nimport fastapi\n"
        "app = 1\n"  # not a call
        "def f():\n    app = fastapi.FastAPI()\n"  # not module level
        "api = app = Flask(__name__)\n"
        "app = fastapi.FastAPI()\n"
        "x, y = make()\n"  # not a name target
    )
    app = facts.assigned_call("app")
    assert app is not None and facts.qualname(app.func) == "flask.Flask"
    assert facts.assigned_call("api") is app
    assert facts.assigned_call("x") is None and facts.assigned_call("f") is None


def test_a_text_without_an_expression_writes_nothing_unescaped() -> None:
    assert unescaped_writes("{% autoescape false %}<p>plain</p>{% endautoescape %}") == ()
    assert unescaped_names("SELECT * FROM t WHERE a = %s") == frozenset()
    assert unescaped_names("{% autoescape false %}{{ bio }}{% endautoescape %}") == {"bio"}
    assert unescaped_names("{{ bio|safe }}") == {"bio"}
