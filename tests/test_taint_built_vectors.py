"""Argument vectors built by concatenation, unpacking and ``extend`` (SR819), programs started
with ``os.exec*`` / ``os.spawn*``, generator WSGI bodies (SR806) and FastAPI JSON bodies as NoSQL
documents (SR817): flow steps of representative findings and the look-alikes that stay quiet."""

from __future__ import annotations

from fixture_support import flow_steps, taint_findings

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source


def _check(text: str) -> list[tuple[int, str]]:
    result = analyze_source(text, "/tmp/app/views.py", Config(select=("SR8",)))
    return sorted((f.span.start_line, f.rule_id) for f in result.findings)


def test_a_vector_built_by_concatenation_keeps_the_positions_of_its_elements() -> None:
    found = taint_findings("argument/built_vectors.py", own_folder=True)
    assert flow_steps(found[18]) == [
        (16, 'source: `request.args["ref"]`'),
        (16, "assigned to `ref`"),
        (17, "assigned to `command`"),
        (18, "reaches `subprocess.run()`: argument a program may read as an option"),
    ]
    assert found[25].rule_id == "SR819"  # ``BASE + ["log", ref]`` with a module-level base
    assert 32 not in found  # ``BASE + ["log", "--"] + [ref]``


def test_unpacked_and_extended_elements_count_until_a_double_dash() -> None:
    found = taint_findings("argument/built_vectors.py", own_folder=True)
    assert {18, 25, 38, 57, 71, 89, 157} == set(found)
    assert flow_steps(found[38])[0] == (37, 'source: `request.form.getlist("path")`')


def test_double_dash_after_elements_of_unknown_number_still_ends_the_options() -> None:
    text = (
        "import subprocess\nfrom flask import request\n\n"
        "def a():\n    paths = request.args.getlist('p')\n    opts = ['-v'] if request.args.get('v') else []\n"
        "    subprocess.run(['git', 'add', *opts, '--', *paths])\n\n"
        "def b():\n    url = request.args['u']\n    cmd = ['git', 'clone']\n"
        "    if request.args.get('s'):\n        cmd += ['--depth', '1']\n    cmd += ['--', url]\n"
        "    subprocess.run(cmd)\n"
    )
    appended = (
        "import subprocess\nfrom flask import request\n\n"
        "def c():\n    url = request.args['u']\n    cmd = ['git', 'clone']\n"
        "    if request.args.get('s'):\n        cmd += ['--depth', '1']\n"
        "    cmd.append('--')\n    cmd.append(url)\n    subprocess.run(cmd)\n"
    )
    assert _check(appended) == []
    assert _check(appended.replace("    cmd.append('--')\n", "")) == [(10, "SR819")]
    assert _check(text) == []
    assert _check(text.replace("'--', *paths", "*paths").replace("['--', url]", "[url]")) == [
        (7, "SR819"),
        (15, "SR819"),
    ]


def test_exec_and_spawn_of_a_fixed_program_read_their_arguments_as_options() -> None:
    found = taint_findings("argument/exec_family.py", own_folder=True)
    assert flow_steps(found[34]) == [
        (32, 'source: `request.form["remote"]`'),
        (32, "assigned to `remote`"),
        (34, "reaches `os.execlp()`: argument a program may read as an option"),
    ]
    assert {line: f.rule_id for line, f in found.items()} == {
        18: "SR819", 34: "SR819", 42: "SR819", 57: "SR819", 78: "SR819", 93: "SR802", 101: "SR802",
    }  # fmt: skip


def test_a_vector_assembled_in_a_helper_of_another_module_reports_at_the_call() -> None:
    found = taint_findings("argument/repotools/views.py", own_folder=True)
    assert flow_steps(found[33], files=True)[-3:] == [
        (12, "parameter `base` of `diff()`", "commands.py"),
        (13, "assigned to `command`", "commands.py"),
        (14, "reaches `subprocess.run()`: argument a program may read as an option", "commands.py"),
    ]
    assert found[43].rule_id == "SR819"  # ``git(*args)`` unpacked into the vector
    assert 38 not in found and 48 not in found


def test_a_generator_wsgi_application_yields_its_html_body() -> None:
    found = taint_findings("xss/wsgi_generators.py", own_folder=True)
    assert set(found) == {14, 24, 61}
    assert flow_steps(found[14])[-1] == (14, "reaches `yield`: HTML body returned from a WSGI application")


def test_a_fragment_built_in_another_module_and_yielded_is_followed_there() -> None:
    found = taint_findings("xss/streamed/app.py", own_folder=True)
    assert set(found) == {11}  # the escaped heading and the text/plain application stay quiet
    assert flow_steps(found[11], files=True)[-3:] == [
        (6, "parameter `title` of `heading()`", "fragments.py"),
        (11, "returned from `heading()`", None),
        (11, "reaches `yield`: HTML body returned from a WSGI application", None),
    ]


def test_fastapi_mapping_bodies_are_documents_and_model_fields_are_text() -> None:
    found = taint_findings("nosql/fastapi_bodies.py", own_folder=True)
    assert set(found) == {22, 29, 34, 39}
    assert flow_steps(found[29]) == [
        (27, "source: request parameter `criteria`"),
        (28, "assigned to `status`"),
        (29, "reaches `db.orders.find()`: MongoDB query document"),
    ]


def test_a_document_handed_to_a_query_helper_of_another_module_reports_at_the_call() -> None:
    found = taint_findings("nosql/catalog/views.py", own_folder=True)
    assert set(found) == {14}  # ``str(sku)`` in the helper and a ``str`` query parameter are text
    assert flow_steps(found[14], files=True)[-2:] == [
        (8, "parameter `category` of `by_category()`", "store.py"),
        (9, "reaches `products.find()`: MongoDB query document", "store.py"),
    ]
