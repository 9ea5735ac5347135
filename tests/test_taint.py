"""Taint analysis: labelled fixtures, the paths findings carry, configuration, the project index."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from secreview_ls.config import Config, from_mapping
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import SinkExamined, SinkNotReported, SourceSeen, analyze_source
from secreview_ls.rules import registry

FIXTURES = Path(__file__).parent / "fixtures" / "taint"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def expected_in(text: str) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for number, line in enumerate(text.splitlines(), 1):
        match = EXPECT.search(line)
        if match:
            for code in re.split(r"[,\s]+", match.group(1).strip()):
                if code.startswith("SR8"):
                    found.add((number, code))
    return found


def taint(text: str, path: str = "app.py", **config: object) -> list:
    result = analyze_source(textwrap.dedent(text), path, Config(select=("SR8",), **config))  # type: ignore[arg-type]
    return result.findings


def taint_result(text: str, path: str = "app.py", **config: object):
    return analyze_source(textwrap.dedent(text), path, Config(select=("SR8",), **config))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings_match_markers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = analyze_source(text, str(path), Config(root=FIXTURES, select=("SR8",)), project=ProjectIndex([FIXTURES]))
    got = {(f.span.start_line, f.rule_id) for f in result.findings}
    assert got == expected_in(text)
    assert not [n for n in result.notices if n.kind in ("rule-error", "too-deep", "timeout")]


def test_corpus_is_large_and_balanced() -> None:
    positives = sum(len(expected_in(p.read_text(encoding="utf-8"))) for p in FIXTURE_FILES)
    # one folder per class, and ``web_entries`` (every class, by way of request data entering)
    classes = {p.relative_to(FIXTURES).parts[0] for p in FIXTURE_FILES} - {"web_entries"}
    assert positives >= 100
    assert len(classes) == 22


# -- paths -----------------------------------------------------------------------------


def test_sql_path_names_source_variable_and_sink() -> None:
    (finding,) = taint(
        """
        import sqlite3
        from flask import request

        def search():
            name = request.args["name"]
            query = "SELECT * FROM t WHERE n = '" + name + "'"
            cur = sqlite3.connect("x").cursor()
            cur.execute(query)
        """
    )
    assert finding.rule_id == "SR801"
    assert finding.cwe == 89
    assert [(s.span.start_line, s.note) for s in finding.flow] == [
        (6, 'source: `request.args["name"]`'),
        (6, "assigned to `name`"),
        (7, "assigned to `query`"),
        (9, "reaches `cur.execute()`: SQL query"),
    ]
    assert finding.message == (
        '`request.args["name"]` (line 6) reaches `cur.execute()` (line 9) through '
        "`name` (line 6), `query` (line 7): SQL injection"
    )
    assert finding.span.start_line == 9


def test_path_through_two_helpers_reports_at_the_sink() -> None:
    findings = taint(
        """
        import os
        from flask import Flask, request

        app = Flask(__name__)

        def shell(cmd):
            os.system(cmd)

        def build(target):
            return "ping -c 1 " + target

        @app.route("/ping")
        def ping():
            host = request.args.get("host")
            shell(build(host))
        """
    )
    (finding,) = findings
    assert finding.rule_id == "SR802"
    assert finding.span.start_line == 8
    notes = [(s.span.start_line, s.note) for s in finding.flow]
    assert notes[0] == (15, 'source: `request.args.get("host")`')
    assert (16, "passed to `build()`") in notes
    assert (10, "parameter `target` of `build()`") in notes
    assert (16, "returned from `build()`") in notes
    assert (16, "passed to `shell()`") in notes
    assert (7, "parameter `cmd` of `shell()`") in notes
    assert notes[-1] == (8, "reaches `os.system()`: shell command")


def test_a_file_analyzed_alone_does_not_read_the_files_it_imports() -> None:
    path = FIXTURES / "sql" / "shop" / "views.py"
    text = path.read_text(encoding="utf-8")
    alone = analyze_source(text, str(path), Config(root=FIXTURES, select=("SR8",)))
    assert 15 not in {f.span.start_line for f in alone.findings}
    with_index = analyze_source(
        text, str(path), Config(root=FIXTURES, select=("SR8",)), project=ProjectIndex([FIXTURES])
    )
    assert 15 in {f.span.start_line for f in with_index.findings}


def test_cross_module_path_has_steps_in_the_other_file() -> None:
    path = FIXTURES / "sql" / "shop" / "views.py"
    text = path.read_text(encoding="utf-8")
    result = analyze_source(text, str(path), Config(root=FIXTURES, select=("SR8",)), project=ProjectIndex([FIXTURES]))
    by_line = {f.span.start_line: f for f in result.findings}
    finding = by_line[15]
    other = [s for s in finding.flow if s.path is not None]
    assert other, "steps inside db.py carry its path"
    assert all(Path(s.path).name == "db.py" for s in other)
    assert any(s.note == "reaches `conn.execute()`: SQL query" for s in other)
    assert finding.flow[0].path is None and finding.flow[0].span.start_line == 14
    assert "of db.py" in finding.message


def test_explicit_project_index_is_used(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "db.py").write_text("import sqlite3\n\ndef run(q):\n    sqlite3.connect('x').execute(q)\n")
    view = package / "views.py"
    view.write_text("from flask import request\nfrom pkg.db import run\n\ndef v():\n    run(request.args['q'])\n")
    project = ProjectIndex([tmp_path])
    result = analyze_source(view.read_text(), str(view), Config(select=("SR8",)), project=project)
    assert [(f.rule_id, f.span.start_line) for f in result.findings] == [("SR801", 5)]
    # The helper learns to quote: after invalidation the finding is gone.
    (package / "db.py").write_text(
        "import sqlite3\n\ndef run(q):\n    sqlite3.connect('x').execute('SELECT ?', (q,))\n"
    )
    project.invalidate(package / "db.py")
    result = analyze_source(view.read_text(), str(view), Config(select=("SR8",)), project=project)
    assert result.findings == []


def test_project_index_reads_through_an_overlay(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("def run(q):\n    pass\n")
    unsaved = "import os\n\ndef run(q):\n    os.system(q)\n"
    project = ProjectIndex([tmp_path], read=lambda p: unsaved if p.name == "helpers.py" else None)
    view = tmp_path / "main.py"
    text = "from helpers import run\n\ncmd = input()\nrun(cmd)\n"
    result = analyze_source(text, str(view), Config(select=("SR8",)), project=project)
    assert [(f.rule_id, f.span.start_line) for f in result.findings] == [("SR802", 4)]


def test_one_finding_per_sink_not_per_path() -> None:
    findings = taint(
        """
        import os
        from flask import request

        def run(cmd):
            os.system(cmd)

        def a():
            run(request.args["a"])

        def b():
            run(request.form["b"])
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR802", 6)]


