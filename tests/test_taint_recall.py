"""Recall of the taint rules: request objects through helpers, frameworks and sinks added as data.
The data-flow steps of representative findings."""

from __future__ import annotations

from pathlib import Path

from fixture_support import flow_steps, taint_findings

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import analyze_source

FIXTURES = Path(__file__).parent / "fixtures" / "taint"


# -- request objects passed to project code ----------------------------------------------


def test_request_passed_to_a_helper_of_another_module_is_read_there() -> None:
    finding = taint_findings("command/reqhelpers/views.py", own_folder=True)[25]
    assert finding.rule_id == "SR802"
    assert flow_steps(finding, files=True) == [
        (24, "source: `request.form` read by `get_param()`", None),
        (24, "passed to `get_param()`", None),
        (4, "parameter `request` of `get_param()`", "params.py"),
        (24, "returned from `get_param()`", None),
        (24, "assigned to `name`", None),
        (25, "reaches `os.system()`: shell command", None),
    ]


def test_a_helper_class_built_with_the_request_reads_it_in_its_methods() -> None:
    finding = taint_findings("command/reqhelpers/views.py", own_folder=True)[39]
    steps = flow_steps(finding, files=True)
    assert steps[0] == (39, "source: request `values` read by `params.value()`", None)
    assert (42, "parameter `self` of `value()`", "params.py") in steps
    assert steps[-1] == (39, "reaches `os.system()`: shell command", None)


def test_a_helper_running_the_request_value_reports_at_the_call_with_its_sink() -> None:
    finding = taint_findings("command/reqhelpers/views.py", own_folder=True)[52]
    steps = flow_steps(finding, files=True)
    assert steps[0] == (52, "source: `request.args` read by `run_from()`", None)
    assert steps[-1] == (27, "reaches `subprocess.run()`: command", "params.py")


def test_request_accessors_that_give_back_no_client_text_stay_quiet() -> None:
    found = taint_findings("command/reqhelpers/views.py", own_folder=True)
    assert not set(found) & {58, 59, 64, 65, 66, 71, 72}


def test_same_module_helper_class_holding_the_request() -> None:
    finding = taint_findings("sql/request_passing.py", own_folder=True)[65]
    steps = flow_steps(finding, files=True)
    assert steps[0] == (65, "source: request `POST` read by `filters.owner()`", None)
    assert steps[-1] == (65, "reaches `cursor.execute()`: SQL query", None)


# -- sinks added as data -----------------------------------------------------------------


def test_file_existence_probe_is_low_severity_path_traversal() -> None:
    finding = taint_findings("file_probe/flask_probes.py", own_folder=True)[19]
    assert (finding.rule_id, finding.cwe, str(finding.severity)) == ("SR816", 22, "low")
    assert flow_steps(finding, files=True) == [
        (18, 'source: `request.args["name"]`', None),
        (18, "assigned to `name`", None),
        (19, "reaches `os.path.exists()`: path checked for existence", None),
    ]


def test_file_probe_through_a_helper_of_another_module() -> None:
    finding = taint_findings("file_probe/storage/views.py", own_folder=True)[12]
    assert finding.rule_id == "SR816"
    assert flow_steps(finding, files=True)[-1] == (
        9,
        "reaches `os.path.exists()`: path checked for existence",
        "checks.py",
    )


def test_location_header_set_by_hand_is_an_open_redirect() -> None:
    found = _all("redirect/location_headers.py")
    # Werkzeug refuses a header value holding a line break: an open redirect, no header injection
    assert {f.rule_id for f in found if f.span.start_line == 16} == {"SR807"}
    assert {f.rule_id for f in found if f.span.start_line == 44} == set()  # a path on this site
    finding = next(f for f in found if f.span.start_line == 80 and f.rule_id == "SR807")
    assert flow_steps(finding, files=True)[0] == (78, "source: `self.path`", None)
    assert flow_steps(finding, files=True)[-1] == (
        80,
        "reaches `self.send_header()`: redirect target (Location header)",
        None,
    )


