"""Data that goes through decoders, encodings and in-memory buffers keeps (or loses) its taint."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import analyze_source

FIXTURES = Path(__file__).parent / "fixtures" / "taint"


def _findings(relative: str) -> dict[int, object]:
    path = FIXTURES / relative
    text = path.read_text(encoding="utf-8")
    result = analyze_source(text, str(path), Config(root=FIXTURES, select=("SR8",)), project=ProjectIndex([FIXTURES]))
    return {f.span.start_line: f for f in result.findings}


def _steps(finding) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(s.span.start_line, s.note) for s in finding.flow]


def test_string_buffer_write_then_getvalue_keeps_the_path() -> None:
    finding = _findings("xss/decoded_values.py")[65]
    steps = _steps(finding)
    assert steps[0] == (62, 'source: `request.args.getlist("item")`')
    assert (63, "written to `out`") in steps
    assert steps[-1] == (65, "reaches `return`: HTML response body returned from a view")


def test_base64_round_trip_restores_the_data() -> None:
    found = _findings("xss/decoded_values.py")
    assert 45 in found and 38 not in found
    assert _steps(found[45])[:3] == [
        (43, 'source: `request.args["t"]`'),
        (43, "assigned to `token`"),
        (44, "assigned to `restored`"),
    ]


def test_decoding_helper_in_another_module() -> None:
    found = _findings("sql/decoding/views.py")
    assert set(found) == {19, 32}
    other = [s for s in found[19].flow if s.path is not None]
    assert other and all(Path(s.path).name == "codec.py" for s in other)


def test_regex_pattern_from_a_view_reaches_a_helper_in_another_module() -> None:
    found = _findings("regex/finder/views.py")
    assert set(found) == {13}
    finding = found[13]
    assert finding.rule_id == "SR815" and finding.cwe == 1333
    assert _steps(finding)[0] == (13, 'source: `request.args["q"]`')
    other = [s for s in finding.flow if s.path is not None]
    assert other and other[-1].note == "reaches `re.search()`: regular expression pattern"
