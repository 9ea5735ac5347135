"""Diagnostics kept from the last version are exactly what a fresh conversion gives."""

from __future__ import annotations

from secreview_ls.config import Config
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


def fresh(text: str, version: int) -> list[dict]:  # type: ignore[type-arg]
    lines = split_lines_keepends(text)
    findings = analyze_source(text, "/srv/app/views.py", Config()).findings
    return [
        to_json(
            finding_to_diagnostic(
                f,
                lines,
                UTF16,
                version=version,
                uri_for=lambda p: f"file://{p}",
                lines_for=lambda p: None,
                features=FEATURES,
            )
        )
        for f in findings
    ]


def cached(cache: DiagnosticCache, text: str, version: int) -> tuple[list, list[dict]]:  # type: ignore[type-arg]
    lines = split_lines_keepends(text)
    findings = analyze_source(text, "/srv/app/views.py", Config()).findings
    return cache.convert(
        findings,
        lines,
        UTF16,
        version=version,
        uri_for=lambda p: f"file://{p}",
        lines_for=lambda p: None,
        features=FEATURES,
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