def test_tainted_session_key_crosses_the_trust_boundary() -> None:
    found = taint_findings("trust_boundary/session_keys.py", own_folder=True)
    assert found[20].rule_id == "SR814"
    assert flow_steps(found[20], files=True) == [
        (19, 'source: `request.form["name"]`', None),
        (19, "assigned to `name`", None),
        (20, 'reaches `session[f"pref_{name}"] = …`: key of a session entry', None),
    ]
    assert flow_steps(found[62], files=True)[-1] == (
        62,
        "reaches `self.request.session[step] = …`: key of a session entry",
        None,
    )
    assert not set(found) & {31, 38, 45, 55, 71}


def test_mongo_where_clause_is_nosql_injection_and_plain_fields_are_not() -> None:
    found = taint_findings("nosql/mongo_views.py", own_folder=True)
    assert (found[18].rule_id, found[18].cwe) == ("SR817", 943)
    assert flow_steps(found[18], files=True)[-1] == (18, "reaches `users.find_one()`: MongoDB query document", None)
    assert 25 not in found and 43 not in found and 88 not in found


def test_dynamodb_condition_objects_are_not_expression_text() -> None:
    found = taint_findings("nosql/dynamo_views.py", own_folder=True)
    assert found[16].rule_id == "SR817"
    assert not set(found) & {22, 31, 44, 63}


def test_template_compiled_from_input_is_ssti() -> None:
    finding = taint_findings("template/flask_templates.py", own_folder=True)[32]
    assert (finding.rule_id, finding.cwe) == ("SR818", 1336)
    assert flow_steps(finding, files=True) == [
        (31, 'source: `request.form["layout"]`', None),
        (31, "assigned to `layout`", None),
        (32, "reaches `Template()`: template source (server-side template injection)", None),
    ]


def test_pandas_query_of_input_is_code_injection() -> None:
    finding = taint_findings("code/evaluators.py", own_folder=True)[39]
    assert finding.rule_id == "SR803"
    assert flow_steps(finding, files=True)[-1] == (39, "reaches `SALES.query()`: expression evaluated by pandas", None)


def test_urlopen_names_the_file_scheme() -> None:
    finding = taint_findings("ssrf/url_openers.py", own_folder=True)[14]
    assert finding.rule_id == "SR805"
    assert "file://" in flow_steps(finding, files=True)[-1][1]


def test_elementpath_and_lxml_evaluators_are_xpath_sinks() -> None:
    found = taint_findings("xpath/engines.py", own_folder=True)
    assert flow_steps(found[41], files=True)[-1] == (41, "reaches `search()`: XPath expression", None)
    assert found[26].rule_id == "SR809"
    assert not set(found) & {32, 47, 60, 71}


# -- frameworks ---------------------------------------------------------------------------


def test_django_class_view_reads_self_request_in_any_method() -> None:
    finding = taint_findings("path/django_cbv_self.py", own_folder=True)[32]
    assert flow_steps(finding, files=True) == [
        (31, 'source: `self.request.GET["folder"]`', None),
        (31, "assigned to `folder`", None),
        (32, "reaches `os.listdir()`: file path", None),
    ]
    assert flow_steps(taint_findings("path/django_cbv_self.py", own_folder=True)[26], files=True)[0] == (
        25,
        'source: `self.kwargs["key"]`',
        None,
    )


def test_falcon_responder_request_is_a_source() -> None:
    finding = taint_findings("sql/falcon_resources.py", own_folder=True)[13]
    assert flow_steps(finding, files=True)[0] == (12, "source: `req.get_param`", None)
    assert 22 not in taint_findings("sql/falcon_resources.py", own_folder=True)


def test_bottle_route_capture_and_request_are_sources() -> None:
    found = taint_findings("command/bottle_app.py", own_folder=True)
    assert flow_steps(found[26], files=True)[0] == (25, "source: route parameter `domain`", None)
    assert flow_steps(found[42], files=True)[0] == (41, 'source: `request.params["target"]`', None)
    assert 31 not in found