def test_evidence_records_sources_and_sinks() -> None:
    result = taint_result(
        """
        import sqlite3
        from flask import request

        def view():
            name = request.args.get("name")
            sqlite3.connect("x").execute("SELECT 1 WHERE ? = 1", (name,))
        """
    )
    assert result.findings == []
    assert result.evidence.of(SourceSeen) == [SourceSeen('`request.args.get("name")`', 6)]
    assert result.evidence.of(SinkExamined) == [SinkExamined('sqlite3.connect("x").execute()', 7, "SQL query")]


# -- precision details -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        'q = request.args["q"]\nq = "fixed"\nconn.execute("SELECT " + q)',
        'q = request.args["q"]\nif False:\n    conn.execute("SELECT " + q)',
        'd = {"a": request.args["q"], "b": "x"}\nconn.execute("SELECT " + d["b"])',
        'q = int(request.args["q"])\nconn.execute("SELECT %d" % q)',
        'q = request.args["q"]\nconn.execute("SELECT ?", (q,))',
        'q = request.args["q"]\nif q not in ("a", "b"):\n    return\nconn.execute("SELECT " + q)',
        'q = request.args["q"]\nif not q.isdigit():\n    abort(400)\nconn.execute("SELECT " + q)',
        'q = request.args.get("q", type=int)\nconn.execute(f"SELECT {q}")',
    ],
)
def test_safe_shapes_are_quiet(body: str) -> None:
    source = "import sqlite3\nfrom flask import abort, request\nconn = sqlite3.connect('x')\n\ndef view():\n"
    source += textwrap.indent(body, "    ") + "\n"
    assert taint(source) == []


