"""Request sources and response sinks of aiohttp, WebOb/Pyramid, http.server and Django class views:
the data-flow steps each finding carries."""

from __future__ import annotations

from pathlib import Path

from fixture_support import flow_steps, taint_findings

FIXTURES = Path(__file__).parent / "fixtures" / "taint"


def test_aiohttp_awaited_form_is_a_source() -> None:
    finding = taint_findings("command/aiohttp_jobs.py")[31]
    assert flow_steps(finding) == [
        (30, "source: `request.post`"),
        (30, "assigned to `form`"),
        (31, "reaches `subprocess.run()`: command"),
    ]


def test_aiohttp_route_capture_crosses_into_a_helper_module() -> None:
    finding = taint_findings("command/aioservice/views.py")[10]
    steps = flow_steps(finding)
    assert steps[0] == (9, 'source: `request.match_info["folder"]`')
    assert steps[1] == (9, "assigned to `folder`")
    other = [s for s in finding.flow if s.path is not None]
    assert other and all(Path(s.path).name == "archive.py" for s in other)
    assert other[-1].note == "reaches `subprocess.run()`: command"


def test_webob_request_of_a_wsgify_view_is_a_source() -> None:
    finding = taint_findings("sql/pyramid_views.py")[52]
    assert flow_steps(finding) == [
        (50, 'source: `req.GET["owner"]`'),
        (50, "assigned to `owner`"),
        (52, "reaches `cursor.execute()`: SQL query"),
    ]


def test_http_server_wfile_write_is_the_response_body() -> None:
    finding = taint_findings("xss/raw_handler_pages.py")[25]
    assert finding.rule_id == "SR806"
    assert flow_steps(finding)[0] == (22, "source: `self.rfile`")
    assert flow_steps(finding)[-1][1] == "reaches `self.wfile.write()`: HTTP response body"


def test_django_rest_framework_request_data_in_a_class_view() -> None:
    finding = taint_findings("path/django_class_views.py")[32]
    assert flow_steps(finding)[0] == (31, 'source: `request.data["target"]`')