def test_tornado_json_dict_is_not_html_but_a_string_is() -> None:
    found = taint_findings("xss/tornado_json.py", own_folder=True)
    assert 10 not in found and 16 not in found
    assert found[20].rule_id == "SR806"
    assert flow_steps(taint_findings("redirect/tornado_redirects.py", own_folder=True)[10], files=True)[-1] == (
        10,
        "reaches `self.redirect()`: redirect target",
        None,
    )


def test_fastapi_header_and_cookie_parameters_are_sources() -> None:
    found = taint_findings("ssrf/starlette_more.py", own_folder=True)
    assert flow_steps(found[43], files=True)[0] == (42, "source: request parameter `x_upstream`", None)
    assert 58 not in found and 63 not in found


def _all(relative: str) -> list:  # type: ignore[type-arg]
    path = FIXTURES / relative
    root = FIXTURES / Path(relative).parts[0]
    text = path.read_text(encoding="utf-8")
    return analyze_source(text, str(path), Config(root=root, select=("SR8",)), project=ProjectIndex([root])).findings


def test_exception_text_in_a_view_is_a_template_source_only() -> None:
    found = taint_findings("template/error_pages.py", own_folder=True)
    assert flow_steps(found[23], files=True) == [
        (22, "source: text of exception `error`", None),
        (23, "reaches `render_template_string()`: template source (server-side template injection)", None),
    ]
    assert set(found) == {23}  # logged, run as an argument, rendered as a variable: quiet


def test_tornado_handler_passed_to_a_helper_is_read_there() -> None:
    found = taint_findings("command/tornado_helpers.py", own_folder=True)
    assert flow_steps(found[19], files=True)[0] == (18, "source: `self.get_argument` read by `argument()`", None)
    assert 23 not in found
    assert found[26].rule_id == "SR819"  # one argument of a fixed program: an option, not a command line


def test_helper_class_of_another_module_fetching_with_the_request() -> None:
    found = taint_findings("ssrf/fetchpkg/views.py", own_folder=True)
    assert flow_steps(found[26], files=True)[0] == (26, "source: request `form` read by `source.url()`", None)
    assert flow_steps(found[31], files=True)[-1] == (30, "reaches `requests.get()`: request URL", "inputs.py")
    assert not set(found) & {36, 41, 47}


def test_tornado_request_attributes_are_sources_by_name() -> None:
    found = taint_findings("command/tornado_handlers.py", own_folder=True)
    assert flow_steps(found[20], files=True)[0] == (20, "source: `self.request.body`", None)
    assert flow_steps(found[24], files=True)[0] == (23, 'source: `self.request.arguments["flag"]`', None)
    assert 53 not in found  # the peer's address and the method are not the client's text


# -- template files ---------------------------------------------------------------------------


def test_variable_a_template_file_writes_with_safe_is_xss_at_the_render_call() -> None:
    found = taint_findings("xss/templated/views.py", own_folder=True)
    assert flow_steps(found[13], files=True) == [
        (16, 'source: `request.args["bio"]`', None),
        (16, "passed to `render_template()`", None),
        (2, "reaches `{{ bio|safe }}`: HTML written unescaped by template `profile.html` (|safe)", "profile.html"),
    ]
    assert flow_steps(found[52], files=True)[-1] == (
        2,
        "reaches `{{ note }}`: HTML written unescaped by template `django_note.html` (autoescape off)",
        "django_note.html",
    )
    assert set(found) == {
        13,
        38,
        52,
        60,
        66,
        77,
        83,
        88,
        101,
    }  # escaped variables, cleaned values, a missing template: quiet


def test_the_flow_ends_at_the_write_in_the_template_file() -> None:
    """One finding at the render call whose last step is located in the template's own text."""
    finding = taint_findings("xss/templated/views.py", own_folder=True)[38]
    template = FIXTURES / "xss" / "templated" / "templates" / "legacy.html"
    last = finding.flow[-1]
    assert Path(last.path) == template.resolve()
    line = template.read_text(encoding="utf-8").splitlines()[last.span.start_line - 1]
    assert line[last.span.start_col : last.span.end_col] == "{{ body }}"
    assert [s.path for s in finding.flow[:-1]] == [None, None, None]  # the view's own steps
    assert finding.message.startswith('`request.form["body"]` (line 37) reaches `{{ body }}` (line 3 of legacy.html)')


