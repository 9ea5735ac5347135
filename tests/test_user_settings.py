"""Values the local user sets for their own process (start-up files, pager, editor, login shell,
files in their home) are hardening notes; other settings, files and interactive input are not."""

from __future__ import annotations

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source

HARDENING = Config(select=("hardening",))


def _rules(text: str, config: Config | None = None) -> list[str]:
    return sorted(f.rule_id for f in analyze_source(text, "app/module.py", config or Config()).findings)


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("import os\np = os.environ.get('PYTHONSTARTUP')\nexec(open(p).read())\n", "SR109"),
        ("import os\nexec(open(os.path.expanduser('~/.apprc.py')).read(), {})\n", "SR109"),
        ("import pathlib\nexec((pathlib.Path.home() / '.apprc.py').read_text())\n", "SR109"),
        ("import os\nos.system(os.environ['PAGER'])\n", "SR207"),
        ("import os\nos.popen(os.getenv('BROWSER') or 'firefox')\n", "SR207"),
        ("import os, pwd\nos.system(pwd.getpwuid(os.getuid()).pw_shell)\n", "SR207"),
        ("import os, urllib.request\nurllib.request.urlopen(os.environ.get('BROWSER_HOME', 'x'))\n", None),
    ],
)
def test_the_users_own_settings_are_hardening_notes(text: str, note: str | None) -> None:
    default = _rules(text)
    if note is None:  # not recognised as the user's own: stays a default finding
        assert default
        return
    assert default == []
    assert note in _rules(text, HARDENING)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("import os\nexec(open(os.environ['PLUGIN']).read())\n", "SR101"),
        ("import os\nos.system(os.environ['DEPLOY_COMMAND'])\n", "SR802"),
        ("import os, pwd\ndef f(name):\n    os.system(pwd.getpwnam(name).pw_shell)\n", "SR203"),
        ("import os\nos.system(os.environ['PAGER'] + ' ' + os.environ['FILE'])\n", "SR802"),
        ("answer = eval(input())\n", "SR102"),
        ("import os\nos.system(input())\n", "SR802"),
    ],
)
def test_other_settings_and_interactive_input_stay_default_findings(text: str, rule: str) -> None:
    assert rule in _rules(text)


def test_the_users_editor_is_not_a_taint_source_but_other_variables_are() -> None:
    editor = "import os, subprocess\nsubprocess.call(os.environ.get('EDITOR', 'vi') + ' notes.txt', shell=True)\n"
    assert _rules(editor) == [] and _rules(editor, HARDENING) == ["SR207"]
    deploy = editor.replace("EDITOR", "DEPLOY_TOOL")
    assert _rules(deploy) == ["SR802"]
