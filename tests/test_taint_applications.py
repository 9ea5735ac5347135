"""A summary applied again to the same arguments (a loop's later rounds) is answered from the
first application: the findings, their paths and the evidence are those of applying it anew."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from secreview_ls.config import Config
from secreview_ls.engine.taint.interprocedural import Interprocedural
from secreview_ls.pipeline import analyze_source

# Helpers whose summaries carry several parameter labels, applied in loops (rounds run until
# the state is unchanged), to request data, to parameters and to parts of containers.
SNIPPET = textwrap.dedent(
    """
    import os
    import subprocess
    from flask import request

    def quote(value):
        if isinstance(value, (list, tuple)):
            value = " ".join(quote(v) for v in value)
        elif value.startswith("-"):
            value = "'%s'" % value
        else:
            value = value.replace("\\n", " ").strip()
        return value

    def options(cnf, extra=None):
        res = ()
        for key, value in cnf.items():
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                parts = []
                for item in value:
                    parts.append(quote(item))
                value = " ".join(parts)
            res = res + ("-" + key, quote(value))
        return res

    def view():
        args = {"name": request.args["name"], "tags": request.args.getlist("tag")}
        line = ""
        for word in request.args.getlist("word"):
            line = line + " " + quote(word)
        subprocess.run("tool " + " ".join(options(args)) + line, shell=True)
        os.system(quote(request.form["cmd"]))

    def helper(cnf, kw):
        for _ in range(3):
            cnf = options(cnf) + options(kw)
        os.system(" ".join(cnf))
    """
)


def _result() -> tuple[list[tuple[object, ...]], list[str]]:
    result = analyze_source(SNIPPET, "app.py", Config())
    findings = [
        (f.rule_id, f.span.start_line, f.message, [(s.span.start_line, s.note) for s in f.flow])
        for f in result.findings
    ]
    return findings, [repr(record) for record in result.evidence]


@pytest.fixture
def applications() -> Iterator[list[int]]:
    """How many applications were answered from an earlier one, over the analysis."""
    answered: list[int] = []
    original = Interprocedural._substitute

    def counting(self, value, args, node, callee, *, returning, orders=None):  # type: ignore[no-untyped-def]
        if orders is None:
            key = self._application_key(value, args, node, callee, returning)
            if key is not None and key in self._applied:
                answered.append(1)
        return original(self, value, args, node, callee, returning=returning, orders=orders)

    Interprocedural._substitute = counting  # type: ignore[method-assign]
    try:
        yield answered
    finally:
        Interprocedural._substitute = original  # type: ignore[method-assign]


def test_applications_answered_again_give_what_applying_anew_gives(
    applications: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = _result()
    assert applications, "no application was answered from an earlier one"
    assert kept[0], "the snippet reports nothing"
    monkeypatch.setattr(Interprocedural, "_application_key", lambda *_args: None)
    assert _result() == kept
