"""Diagnostics kept from the last version are exactly what a fresh conversion gives."""

from __future__ import annotations

from lsprotocol.types import Diagnostic

from secreview_ls.config import Config
from secreview_ls.engine.finding import Finding
from secreview_ls.lsp.convert import ClientFeatures, DiagnosticCache, finding_to_diagnostic, to_json
from secreview_ls.lsp.positions import UTF16, split_lines_keepends
from secreview_ls.pipeline import analyze_source

SOURCE = """import subprocess
from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    name = request.args["name"]
    subprocess.run("ls " + name, shell=True)
    return eval(request.args["expr"])
"""
FEATURES = ClientFeatures()
# how a conversion names files, reads other files' lines and what the client supports
PLACES = {"uri_for": lambda p: f"file://{p}", "lines_for": lambda p: None, "features": FEATURES}


def convert(found: Finding, lines: list[str], version: int | None = None) -> Diagnostic:
    return finding_to_diagnostic(
        found,
        lines,
        UTF16,
        version=version,
        **PLACES,  # type: ignore[arg-type]
    )


def fresh(text: str, version: int) -> list[dict]:  # type: ignore[type-arg]
    lines = split_lines_keepends(text)
    return [to_json(convert(f, lines, version)) for f in analyze_source(text, "/srv/app/views.py", Config()).findings]


def cached(cache: DiagnosticCache, text: str, version: int) -> tuple[list, list[dict]]:  # type: ignore[type-arg]
    lines = split_lines_keepends(text)
    findings = analyze_source(text, "/srv/app/views.py", Config()).findings
    return cache.convert(
        findings,
        lines,
        UTF16,
        version=version,
        **PLACES,  # type: ignore[arg-type]
    )


def test_kept_diagnostics_equal_fresh_ones_at_every_version() -> None:
    cache = DiagnosticCache()
    versions = [
        SOURCE,
        SOURCE.replace("    return eval", "    log = 1\n    return eval"),  # lines move below the edit
        SOURCE.replace('name = request.args["name"]', 'name = request.args["né😀"]'),  # wider columns
        SOURCE,
    ]
    for version, text in enumerate(versions, start=1):
        objects, wire = cached(cache, text, version)
        assert wire == fresh(text, version)
        assert [to_json(d) for d in objects] == wire
        assert {d["data"]["version"] for d in wire} == {version}
        assert len(wire) >= 2


def test_unchanged_findings_reuse_their_diagnostic() -> None:
    cache = DiagnosticCache()
    first, _ = cached(cache, SOURCE, 1)
    second, _ = cached(cache, SOURCE, 2)
    assert [d.range is e.range for d, e in zip(first, second, strict=True)] == [True] * len(first)
    assert [d.data["version"] for d in second] == [2] * len(second)


FIXED = """import subprocess, yaml, requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    name = request.args["name"]
    subprocess.run("ls " + name, shell=True)
    data = yaml.load(open(name))
    requests.get(name, verify=False)
    return eval(request.args["expr"]), data
"""


def test_findings_moved_by_a_line_edit_reuse_their_diagnostic_moved() -> None:
    """A line inserted or deleted above findings (with data-flow steps and fixes) moves their
    diagnostics: equal to fresh ones, and not converted again unless their message changed."""
    import secreview_ls.lsp.convert as conversion

    made: list[object] = []
    real = conversion.finding_to_diagnostic

    def counting(*args: object, **kwargs: object) -> object:
        made.append(args[0])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    cache = DiagnosticCache()
    versions = [
        FIXED,
        FIXED.replace("app = Flask", "LIMIT = 3\napp = Flask"),  # every finding one line down
        FIXED.replace("app = Flask", "LIMIT = 3\n\n\napp = Flask"),  # three lines down
        FIXED.replace("app = Flask", "LIMIT = 3\n\n\napp = Flask").replace('"ls "', '"ls -l "'),  # one changes
        FIXED,  # back up
        FIXED + "\n\n\n",  # the end of the document moves, nothing else
    ]
    conversion.finding_to_diagnostic = counting  # type: ignore[assignment]
    try:
        for version, text in enumerate(versions, start=1):
            made.clear()
            objects, wire = cached(cache, text, version)
            assert wire == fresh(text, version)
            assert [to_json(d) for d in objects] == wire
            assert any("fix" in d["data"] for d in wire) and any(d.get("relatedInformation") for d in wire)
            if version > 1:  # only messages naming a line changed (the data-flow findings')
                assert len(made) < len(wire)
                assert all("(line " in f.message for f in made), version  # type: ignore[attr-defined]
    finally:
        conversion.finding_to_diagnostic = real  # type: ignore[assignment]


def test_a_moved_diagnostic_equals_the_conversion_of_the_moved_finding() -> None:
    """Every range moves: the diagnostic's, its data-flow steps' and its fix's edits'."""
    from secreview_ls.lsp.convert import _moved
    from secreview_ls.pipeline.incremental.chunks import shift_finding

    lines = split_lines_keepends(FIXED)
    below = ["\n"] * 3 + lines
    findings = analyze_source(FIXED, "/srv/app/views.py", Config()).findings

    assert any(f.flow for f in findings) and any(f.fix for f in findings)
    for found in findings:
        before = convert(found, lines)
        after = to_json(convert(shift_finding(found, 3), below))
        moved, json = _moved(before, to_json(before), 3)  # type: ignore[arg-type]
        assert to_json(moved) == after
        assert json == after


def test_a_published_result_makes_its_objects_from_its_json_s_diagnostics() -> None:
    from secreview_ls.engine.finding import Notice, Span
    from secreview_ls.lsp.results import to_published

    cache = DiagnosticCache()
    for version, text in enumerate([SOURCE, SOURCE.replace("    return eval", "    x = 1\n    return eval")], 2):
        lines = split_lines_keepends(text)
        findings = analyze_source(text, "/srv/app/views.py", Config()).findings
        notice = Notice("syntax-error", "invalid syntax", Span(2, 0, 2, 1), "/srv/app/views.py")
        published = to_published(
            findings,
            [notice],
            lines=lines,
            version=version,
            generation=0,
            encoding=UTF16,
            features=FEATURES,
            cache=cache,
        )
        assert [to_json(d) for d in published.diagnostics] == published.wire
        assert published.wire[:-1] == fresh(text, version)
        assert published.diagnostics[-1].code == "syntax-error"
        assert {d.data["version"] for d in published.diagnostics[:-1]} == {version}