def test_unescaped_writes_are_located_in_the_template_text() -> None:
    from secreview_ls.engine.taint.templates import unescaped_writes

    text = "<p>é{{ a|safe }}</p>\r\n{% autoescape off %}\n  {{ b.c }} {{ a }}\n{% endautoescape %}{{ d }}"
    writes = [
        (w.name, w.span.start_line, w.span.start_col, w.span.end_col, w.text, w.why) for w in unescaped_writes(text)
    ]
    assert writes == [
        ("a", 1, 4, 16, "{{ a|safe }}", "|safe"),
        ("b", 3, 2, 11, "{{ b.c }}", "autoescape off"),
        ("a", 3, 12, 19, "{{ a }}", "autoescape off"),
    ]


def test_unescaped_names_of_jinja_and_django_templates() -> None:
    from secreview_ls.engine.taint.templates import unescaped_names

    text = "{{ a|safe }} {{ b }} {%- autoescape false -%}{{ c }}{% endautoescape %} {% autoescape off %}{{ d.x }}{% endautoescape %} {{ e | striptags }}"
    assert unescaped_names(text) == {"a", "c", "d"}
    assert unescaped_names("{{ safe_value }} {{ x|safeish }}") == frozenset()


def test_template_files_are_not_read_without_a_project_index() -> None:
    path = FIXTURES / "xss" / "templated" / "views.py"
    result = analyze_source(path.read_text(encoding="utf-8"), str(path), Config(root=FIXTURES / "xss", select=("SR8",)))
    assert not [f for f in result.findings if f.rule_id == "SR806"]


def test_a_template_edit_is_seen_by_the_next_version_of_the_view(tmp_path: Path) -> None:
    """The memo replays a view's recorded analysis only while its templates read the same."""
    from secreview_ls.pipeline import IncrementalAnalyzer

    view = tmp_path / "views.py"
    text = (
        "from flask import render_template, request\n\n\n"
        "def page():\n    return render_template('page.html', bio=request.args['bio'])\n\n\n"
        "def other():\n    return 1\n"
    )
    view.write_text(text, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ bio|safe }}</p>\n", encoding="utf-8")
    analyzer = IncrementalAnalyzer(
        str(view), Config(root=tmp_path, select=("SR806",)), project=ProjectIndex([tmp_path])
    )
    memo = analyzer.taint_memo
    assert [f.rule_id for f in analyzer.analyze(text).findings] == ["SR806"]
    versions = iter(range(2, 100))

    def edited() -> str:  # a change in ``other`` only: ``page`` is replayed while it may be
        return text.replace("return 1", f"return {next(versions)}")

    assert [f.rule_id for f in analyzer.analyze(edited()).findings] == ["SR806"]
    assert memo.replayed >= 1  # type: ignore[union-attr]
    page.write_text("<p>{{ bio }}</p>\n", encoding="utf-8")
    assert analyzer.analyze(edited()).findings == []
    page.write_text("<div>\n  {{ bio|safe }}</div>\n", encoding="utf-8")
    (found,) = analyzer.analyze(edited()).findings
    assert (found.flow[-1].span.start_line, found.flow[-1].span.start_col) == (2, 2)


# -- template files seen from their own side ---------------------------------------------------


def _template_project(root: Path, views: dict[str, str], page: str) -> Path:
    (root / "web" / "templates").mkdir(parents=True)
    template = root / "web" / "templates" / "page.html"
    template.write_text(page, encoding="utf-8")
    for name, text in views.items():
        (root / "web" / name).write_text(text, encoding="utf-8")
    return template


