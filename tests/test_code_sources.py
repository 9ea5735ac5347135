"""Code and commands by data: one finding for text from outside, an audit note for text a caller
hands in, nothing for one of a fixed set of constants."""

from __future__ import annotations

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source


def _rules(text: str, config: Config | None = None) -> list[str]:
    return [f.rule_id for f in analyze_source(text, "app/module.py", config or Config()).findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "from flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/c')\n"
            "def calc():\n    return str(eval(request.args['x']))\n",
            ["SR803"],
        ),
        (
            "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/p')\n"
            "def ping():\n    os.system('ping ' + request.form['h'])\n    return 'ok'\n",
            ["SR802"],
        ),
        ("answer = eval(input())\n", ["SR102"]),
        ("import sys\nexec(sys.stdin.read())\n", ["SR101"]),
        ("import os\nos.system(input())\n", ["SR802"]),
        ("import subprocess, sys\nsubprocess.run(sys.stdin.readline(), shell=True)\n", ["SR802"]),
        ("import os\nos.popen(os.environ['CMD'])\n", ["SR802"]),
    ],
)
def test_text_from_outside_gives_exactly_one_finding(text: str, expected: list[str]) -> None:
    assert _rules(text) == expected


def test_code_a_caller_hands_in_is_a_hardening_note_not_a_default_finding() -> None:
    text = "def calculate(expression):\n    return eval(expression)\n"
    assert _rules(text) == []
    [note] = analyze_source(text, "app/module.py", Config(select=("hardening",))).findings
    assert note.rule_id == "SR109"
    assert "calculate" in note.message


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("import subprocess, sys\nsubprocess.run(sys.argv[1], shell=True)\n", "SR207"),
        ("import os, sys\n\ndef main(args):\n    os.system('ls ' + args[0])\n\nmain(sys.argv[1:])\n", "SR207"),
        ("import sys\nexec(open(sys.argv[1]).read())\n", "SR109"),
    ],
)
def test_the_command_line_is_the_invoking_users_own(text: str, note: str) -> None:
    assert _rules(text) == []
    assert _rules(text, Config(select=("hardening",))) == [note]


def test_callback_parameters_are_what_a_peer_sent() -> None:
    text = "class Echo:\n    def dataReceived(self, chunk):\n        return eval(chunk)\n"
    assert _rules(text) == ["SR102"]


@pytest.mark.parametrize(
    "text",
    [
        "for name in ('a', 'b'):\n    eval(name)\n",
        "NAMES = ('a', 'b')\ndef pick(i):\n    return eval(NAMES[i])\n",
        "import sys\nv = sys.argv[1]\nif v not in ('a', 'b'):\n    sys.exit(2)\neval(v)\n",
        "import sys\nv = sys.argv[1]\nassert v in ('a', 'b')\neval(v)\n",
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--fn', choices=['a', 'b'])\n"
        "o = p.parse_args()\neval(o.fn)\n",
    ],
)
def test_one_of_a_fixed_set_of_constants_is_not_code_from_outside(text: str) -> None:
    assert [r for r in _rules(text) if r in {"SR101", "SR102", "SR109"}] == []


def test_a_check_that_does_not_leave_keeps_the_finding() -> None:
    text = "import os\nv = os.environ['FN']\nif v not in ('a', 'b'):\n    print(v)\neval(v)\n"
    assert "SR102" in _rules(text)


def test_shell_command_from_a_constant_tuple_is_a_fixed_command() -> None:
    text = "import subprocess\nfor cmd in ('ver', 'cmd /c ver'):\n    subprocess.check_output(cmd, shell=True)\n"
    assert analyze_source(text, "app/module.py", Config()).findings == []
    [finding] = analyze_source(text, "app/module.py", Config(select=("hardening",))).findings
    assert finding.rule_id == "SR208" and "fixed command" in finding.message


def test_shell_values_quoted_or_temporary_files_are_hardening_notes_and_others_are_findings() -> None:
    text = (
        "import os, shlex, subprocess, tempfile\n"
        "def show(text, args):\n"
        "    fd, name = tempfile.mkstemp()\n"
        "    os.system('/usr/bin/less ' + shlex.quote(name) + ' ' + name)\n"
        "    os.system('/usr/bin/printf %s ' + subprocess.list2cmdline(args))\n"
        "    os.system(f'/usr/bin/sort {text} {shlex.quote(name)}')\n"
        "    os.system(f'/usr/bin/sort {shlex.quote(text)} {other}')\n"
    )
    default = {f.span.start_line: f.rule_id for f in analyze_source(text, "app/module.py", Config()).findings}
    assert default == {6: "SR203", 7: "SR203"}
    hardening = analyze_source(text, "app/module.py", Config(select=("hardening",))).findings
    assert {f.span.start_line: f.rule_id for f in hardening} == {4: "SR208", 5: "SR208", 6: "SR203", 7: "SR203"}


def test_a_command_a_caller_hands_in_is_a_hardening_note_and_a_fixed_program_with_its_argument_is_not() -> None:
    text = (
        "import os\n"
        "def popen(cmd):\n"
        "    return os.popen(cmd)\n"
        "def lmkdir(path):\n"
        "    return os.system('mkdir %s' % path)\n"
    )
    assert [(f.rule_id, f.span.start_line) for f in analyze_source(text, "app/module.py", Config()).findings] == [
        ("SR203", 5)
    ]
    hardening = analyze_source(text, "app/module.py", Config(select=("hardening",))).findings
    assert sorted((f.rule_id, f.span.start_line) for f in hardening) == [("SR203", 5), ("SR207", 3)]
