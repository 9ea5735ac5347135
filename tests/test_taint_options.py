"""Argument injection (SR819) and modules imported by name (SR820): the flow steps of
representative findings, and the guards that keep look-alikes quiet."""

from __future__ import annotations

from pathlib import Path

from fixture_support import flow_steps, taint_findings

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import analyze_source

FIXTURES = Path(__file__).parent / "fixtures" / "taint"


def _check(text: str) -> list[tuple[int, str]]:
    result = analyze_source(text, "/tmp/app/views.py", Config(select=("SR8",)))
    return [(f.span.start_line, f.rule_id) for f in result.findings]


def test_a_request_value_before_any_double_dash_is_an_option_of_the_program() -> None:
    finding = taint_findings("argument/git_browser.py", own_folder=True)[16]
    assert (finding.rule_id, finding.cwe) == ("SR819", 88)
    assert flow_steps(finding, files=True) == [
        (15, 'source: `request.args.get("ref", "HEAD")`', None),
        (15, "assigned to `ref`", None),
        (16, "reaches `subprocess.run()`: argument a program may read as an option", None),
    ]


def test_argument_injection_through_a_helper_of_another_module_reports_at_the_call() -> None:
    found = taint_findings("argument/repotools/views.py", own_folder=True)
    steps = flow_steps(found[13], files=True)
    assert found[13].rule_id == "SR819"
    assert steps[-1][2] == "gitops.py" and steps[-1][1].startswith("reaches `subprocess.run()`")
    assert 18 not in found and 28 not in found


def test_double_dash_fixed_text_and_rejected_dashes_keep_arguments_quiet() -> None:
    quiet = (
        "import subprocess\nfrom flask import request, abort\n\n"
        "def a():\n    v = request.args['v']\n    subprocess.run(['git', 'log', '--', v])\n\n"
        "def b():\n    v = request.args['v']\n    subprocess.run(['git', 'log', '--grep=' + v])\n\n"
        "def c():\n    v = request.args['v']\n    if v.startswith('-'):\n        abort(400)\n"
        "    subprocess.run(['git', 'log', v])\n\n"
        "def d():\n    v = request.args['v']\n    if not v.startswith(('http://', 'https://')):\n        abort(400)\n"
        "    subprocess.run(['curl', v])\n\n"
        "def e():\n    v = request.args['v']\n    subprocess.run(['sh', '-c', 'echo ok', v])\n"
    )
    assert _check(quiet) == []
    loud = quiet.replace("'--', v", "v").replace("'--grep=' + v", "'-' + v")
    assert _check(loud) == [(6, "SR819"), (10, "SR819")]


def test_a_prefix_of_dashes_only_still_lets_the_input_spell_an_option() -> None:
    # ``"--" + v`` becomes ``--upload-pack=...``; ``"./" + v`` never starts with a dash
    text = (
        "import subprocess\nfrom flask import request\n\n"
        "def a():\n    v = request.args['v']\n    subprocess.run(['git', 'fetch', '--' + v])\n\n"
        "def b():\n    v = request.args['v']\n    subprocess.run(['tar', 'xf', './' + v])\n"
    )
    assert _check(text) == [(6, "SR819")]


def test_module_named_by_the_request_is_unsafe_reflection() -> None:
    found = taint_findings("reflection/exporters.py", own_folder=True)
    assert (found[16].rule_id, found[16].cwe) == ("SR820", 470)
    assert flow_steps(found[16], files=True)[-1] == (
        16,
        "reaches `importlib.import_module()`: name of the imported module",
        None,
    )
    assert not set(found) & {22, 31, 38, 57}


def test_a_module_level_alias_of_a_sink_is_the_sink_unless_the_name_is_bound_again() -> None:
    text = (
        "import os\nimport functools\nimport subprocess\nfrom flask import request\n"
        "run = os.system\nshell = functools.partial(subprocess.run, shell=True)\n\n"
        "def a():\n    run('ping ' + request.args['h'])\n\n"
        "def b():\n    shell('ping ' + request.args['h'])\n"
    )
    assert _check(text) == [(9, "SR802"), (12, "SR802")]
    rebound = text + "\ndef c(run):\n    run(request.args['h'])\n"
    assert _check(rebound) == [(12, "SR802")]  # ``run`` names a parameter too: not resolved anywhere
    assigned_twice = text.replace("run = os.system\n", "run = os.system\nrun = print\n")
    assert _check(assigned_twice) == [(13, "SR802")]