VIEW = (
    "from flask import render_template, request\n\n\n"
    "def page():\n    return render_template('page.html', title='Hi', bio=request.args['bio'])\n"
)


def test_an_open_template_gets_the_findings_of_the_views_rendering_it(tmp_path: Path) -> None:
    from secreview_ls.pipeline import analyze_template

    other = VIEW.replace("def page", "def other")
    quiet = VIEW.replace("request.args['bio']", "'<b>fixed</b>'")
    elsewhere = VIEW.replace("page.html", "other.html")
    template = _template_project(
        tmp_path,
        {"views.py": VIEW, "more.py": other, "quiet.py": quiet, "elsewhere.py": elsewhere},
        "<h1>{{ title|safe }}</h1>\n<p>\n  {{ bio|safe }}</p>\n",
    )
    text = template.read_text(encoding="utf-8")
    config = Config(root=tmp_path)
    (found,) = analyze_template(text, str(template), config, project=ProjectIndex([tmp_path])).findings
    assert found.rule_id == "SR806" and found.path == str(template)
    assert (found.span.start_line, found.span.start_col, found.span.end_col) == (3, 2, 16)
    assert found.message == (
        "`request.args['bio']` (line 5 of more.py) is written here without escaping, rendered by line 5 of "
        "more.py (and by 1 other view: views.py): cross-site scripting"
    )
    assert [(Path(s.path).name if s.path else None, s.span.start_line) for s in found.flow] == [
        ("more.py", 5),
        ("more.py", 5),
        (None, 3),
    ]
    assert found.fingerprint
    assert analyze_template(text, str(template), config).findings == []  # no index: no views


def test_a_template_finding_is_suppressed_in_the_template_or_in_the_view(tmp_path: Path) -> None:
    from secreview_ls.pipeline import analyze_template

    template = _template_project(tmp_path, {"views.py": VIEW}, "<p>{{ bio|safe }}</p>\n")
    project = ProjectIndex([tmp_path])
    config = Config(root=tmp_path)
    assert (
        len(analyze_template(template.read_text(encoding="utf-8"), str(template), config, project=project).findings)
        == 1
    )
    suppressed = "<p>{{ bio|safe }}</p>  {# secreview: ignore[SR806] -- bio is sanitized on save #}\n"
    assert analyze_template(suppressed, str(template), config, project=project).findings == []
    view = tmp_path / "web" / "views.py"
    view.write_text(VIEW.replace("['bio'])", "['bio'])  # nosec SR806 -- sanitized on save"), encoding="utf-8")
    assert analyze_template(template.read_text(encoding="utf-8"), str(template), config, project=project).findings == []


def test_a_helper_of_another_file_rendering_the_template_follows_its_edits(tmp_path: Path) -> None:
    """The flow goes view → helper module → template file; the helper's cached summary is
    dropped with the template it read."""
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "p.html"
    page.write_text("<p>{{ bio|safe }}</p>\n", encoding="utf-8")
    (tmp_path / "helpers.py").write_text(
        "from flask import render_template\n\n\ndef show(value):\n    return render_template('p.html', bio=value)\n",
        encoding="utf-8",
    )
    view = tmp_path / "views.py"
    view.write_text(
        "from flask import request\n\nfrom helpers import show\n\n\ndef page():\n    return show(request.args['bio'])\n"
    )
    project = ProjectIndex([tmp_path])
    config = Config(root=tmp_path, select=("SR806",))

    def findings() -> list:  # type: ignore[type-arg]
        return analyze_source(view.read_text(encoding="utf-8"), str(view), config, project=project).findings

    (found,) = findings()
    assert [(Path(s.path).name if s.path else None, s.note) for s in found.flow][2:] == [
        ("helpers.py", "parameter `value` of `show()`"),
        ("helpers.py", "passed to `render_template()`"),
        ("p.html", "reaches `{{ bio|safe }}`: HTML written unescaped by template `p.html` (|safe)"),
    ]
    page.write_text("<p>{{ bio }}</p>\n", encoding="utf-8")
    project.invalidate(page)
    assert findings() == []
