"""Values a form hands back: a template that calls a form field writes the field's own (escaped)
rendering, not the request text; a value whose lower- or upper-cased spelling is one of a constant
list is a case variant of a listed word."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.taint.template_syntax import parse
from secreview_ls.pipeline import ProjectIndex, analyze_path

VIEW = """\
from flask import Flask, render_template, request
from wtforms import Form, StringField

app = Flask(__name__)


class NoteForm(Form):
    title = StringField("Title")


@app.route("/note", methods=["POST"])
def note():
    return render_template("note.html", form=NoteForm(request.form))


@app.route("/echo", methods=["POST"])
def echo():
    return render_template("echo.html", form=NoteForm(request.form))
"""

HELPERS = """\
{% macro render_field(field) %}
  {{ field.label }}
  {{ field(**kwargs)|safe }}
{% endmacro %}
{% macro echo_field(field) %}
  {{ field.data|safe }}
{% endmacro %}
"""

NOTE = """\
{% from "_helpers.html" import render_field %}
{{ render_field(form.title) }}
"""

ECHO = """\
{% from "_helpers.html" import echo_field %}
{{ echo_field(form.title) }}
"""


def _findings(root: Path, name: str) -> set[tuple[str, int, str]]:
    result = analyze_path(root / name, Config(root=root), project=ProjectIndex([root]))
    return {(Path(f.flow[-1].path or name).name, f.flow[-1].span.start_line, f.rule_id) for f in result.findings}


def test_only_a_direct_call_of_the_written_value_is_left_out() -> None:
    names = [e.name for e in parse("{{ field(**kwargs)|safe }}{{ field (x)|safe }}{{ field.data|safe }}").expressions]
    assert names == ["field"]
    # a method of a string still writes (a transformed copy of) the string itself
    assert [e.name for e in parse("{{ text.replace('a', 'b')|safe }}").expressions] == ["text"]


def test_a_called_form_field_is_not_its_data(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "app.py").write_text(VIEW, encoding="utf-8")
    (tmp_path / "templates" / "_helpers.html").write_text(HELPERS, encoding="utf-8")
    (tmp_path / "templates" / "note.html").write_text(NOTE, encoding="utf-8")
    (tmp_path / "templates" / "echo.html").write_text(ECHO, encoding="utf-8")
    # the field's own rendering (a called value) is not reported; the submitted data written
    # with |safe still is
    assert _findings(tmp_path, "app.py") == {("_helpers.html", 6, "SR806")}


CASE_VIEW = """\
import logging

from flask import Flask, redirect, request

app = Flask(__name__)
log = logging.getLogger(__name__)
FORMATS = ("epub", "pdf")


@app.route("/lower", methods=["POST"])
def lower():
    fmt = request.form["fmt"]
    if fmt.lower() not in FORMATS:
        return redirect("/")
    log.info("converting %s", fmt)
    return "ok"


@app.route("/upper", methods=["POST"])
def upper():
    fmt = request.form["fmt"]
    if fmt.strip().upper() in ("EPUB", "PDF"):
        log.info("stripped %s", fmt)
    if fmt.upper().casefold() == "epub":
        log.info("folded %s", fmt)
    return "ok"


@app.route("/other", methods=["POST"])
def other():
    fmt = request.form["fmt"]
    if fmt.lower() in FORMATS or fmt.upper():
        log.info("either %s", fmt)
    if fmt.lower() not in FORMATS:
        log.info("unlisted %s", fmt)
    return "ok"
"""


def test_a_case_variant_of_a_listed_word_is_clean(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(CASE_VIEW, encoding="utf-8")
    found = {line for _, line, rule in _findings(tmp_path, "app.py") if rule == "SR813"}
    # stripping drops line breaks before the test: the value itself may still hold them (line 23);
    # a test that may pass without the listed spelling (33), or rejects it (35), proves nothing
    assert found == {23, 33, 35}
