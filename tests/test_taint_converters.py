"""Custom URL converters: a route parameter converted by a converter the project registers, whose
``to_python`` returns no unchecked part of the matched text, is no request text; a converter that
hands the text back (or one not defined where it is registered) keeps the parameter request data."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.taint.converters import registered_converters
from secreview_ls.pipeline import ProjectIndex, analyze_path

SETUP = """\
from uuid import UUID

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

from .elsewhere import Imported

app = Flask(__name__)


class StrictUUIDConverter(BaseConverter):
    _ALLOWED = frozenset({"first"})

    def to_python(self, value):
        if value in self._ALLOWED:
            return value
        try:
            return str(UUID(value))
        except ValueError as e:
            raise ValidationError() from e


class NumberConverter(BaseConverter):
    regex = r"\\d+"

    def to_python(self, value):
        return int(value)


class TrimmedConverter(BaseConverter):
    def to_python(self, value):
        return value.strip()


class PatternOnly(BaseConverter):
    regex = r"[a-z]+"


app.url_map.converters["uuid_str"] = StrictUUIDConverter
app.url_map.converters.update(number=NumberConverter, trimmed=TrimmedConverter)
app.url_map.converters.update({"pattern": PatternOnly, "imported": Imported})
"""

VIEWS = """\
import logging

from flask import Blueprint

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)


@bp.route("/watch/<uuid_str:uuid>")
def watch(uuid):
    log.info("watch %s", uuid)
    return "ok"


@bp.route("/page/<number:page>")
def page(page):
    log.info("page %s", page)
    return "ok"


@bp.route("/tag/<trimmed:tag>")
def tag(tag):
    log.info("tag %s", tag)
    return "ok"


@bp.route("/name/<pattern:name>")
def name(name):
    log.info("name %s", name)
    return "ok"


@bp.route("/other/<imported:key>")
def other(key):
    log.info("other %s", key)
    return "ok"


@bp.route("/both/<uuid_str:key>")
@bp.route("/both/<string:key>/legacy")
def both(key):
    log.info("both %s", key)
    return "ok"
"""


def test_registrations_name_the_classes_the_module_defines() -> None:
    assert registered_converters(SETUP) == (
        "uuid_str=StrictUUIDConverter",
        "number=NumberConverter",
        "trimmed=TrimmedConverter",
        "pattern=PatternOnly",
    )
    assert registered_converters("x = 1") == ()


def test_only_parameters_of_clean_converters_are_no_request_text(tmp_path: Path) -> None:
    package = tmp_path / "site"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "setup.py").write_text(SETUP, encoding="utf-8")
    (package / "views.py").write_text(VIEWS, encoding="utf-8")
    views = package / "views.py"
    result = analyze_path(views, Config(root=tmp_path), project=ProjectIndex([tmp_path]))
    logged = {f.span.start_line for f in result.findings if f.rule_id == "SR813"}
    # a trimmed copy of the text (23), a converter without to_python (29), one registered but
    # defined elsewhere (35) and a parameter that another route passes as plain text (42) report
    assert logged == {23, 29, 35, 42}
    # without the project, nothing is known of the custom converters
    alone = analyze_path(views, Config(root=tmp_path))
    assert {f.span.start_line for f in alone.findings if f.rule_id == "SR813"} == {11, 17, 23, 29, 35, 42}
