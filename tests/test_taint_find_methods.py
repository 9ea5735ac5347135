"""``find``/``findall`` are ElementPath searches only on XML elements: a string's ``find``, a compiled
pattern's ``findall``, a JSONPath expression's ``find(document)`` and BeautifulSoup's ``find(name)``
are other APIs of the same names."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_path

VIEW = """\
import re

from bs4 import BeautifulSoup
from flask import Flask, request
from jsonpath_ng.ext import parse
from lxml import etree

app = Flask(__name__)


@app.route("/search")
def search():
    q = request.args["q"]
    tree = etree.parse("catalogue.xml")
    tree.getroot().find(q)
    etree.fromstring(request.data).findall(q)
    parse("$.items[*]").find(q)
    re.compile(r"\\d+").findall(q)
    "a, b".find(q)
    f"{q}:".find(q)
    str(q).find(":")
    BeautifulSoup(request.data, "html.parser").find(q)
    return "ok"
"""


def test_only_an_element_search_is_an_elementpath_sink(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(VIEW, encoding="utf-8")
    result = analyze_path(tmp_path / "app.py", Config(root=tmp_path))
    assert {f.span.start_line for f in result.findings if f.rule_id == "SR809"} == {15, 16}