def test_a_wsgi_page_and_its_start_response_headers_are_sinks() -> None:
    pages = taint_findings("xss/wsgi_apps.py", own_folder=True)
    assert set(pages) == {13, 35, 50}  # escaped, text/plain, JSON and constant bodies stay quiet
    assert flow_steps(pages[13], files=True)[-1] == (
        13,
        "reaches `return`: HTML body returned from a WSGI application",
        None,
    )
    headers = taint_findings("header/wsgi_headers.py", own_folder=True)
    assert set(headers) == {9, 29}
    assert headers[29].rule_id == "SR812"
    assert flow_steps(headers[29], files=True)[-1] == (
        29,
        "reaches `start_response()`: response header sent by `start_response()`",
        None,
    )


def test_a_json_body_value_in_a_mongo_filter_may_be_an_operator() -> None:
    found = taint_findings("nosql/json_filters.py", own_folder=True)
    assert set(found) == {15, 46, 66}  # str(), isinstance(str), form text, int and f-string text stay quiet
    assert flow_steps(found[15], files=True)[0] == (14, "source: `request.get_json`", None)
    assert flow_steps(found[15], files=True)[-1] == (15, "reaches `users.find_one()`: MongoDB query document", None)
    assert set(taint_findings("nosql/django_json_filters.py", own_folder=True)) == {13}  # json.loads(request.body)


def test_a_request_value_used_as_the_format_string_is_reported_not_one_used_as_an_argument() -> None:
    relative = "format_string/flask_greetings.py"
    path = FIXTURES / relative
    result = analyze_source(
        path.read_text(encoding="utf-8"), str(path), Config(root=path.parent, select=("SR821",)),
        project=ProjectIndex([path.parent]),
    )  # fmt: skip
    found = {f.span.start_line: f for f in result.findings}
    assert set(found) == {21, 28, 35}
    assert flow_steps(found[28], files=True)[-1] == (
        28,
        "reaches `template.format_map()`: format string given objects to format",
        None,
    )
    across = taint_findings("format_string/notices/views.py", own_folder=True)
    assert across[12].rule_id == "SR821"
    assert flow_steps(across[12], files=True)[-1][2] == "render.py"
    assert 17 not in across


def test_a_handler_decorated_with_its_template_renders_the_returned_dict() -> None:
    found = taint_findings("xss/environments/aio_decorated.py", own_folder=True)
    assert set(found) == {16, 37}
    steps = flow_steps(found[16], files=True)
    assert steps[0] == (16, 'source: `request.query.get("name", "guest")`', None)
    assert steps[-1][2] == "env_greeting.html" and steps[-1][1].startswith("reaches `{{ name }}`")


def test_raw_blocks_and_comments_write_nothing_and_a_call_block_writes_what_its_macro_hands_back() -> None:
    found = taint_findings("xss/templated/snippets.py", own_folder=True)
    assert set(found) == {18}
    last = flow_steps(found[18], files=True)[-1]
    assert last[0] == 6 and last[2] == "snippets.html" and "{{ entry|safe }}" in last[1]


def test_a_template_made_from_a_module_level_constant_is_read_like_a_literal() -> None:
    found = taint_findings("xss/environments/inline_constants.py", own_folder=True)
    assert set(found) == {16, 21}
    assert all(f.rule_id == "SR806" for f in found.values())  # constant template text is not SSTI


def test_an_is_predicate_of_the_program_vouches_for_an_imported_name() -> None:
    found = taint_findings("reflection/django_backends.py", own_folder=True)
    assert set(found) == {12, 60}  # ``is_registered(backend)`` and ``_is_callback(view)`` held: quiet
