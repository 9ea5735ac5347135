"""Taint-class policy is data: each class is a row of the taint tables, the SR8xx rules are built
from the rows, and what cleans a value for a class follows the row, not the engine's code."""

from __future__ import annotations

import ast
import dataclasses
import textwrap
from pathlib import Path

import pytest

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint import LINE_BREAKS_REMOVED, ModuleTaint, TaintClass, TaintSpec
from secreview_ls.rules import registry
from secreview_ls.rules.taint_tables import TAINT_CLASSES, build_spec

ENGINE_TAINT = Path(__file__).resolve().parents[1] / "secreview_ls" / "engine" / "taint"


def hits(text: str, spec: TaintSpec) -> list[tuple[str, int]]:
    facts = ModuleFacts(SourceFile(textwrap.dedent(text), "app.py"), "app")
    return [(hit.cls, hit.node.lineno) for hit in ModuleTaint(facts, spec).run()]  # type: ignore[attr-defined]


def with_row(spec: TaintSpec, class_id: str, **changes: object) -> TaintSpec:
    rows = tuple(dataclasses.replace(row, **changes) if row.id == class_id else row for row in spec.classes)
    return dataclasses.replace(spec, classes=rows)


def test_each_taint_rule_is_built_from_its_row() -> None:
    assert len(TAINT_CLASSES) == 22
    for row in TAINT_CLASSES:
        current = registry.get(row.rule_id)
        assert current is not None and current.taint
        assert (current.name, current.cwe, current.severity, current.confidence) == (
            row.rule_name,
            row.cwe,
            row.severity,
            row.confidence,
        )
        assert (current.summary, current.why, current.bad, current.good) == (row.summary, row.why, row.bad, row.good)


def test_line_breaks_removed_cleans_the_classes_whose_row_says_so() -> None:
    source = """
        import logging
        from flask import request

        def view():
            name = request.args["name"].replace("\\n", "")
            logging.info("user %s", name)
        """
    spec = build_spec()
    assert "log" in spec.cleaned_by(LINE_BREAKS_REMOVED)
    assert hits(source, spec) == []
    assert hits(source, with_row(spec, "log", cleaned_by=frozenset())) == [("log", 7)]


def test_view_return_sink_comes_from_the_spec() -> None:
    source = """
        from flask import Flask, request

        app = Flask(__name__)

        @app.route("/hello")
        def hello():
            return f"<b>{request.args['name']}</b>"
        """
    spec = build_spec()
    assert hits(source, spec) == [("xss", 8)]
    assert hits(source, dataclasses.replace(spec, return_sinks=())) == []


def test_local_sources_are_reported_for_the_classes_whose_row_says_so() -> None:
    source = """
        import sqlite3
        import sys

        sqlite3.connect("x").execute(sys.argv[1])
        """
    spec = build_spec()
    assert hits(source, spec) == [("sql", 5)]
    assert hits(source, with_row(spec, "sql", reports_local_sources=False)) == []


def test_a_configured_class_gets_a_row_of_its_own() -> None:
    spec = build_spec(extra_sinks=(("mail", ("myapp.send",)), ("cmd", ("myapp.run",))))
    assert [row.id for row in spec.classes].count("command") == 1
    assert spec.classes[-1] == TaintClass("mail", None, "mail injection")


def test_unknown_cleaning_behaviour_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown cleaning behaviours"):
        TaintClass("sql", 89, "SQL injection", cleaned_by=frozenset({"quoted"}))


def test_the_taint_engine_imports_nothing_above_the_engine() -> None:
    """From ``engine/taint/``, ``.`` is the package and ``..`` the engine; nothing reaches higher."""
    for path in sorted(ENGINE_TAINT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 2, path
                assert node.level or not (node.module or "").startswith("secreview_ls"), path
            elif isinstance(node, ast.Import):
                assert all(not alias.name.startswith("secreview_ls") for alias in node.names), path
