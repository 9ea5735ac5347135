"""Template folders besides those named ``templates``: configured (``template-dirs``) or declared
by the project's code (Flask / Blueprint ``template_folder=``, Jinja2 ``FileSystemLoader``, Django
``DIRS``), used to find rendered templates and to recognize template files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secreview_ls import cli
from secreview_ls.config import Config, ConfigError, ConfigProblem, from_mapping
from secreview_ls.engine.taint.template_folders import declared_folders, resolve_folders
from secreview_ls.pipeline import ProjectIndex, analyze_template, is_template_path, rendered_as, template_names

FOLDERED = Path(__file__).parent / "fixtures" / "taint" / "xss" / "foldered"
VIEW = (
    "from flask import Flask, render_template, request\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/bio')\ndef bio():\n    return render_template('people/bio.html', bio=request.args['bio'])\n"
)


def test_declarations_are_read_from_literals() -> None:
    flask = 'app = Flask(__name__, template_folder="web/tpl")\nbp = Blueprint("b", __name__, template_folder=\'bp\')'
    assert declared_folders(flask) == {"file:web/tpl", "file:bp"}
    loader = (
        'Environment(loader=FileSystemLoader(["a", "b/c"]))\nFileSystemLoader("d")\nFileSystemLoader(searchpath="e")'
    )
    assert declared_folders(loader) == {"root:a", "root:b/c", "root:d", "root:e"}
    django = (
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        'TEMPLATES = [{"DIRS": [BASE_DIR / "tpl", BASE_DIR / "site" / "x", os.path.join(BASE_DIR, "more", "y"),'
        ' "/srv/t", os.environ["DIRS"]]}]\n'
    )
    assert declared_folders(django) == {"up2:tpl", "up2:site/x", "up2:more/y", "root:/srv/t"}
    dirname = "BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nT = [{'DIRS': [os.path.join(BASE_DIR, 't')]}]"
    assert declared_folders(dirname) == {"up2:t"}
    assert declared_folders("TEMPLATES = [{'DIRS': [BASE_DIR / 'x']}]") == {"root:x"}  # BASE_DIR not known here
    assert declared_folders("template_folder = folder_of(app)\nFileSystemLoader(path)") == frozenset()


def test_declared_folders_are_placed_on_disk(tmp_path: Path) -> None:
    settings = tmp_path / "site" / "config" / "settings.py"
    for folder in ("site/tpl", "site/config/pages", "loaded"):
        (tmp_path / folder).mkdir(parents=True)
    declared = frozenset({"up2:tpl", "file:pages", "root:loaded", "root:missing"})
    placed = resolve_folders(declared, settings, [tmp_path])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in placed) == ["loaded", "site/config/pages", "site/tpl"]


def test_the_setting_is_checked_and_relative_to_the_root(tmp_path: Path) -> None:
    config = from_mapping({"template-dirs": ["web/tpl", "/srv/pages"]}, Config(root=tmp_path))
    assert config.template_folders() == (tmp_path / "web" / "tpl", Path("/srv/pages"))
    for bad in ("web/tpl", [1], ["ok", ""], {"a": "b"}):
        with pytest.raises(ConfigError, match="`template-dirs` must be a list of folder paths"):
            from_mapping({"template-dirs": bad})
    problems: list[ConfigProblem] = []
    from_mapping({"template_dirs": 3}, problems=problems)
    assert [p.message for p in problems] == ["`template-dirs` must be a list of folder paths (strings), got 3"]


def test_a_template_in_a_declared_folder_is_recognized_and_named_below_it() -> None:
    project = ProjectIndex([FOLDERED.parent])
    card = FOLDERED / "pages" / "card.html"
    assert not is_template_path(card)
    folders = project.template_folders()
    assert {FOLDERED / "pages", FOLDERED / "loader_pages", FOLDERED / "site" / "site_pages"} <= set(folders)
    assert is_template_path(card, folders) and template_names(card, folders) == ("card.html",)
    assert rendered_as(card, project) == ("card.html",)
    result = analyze_template(
        card.read_text(encoding="utf-8"), str(card), Config(root=FOLDERED.parent), project=project
    )
    (found,) = [f for f in result.findings if f.rule_id == "SR806"]
    assert found.span.start_line == 3 and "line 11 of app.py" in found.message


def test_a_check_finds_templates_in_the_configured_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\ntemplate-dirs = ["web/tpl"]\n', encoding="utf-8")
    (tmp_path / "web" / "tpl" / "people").mkdir(parents=True)
    (tmp_path / "web" / "views.py").write_text(VIEW, encoding="utf-8")
    (tmp_path / "web" / "tpl" / "people" / "bio.html").write_text("<p>\n{{ bio|safe }}</p>\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--format", "json", "."]) == 1
    (found,) = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule_id"] == "SR806"]
    assert (
        found["flow"][-1]["path"].endswith("web/tpl/people/bio.html") and found["flow"][-1]["span"]["start_line"] == 2
    )
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    assert cli.main(["check", "--format", "json", "."]) == 0  # not a template folder any more
    capsys.readouterr()
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\ntemplate-dirs = "web/tpl"\n', encoding="utf-8")
    assert cli.main(["check", "."]) == 2
    assert "`template-dirs` must be a list of folder paths" in capsys.readouterr().err
