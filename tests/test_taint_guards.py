"""Checks with an early exit, escaping and constant values that keep a value out of a sink's
syntax, and the look-alikes that still report; with the data flow each finding shows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fixture_support import flow_steps, taint_findings

from secreview_ls.engine.taint.conversions import escapes_quote, numeric_struct_format, only_repr_fields

FIXTURES = Path(__file__).parent / "fixtures" / "taint"


def test_parent_reference_and_resolved_prefix_checks_with_an_exit() -> None:
    found = taint_findings("path/guarded_downloads.py")
    # ``..`` rejected before ``os.path.join`` (line 27): an absolute name still replaces the folder.
    assert set(found) == {19, 27, 59, 86}
    assert flow_steps(found[19]) == [
        (18, 'source: `request.args["name"]`'),
        (18, "assigned to `name`"),
        (19, "reaches `open()`: file path"),
    ]
    # The check that does not leave the function changes nothing.
    assert flow_steps(found[59])[0] == (56, 'source: `request.args["name"]`')
    assert (83, "assigned to `target`") in flow_steps(found[86])


def test_check_in_a_helper_of_another_module() -> None:
    found = taint_findings("path/vault/views.py")
    # ``read_checked`` rejects ``..`` only; ``read_relative`` rejects absolute names too.
    assert set(found) == {12, 22}
    assert flow_steps(found[22])[:2] == [(22, 'source: `request.args["name"]`'), (22, "passed to `read_plain()`")]
    other = [s for s in found[22].flow if s.path is not None]
    assert other and all(Path(s.path).name == "store.py" for s in other)
    assert other[-1].note == "reaches `open()`: file path"


def test_quote_rejected_or_doubled_stays_inside_the_literal() -> None:
    sql = taint_findings("sql/quoted_literals.py")
    assert set(sql) == {29, 37}
    assert flow_steps(sql[29]) == [
        (28, 'source: `request.args["name"]`'),
        (28, "assigned to `name`"),
        (29, "reaches `db.execute()`: SQL query"),
    ]
    xpath = taint_findings("xpath/quoted_names.py")
    assert set(xpath) == {13}
    assert xpath[13].rule_id == "SR809"


def test_parsed_url_alias_checked_for_host_and_scheme() -> None:
    found = taint_findings("ssrf/parsed_checks.py")
    assert set(found) == {15, 42}
    assert flow_steps(found[42]) == [
        (38, 'source: `request.args["url"]`'),
        (38, "assigned to `url`"),
        (42, "reaches `requests.get()`: request URL"),
    ]


def test_constant_choices_are_not_injection() -> None:
    found = taint_findings("sql/constant_choices.py")
    assert set(found) == {56, 77}
    assert flow_steps(found[56]) == [
        (55, 'source: `request.args["column"]`'),
        (55, "assigned to `column`"),
        (56, "reaches `db.execute()`: SQL query"),
    ]


def test_numbers_and_repr_carry_no_log_injection() -> None:
    found = taint_findings("log/frame_reader.py")
    assert set(found) == {26, 28, 30}
    assert (27, "assigned to `label`") in flow_steps(found[28])


def test_map_of_an_escaping_function_escapes_each_item() -> None:
    found = taint_findings("xss/django_mapped_escape.py")
    assert set(found) == {11, 16}
    assert flow_steps(found[11])[0] == (24, 'source: `request.GET["template"]`')


def test_django_helper_objects_and_looked_up_values_are_not_url_text() -> None:
    found = taint_findings("trust_boundary/django_login_objects.py")
    assert set(found) == {22, 29, 37, 42}  # the last in a helper that is not a view
    assert flow_steps(found[22]) == [
        (21, "source: URL parameter `choice`"),
        (22, 'assigned to `request.session["choice"]`'),
        (22, 'reaches `request.session["choice"] = …`: value stored in the session'),
    ]


@pytest.mark.parametrize(
    ("fmt", "numeric"),
    [('">I"', True), ('"!HH4x"', True), ('b"<q"', True), ('">4s"', False), ('"I10p"', False), ("fmt", False)],
)
def test_numeric_struct_formats(fmt: str, numeric: bool) -> None:
    assert numeric_struct_format(ast.parse(fmt, mode="eval").body) is numeric


@pytest.mark.parametrize(
    ("template", "only_repr"),
    [("name {!r}", True), ("{0!r} and {x!r}", True), ("name {}", False), ("{!r} {}", False), ("plain", False)],
)
def test_repr_only_templates(template: str, only_repr: bool) -> None:
    assert only_repr_fields(template) is only_repr


@pytest.mark.parametrize(
    ("old", "new", "escaped"),
    [
        ('"\'"', "\"''\"", True),
        ('"\'"', '""', True),
        ("'\"'", "'&quot;'", True),
        ('"\'"', '"\\\\\'"', False),
        ("'x'", "''", False),
    ],
)
def test_quote_escapes(old: str, new: str, escaped: bool) -> None:
    parse = lambda text: ast.parse(text, mode="eval").body  # noqa: E731
    assert escapes_quote(parse(old), parse(new)) is escaped


def test_redirect_checks_with_keywords_and_compound_conditions() -> None:
    found = taint_findings("redirect/checked_next.py")
    assert set(found) == {30, 36}
    assert flow_steps(found[30]) == [
        (27, 'source: `request.GET.get("next", "/")`'),
        (27, "assigned to `next_url`"),
        (30, "reaches `HttpResponseRedirect()`: redirect target"),
    ]


def test_declared_non_html_content_type_is_not_rendered() -> None:
    found = taint_findings("xss/raw_handler_types.py")
    assert set(found) == {12, 32, 37}
    assert flow_steps(found[37]) == [
        (37, "source: `self.path`"),
        (37, "reaches `self.wfile.write()`: HTTP response body"),
    ]