@pytest.mark.parametrize(
    "body",
    [
        'q = request.args["q"]\nconn.execute("SELECT " + q)',
        'q = "SELECT "\nq += request.args["q"]\nconn.execute(q)',
        'a, b = "x", request.args["q"]\nconn.execute("SELECT " + b)',
        'parts = []\nparts.append(request.args["q"])\nconn.execute(" ".join(parts))',
        'q = [x for x in request.args.getlist("q")]\nconn.execute("SELECT " + q[0])',
        'q = request.args["q"]\nif q == "a":\n    pass\nelse:\n    conn.execute("SELECT " + q)',
    ],
)
def test_unsafe_shapes_are_reported(body: str) -> None:
    source = "import sqlite3\nfrom flask import request\nconn = sqlite3.connect('x')\n\ndef view():\n"
    source += textwrap.indent(body, "    ") + "\n"
    assert [f.rule_id for f in taint(source)] == ["SR801"]


def test_sanitizer_is_per_class() -> None:
    findings = taint(
        """
        import os, shlex, sqlite3
        from flask import request

        def view():
            name = shlex.quote(request.args["name"])
            os.system("echo " + name)
            sqlite3.connect("x").execute("SELECT * FROM t WHERE n = " + name)
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR801", 8)]


def test_local_sources_have_low_confidence_and_limited_classes() -> None:
    findings = taint(
        """
        import os, subprocess, sys

        target = os.environ["TARGET"]
        os.system("ls " + target)
        eval(target)
        open(target)
        subprocess.run([os.environ["EDITOR"], "notes.txt"])
        os.system("ls " + sys.argv[1])
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR802", 5)]
    assert str(findings[0].confidence) == "low"
    assert findings[0].extra["local_source"] is True


def test_taint_rules_are_marked_and_documented() -> None:
    rules = [r for r in registry.all_rules() if r.id.startswith("SR8")]
    assert len(rules) == 22
    assert all(r.taint for r in rules)
    assert {r.cwe for r in rules} == {
        89,
        78,
        94,
        22,
        918,
        79,
        601,
        90,
        643,
        502,
        611,
        113,
        117,
        501,
        1333,
        943,
        1336,
        88,
        470,
        134,
        209,
    }
    for current in rules:
        assert current.summary and current.why and current.bad and current.good


def test_taint_finding_hides_the_pattern_finding_on_the_same_sink() -> None:
    source = textwrap.dedent(
        """
        import subprocess
        from flask import request

        def view():
            subprocess.run("ping " + request.args["host"], shell=True)
        """
    )
    result = analyze_source(source, "app.py", Config())
    on_line = sorted(f.rule_id for f in result.findings if f.span.start_line == 6)
    assert "SR802" in on_line
    assert not [r for r in on_line if registry.get(r) and registry.get(r).cwe == 78 and r != "SR802"]


# -- configuration ----------------------------------------------------------------------


def test_configured_source_sink_and_sanitizer() -> None:
    config = from_mapping(
        {
            "select": ["SR8"],
            "taint": {
                "sources": ["myapp.http.get_param"],
                "sinks": {"sql": ["myapp.db.run_sql"], "command": [".run_remote"]},
                "sanitizers": ["myapp.clean.sql_literal:sql"],
            },
        }
    )
    source = textwrap.dedent(
        """
        from myapp.http import get_param
        from myapp.db import run_sql
        from myapp.clean import sql_literal

        def view(client):
            name = get_param("name")
            run_sql("SELECT * FROM t WHERE n = '" + name + "'")
            run_sql("SELECT * FROM t WHERE n = " + sql_literal(name))
            client.run_remote("ls " + sql_literal(name))
        """
    )
    result = analyze_source(source, "app.py", config)
    assert [(f.rule_id, f.span.start_line) for f in result.findings] == [("SR801", 8), ("SR802", 10)]
    assert result.findings[0].message.startswith('`get_param("name")` (line 7) reaches `run_sql()` (line 8)')


def test_unconfigured_names_are_not_sources() -> None:
    source = "from myapp.http import get_param\nfrom myapp.db import run_sql\nrun_sql(get_param('x'))\n"
    assert analyze_source(source, "app.py", Config(select=("SR8",))).findings == []


# -- frameworks ---------------------------------------------------------------------------


def test_fastapi_typed_parameters() -> None:
    findings = taint(
        """
        import os
        from fastapi import Depends, FastAPI

        app = FastAPI()

        @app.get("/run/{name}")
        def run(name: str, count: int, db=Depends(lambda: None)):
            os.system(f"echo {count} {db}")
            os.system("echo " + name)
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR802", 10)]


def test_django_url_parameters_and_request() -> None:
    findings = taint(
        """
        import os
        from django.http import HttpResponse

        def view(request, slug):
            os.system("touch " + slug)
            os.system("touch " + request.GET["f"])
            return HttpResponse("ok")

        def helper(req, slug):
            os.system("touch " + slug)
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR802", 6), ("SR802", 7)]


def test_flask_converters() -> None:
    findings = taint(
        """
        import os
        from flask import Flask

        app = Flask(__name__)

        @app.route("/a/<int:n>/<path:p>/<name>")
        def view(n, p, name):
            os.system(f"echo {n}")
            os.system(f"echo {p}")
            os.system(f"echo {name}")
        """
    )
    assert [f.span.start_line for f in findings] == [10, 11]


# -- robustness ----------------------------------------------------------------------------


def test_deeply_nested_code_does_not_crash() -> None:
    expr = "request.args['q']" + " + 'x'" * 3000
    source = f"import os\nfrom flask import request\n\ndef v():\n    os.system({expr})\n"
    result = analyze_source(source, "app.py", Config(select=("SR8",)))
    assert not [n for n in result.notices if n.kind == "rule-error"]


def test_loops_reach_a_fixpoint() -> None:
    # The value needs three trips round the loop to reach ``v0``.
    source = textwrap.dedent(
        """
        import os
        from flask import request

        def v():
            v0 = v1 = v2 = "x"
            for _ in range(10):
                os.system(v0)
                v0 = v1
                v1 = v2
                v2 = request.args["q"]
        """
    )
    findings = analyze_source(source, "app.py", Config(select=("SR8",))).findings
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR802", 8)]


def test_project_follows_package_reexports_and_survives_cycles(tmp_path: Path) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("from .db import run\n")
    (package / "db.py").write_text(
        "import sqlite3\nfrom app.util import again\n\ndef run(q):\n    again(q)\n    sqlite3.connect('x').execute(q)\n"
    )
    (package / "util.py").write_text("from app.db import run\n\ndef again(q):\n    return run(q)\n")
    view = tmp_path / "main.py"
    text = "from flask import request\nimport app\n\ndef v():\n    app.run(request.args['q'])\n"
    result = analyze_source(text, str(view), Config(select=("SR8",)), project=ProjectIndex([tmp_path]))
    assert [(f.rule_id, f.span.start_line) for f in result.findings] == [("SR801", 5)]
    assert any(s.path and s.path.endswith("db.py") for s in result.findings[0].flow)


def test_file_content_is_not_the_path_that_named_it() -> None:
    findings = taint(
        """
        import subprocess
        from flask import request

        def view():
            with open("/srv/scripts/" + request.args["name"]) as handle:
                script = handle.read()
            subprocess.run(script, shell=True)
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR804", 6)]


def test_views_registered_with_add_url_rule() -> None:
    findings = taint(
        """
        import os
        from flask import Flask
        from flask.views import MethodView

        app = Flask(__name__)

        class Item(MethodView):
            def get(self, name):
                os.system("echo " + name)

        def raw(path):
            os.system("cat " + path)

        app.add_url_rule("/items/<name>", view_func=Item.as_view("item"))
        app.add_url_rule("/raw/<path:path>", "raw", raw)
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR802", 10), ("SR802", 13)]


def test_values_yielded_by_a_generator_reach_the_caller() -> None:
    findings = taint(
        """
        import sqlite3
        from flask import request

        def terms(raw):
            for part in raw.split(","):
                yield part.strip()

        def view():
            conn = sqlite3.connect("x")
            for term in terms(request.args["q"]):
                conn.execute("SELECT * FROM t WHERE a = '" + term + "'")
            for term in terms("a,b"):
                conn.execute("SELECT * FROM t WHERE b = '" + term + "'")
        """
    )
    assert [(f.rule_id, f.span.start_line) for f in findings] == [("SR801", 12)]


def test_evidence_names_sinks_no_source_reaches() -> None:
    result = taint_result(
        """
        import os

        def cleanup():
            os.system("rm -rf build")
        """
    )
    assert result.findings == []
    assert result.evidence.of(SinkExamined) == [
        SinkExamined("os.system()", 5, "shell command", SinkNotReported.NO_SOURCE)
    ]
    assert result.evidence.of(SourceSeen) == []
