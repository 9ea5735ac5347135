"""Recall of the taint rules: request objects through helpers, frameworks and sinks added as data.
The data-flow steps of representative findings."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import analyze_source

FIXTURES = Path(__file__).parent / "fixtures" / "taint"


def _findings(relative: str) -> dict[int, object]:
    path = FIXTURES / relative
    root = FIXTURES / Path(relative).parts[0]
    text = path.read_text(encoding="utf-8")
    result = analyze_source(text, str(path), Config(root=root, select=("SR8",)), project=ProjectIndex([root]))
    return {f.span.start_line: f for f in result.findings}


def _steps(finding) -> list[tuple[int, str, str | None]]:  # type: ignore[no-untyped-def]
    return [(s.span.start_line, s.note, Path(s.path).name if s.path else None) for s in finding.flow]


# -- request objects passed to project code ----------------------------------------------


def test_request_passed_to_a_helper_of_another_module_is_read_there() -> None:
    finding = _findings("command/reqhelpers/views.py")[25]
    assert finding.rule_id == "SR802"
    assert _steps(finding) == [
        (24, "source: `request.form` read by `get_param()`", None),
        (24, "passed to `get_param()`", None),
        (4, "parameter `request` of `get_param()`", "params.py"),
        (24, "returned from `get_param()`", None),
        (24, "assigned to `name`", None),
        (25, "reaches `os.system()`: shell command", None),
    ]


def test_a_helper_class_built_with_the_request_reads_it_in_its_methods() -> None:
    finding = _findings("command/reqhelpers/views.py")[39]
    steps = _steps(finding)
    assert steps[0] == (39, "source: request `values` read by `params.value()`", None)
    assert (42, "parameter `self` of `value()`", "params.py") in steps
    assert steps[-1] == (39, "reaches `os.system()`: shell command", None)


def test_a_helper_running_the_request_value_reports_at_the_call_with_its_sink() -> None:
    finding = _findings("command/reqhelpers/views.py")[52]
    steps = _steps(finding)
    assert steps[0] == (52, "source: `request.args` read by `run_from()`", None)
    assert steps[-1] == (27, "reaches `subprocess.run()`: command", "params.py")


def test_request_accessors_that_give_back_no_client_text_stay_quiet() -> None:
    found = _findings("command/reqhelpers/views.py")
    assert not set(found) & {58, 59, 64, 65, 66, 71, 72}


def test_same_module_helper_class_holding_the_request() -> None:
    finding = _findings("sql/request_passing.py")[65]
    steps = _steps(finding)
    assert steps[0] == (65, "source: request `POST` read by `filters.owner()`", None)
    assert steps[-1] == (65, "reaches `cursor.execute()`: SQL query", None)
