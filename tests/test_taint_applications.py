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

    def counting(self, value, args, node, callee, *, returning, orders=None, read=None):  # type: ignore[no-untyped-def]
        if orders is None:
            key = self._application_key(value, args, node, callee, returning)
            if key is not None and key in self._applied:
                answered.append(1)
        return original(self, value, args, node, callee, returning=returning, orders=orders, read=read)

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


# A summary value whose labels read several parts of the same arguments, some of them through
# a request object passed on (a read there is a source made at the call).
PARTS_SNIPPET = textwrap.dedent(
    """
    import os
    import subprocess
    from flask import request

    class Settings:
        def __init__(self, host, cmd):
            self.host = host
            self.cmd = cmd

    def pack(conf, req, extra):
        return {
            "both": conf.host + conf.cmd,
            "cmd": conf.cmd,
            "form": req.form["user"],
            "host": conf.host,
            "name": req.args["name"],
            "again": req.args["name"] + extra["k"],
            "extra": extra["k"],
            "other": extra["j"],
        }

    def view():
        conf = Settings(request.args["h"], "ls")
        packed = pack(conf, request, {"k": "safe", "j": request.args["j"]})
        os.system(packed["cmd"])
        os.system(packed["extra"])
        subprocess.run(packed["host"], shell=True)
        subprocess.run(packed["other"], shell=True)
        os.system("echo " + packed["name"])
        os.system(packed["form"])
    """
)


def _parts_result() -> tuple[list[tuple[object, ...]], list[str]]:
    result = analyze_source(PARTS_SNIPPET, "app.py", Config())
    findings = [
        (f.rule_id, f.span.start_line, f.message, [(s.span.start_line, s.note) for s in f.flow])
        for f in result.findings
        if f.rule_id.startswith("SR8")
    ]
    return findings, [repr(record) for record in result.evidence]


def test_parts_read_once_in_an_application_give_what_reading_them_anew_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: set[tuple[int, int, tuple[str, ...]]] = set()
    answered: list[int] = []
    original = Interprocedural._param_value

    def counting(self, args, origin, node=None, read=None):  # type: ignore[no-untyped-def]
        if read is not None:
            asked_here = (id(read), origin.index, origin.access)
            if asked_here in asked:
                answered.append(1)
            asked.add(asked_here)
        return original(self, args, origin, node, read)

    monkeypatch.setattr(Interprocedural, "_param_value", counting)
    kept = _parts_result()
    assert answered, "no part was read again in an application"
    lines = sorted(line for _, line, _, _ in kept[0])
    assert lines == [28, 29, 30, 31], kept[0]  # not the constant command, nor the constant extra
    monkeypatch.setattr(
        Interprocedural,
        "_param_value",
        lambda self, args, origin, node=None, read=None: original(self, args, origin, node),
    )
    assert _parts_result() == kept
