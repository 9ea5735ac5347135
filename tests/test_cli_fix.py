"""``secreview check --fix``, ``--fix-diff`` and ``--unsafe-fixes`` on real files: every
fixable rule's fixture lines rewritten exactly, previews, line ends, encodings, exit codes."""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from secreview_ls import cli
from secreview_ls.pipeline import Config, analyze_source
from secreview_ls.rules import registry

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*argv: str) -> int:
    return cli.main(["check", "--no-progress", *argv])


# -- every fixable rule, on its fixture lines ------------------------------------------

#: rule -> (fixture, {line: text after the fix}); lines not listed must not change.
REWRITES: dict[str, tuple[str, dict[int, str]]] = {
    "SR208": (
        "injection/shell.py",
        {
            19: '    subprocess.call(["/bin/ls", "-l", "/tmp"])  # expect: SR208',
        },
    ),
    "SR301": (
        "crypto/hashes.py",
        {
            46: "    mac = hashlib.sha1(key + host.encode(), usedforsecurity=False).digest()  # expect: SR301",
            60: "    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()  # expect: SR301",
            88: "    return hashlib.md5(data, usedforsecurity=False).hexdigest()  # expect: SR301",
            107: '        return hashlib.sha1("|".join(values).encode(), usedforsecurity=False).hexdigest()  # expect: SR301',
            116: '    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()  # expect: SR301',
            130: "    return hashlib.sha1(data, usedforsecurity=False)  # expect: SR301",
        },
    ),
    "SR314": (
        "crypto/mac_comparisons.py",
        {
            17: '    if not hmac.compare_digest(hmac.new(WEBHOOK_KEY, body, hashlib.sha256).hexdigest(), request.headers["X-Hub-Signature"]):  # expect: SR314',
            24: "    return hmac.compare_digest(token, computed)  # expect: SR314",
            36: "    return hmac.compare_digest(mac.digest(), signature)  # expect: SR314",
            40: '    return hmac.compare_digest(hmac.digest(key, message, "sha256"), provided)  # expect: SR314',
            45: "    if not hmac.compare_digest(encoded, tag):  # expect: SR314",
            58: "    return hmac.compare_digest(signer.finalize(), signature)  # expect: SR314",
            67: "        return hmac.compare_digest(digest, header.lower())  # expect: SR314",
        },
    ),
    "SR401": (
        "deserialization/loaders.py",
        {
            13: "    unsafe = yaml.safe_load(stream)  # expect: SR401",
        },
    ),
    "SR501": (
        "network/http_clients.py",
        {
            8: "    requests.get(url, timeout=5)  # expect: SR501",
            9: "    requests.post(url, data={})  # expect: SR501, SR502",
            10: "    httpx.get(url)  # expect: SR501",
            11: "    client = httpx.Client()  # expect: SR501",
            16: "    session.get(url)  # expect: SR501",
        },
    ),
    "SR601": (
        "web/flask_app.py",
        {
            13: "    app.run(debug=False)  # expect: SR601",
            14: '    app.run(host="127.0.0.1", port=5000, debug=False)  # expect: SR601',
            17: '    run_simple("127.0.0.1", 5000, app, use_debugger=False)  # expect: SR601',
        },
    ),
    "SR602": (
        "web/templates.py",
        {
            9: "off = Environment(loader=loader, autoescape=True)  # expect: SR602",
        },
    ),
    "SR606": (
        "web/django_views.py",
        {
            20: '    response.set_cookie("sid", user.sid, secure=True, httponly=True)  # expect: SR606',
            22: '    response.set_cookie("theme", "dark", httponly=True)  # expect: SR606',
        },
    ),
    "SR703": (
        "files/temp.py",
        {
            11: '    fd, path = tempfile.mkstemp(suffix=".txt")\n    os.close(fd)  # expect: SR703',
            12: "    fd, other = tempfile.mkstemp()\n    os.close(fd)  # expect: SR703",
        },
    ),
}


def test_every_fixable_rule_has_a_rewrite_case() -> None:
    fixable = {r.id for r in registry.all_rules() if r.fixable}
    assert fixable == set(REWRITES)


def _expected(original: str, rewrites: dict[int, str]) -> str:
    lines = original.split("\n")
    for line, text in rewrites.items():
        lines[line - 1] = text
    return "\n".join(lines)


def _lines_with(path: Path, rule_id: str) -> set[int]:
    config = Config(root=path.parent, select=(rule_id,))
    return {
        f.span.start_line
        for f in analyze_source(path.read_text(encoding="utf-8"), str(path), config).findings
        if f.rule_id == rule_id
    }


@pytest.mark.parametrize("rule_id", sorted(REWRITES))
def test_fix_rewrites_the_fixture_lines_exactly(
    rule_id: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture, rewrites = REWRITES[rule_id]
    target = project / Path(fixture).name
    shutil.copyfile(FIXTURES / fixture, target)
    original = target.read_text(encoding="utf-8")
    assert set(rewrites) <= _lines_with(target, rule_id)
    unsafe = registry.get(rule_id).fix_safety == "unsafe"  # type: ignore[union-attr]

    run("--fix", "--select", rule_id, target.name)
    err = capsys.readouterr().err
    if unsafe:  # --fix alone leaves an unsafe fix out and says how to apply it
        assert target.read_text(encoding="utf-8") == original
        assert "Fixed 0 findings" in err and "--unsafe-fixes" in err
        run("--fix", "--unsafe-fixes", "--select", rule_id, target.name)
        err = capsys.readouterr().err
    fixed = target.read_text(encoding="utf-8")
    assert fixed == _expected(original, rewrites)
    ast.parse(fixed)
    assert f"Fixed {len(rewrites)} finding" in err
    moved = {line + sum(text.count("\n") for at, text in rewrites.items() if at < line) for line in rewrites}
    assert not moved & _lines_with(target, rule_id)


def test_a_safe_fix_is_applied_without_unsafe_fixes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n")
    assert run("--fix", "app.py") == 0
    assert (project / "app.py").read_text() == "from flask import Flask\napp = Flask(__name__)\napp.run(debug=False)\n"
    captured = capsys.readouterr()
    assert "No findings" in captured.out
    assert captured.err == "fixed app.py: 1 finding (SR601)\nFixed 1 finding (0 remaining).\n"


# -- preview ---------------------------------------------------------------------------

MIXED = (
    "import hashlib\n"
    "from flask import Flask\n"
    "app = Flask(__name__)\n"
    "digest = hashlib.md5(b'x').hexdigest()\n"
    "app.run(debug=True)\n"
)


def test_fix_diff_prints_the_diff_and_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "app.py"
    path.write_text(MIXED)
    before = path.stat().st_mtime_ns
    assert run("--fix-diff", "app.py") == 1
    captured = capsys.readouterr()
    assert path.read_text() == MIXED and path.stat().st_mtime_ns == before
    assert captured.out == (
        "--- a/app.py\n"
        "+++ b/app.py\n"
        "@@ -2,4 +2,4 @@\n"
        " from flask import Flask\n"
        " app = Flask(__name__)\n"
        " digest = hashlib.md5(b'x').hexdigest()\n"
        "-app.run(debug=True)\n"
        "+app.run(debug=False)\n"
    )
    assert "would fix app.py: 1 finding (SR601)\nWould fix 1 finding.\n" in captured.err
    assert "1 more finding has a fix that may change behaviour" in captured.err

    assert run("--fix-diff", "--unsafe-fixes", "app.py") == 1
    out = capsys.readouterr().out
    assert out.endswith(
        "-digest = hashlib.md5(b'x').hexdigest()\n"
        "-app.run(debug=True)\n"
        "+digest = hashlib.md5(b'x', usedforsecurity=False).hexdigest()\n"
        "+app.run(debug=False)\n"
    )
    assert path.read_text() == MIXED


def test_fix_diff_marks_a_last_line_without_newline(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)")
    assert run("--fix-diff", "app.py") == 1
    assert capsys.readouterr().out.endswith(
        "-app.run(debug=True)\n\\ No newline at end of file\n+app.run(debug=False)\n\\ No newline at end of file\n"
    )


def test_fix_diff_with_nothing_to_fix_exits_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text("import yaml\nyaml.load(open('x'), Loader=yaml.Loader)\n")  # no fix offered
    assert run("--fix-diff", "app.py") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "Would fix 0 findings." in captured.err


# -- line ends, encodings, links, broken files ----------------------------------------


def test_crlf_file_stays_crlf(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "app.py"
    path.write_bytes(
        b"import os, tempfile\r\nfrom flask import Flask\r\napp = Flask(__name__)\r\n"
        b"name = tempfile.mktemp()\r\napp.run(debug=True)\r\n"
    )
    assert run("--fix", "--unsafe-fixes", "app.py") == 0
    assert path.read_bytes() == (
        b"import os, tempfile\r\nfrom flask import Flask\r\napp = Flask(__name__)\r\n"
        b"fd, name = tempfile.mkstemp()\r\nos.close(fd)\r\napp.run(debug=False)\r\n"
    )
    assert "Fixed 2 findings (0 remaining)." in capsys.readouterr().err


def test_encoding_and_byte_order_mark_are_kept(project: Path) -> None:
    latin = project / "latin.py"
    latin.write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom flask import Flask\nname = '\xe9t\xe9'\nFlask(__name__).run(debug=True)\n"
    )
    bom = project / "bom.py"
    bom.write_bytes(
        b"\xef\xbb\xbffrom flask import Flask\nname = '\xc3\xa9t\xc3\xa9'\nFlask(__name__).run(debug=True)\n"
    )
    assert run("--fix", "latin.py", "bom.py") == 0
    assert latin.read_bytes() == (
        b"# -*- coding: latin-1 -*-\nfrom flask import Flask\nname = '\xe9t\xe9'\nFlask(__name__).run(debug=False)\n"
    )
    assert bom.read_bytes() == (
        b"\xef\xbb\xbffrom flask import Flask\nname = '\xc3\xa9t\xc3\xa9'\nFlask(__name__).run(debug=False)\n"
    )


def test_fix_writes_through_a_symbolic_link_and_keeps_permissions(project: Path) -> None:
    real = project / "real_app.py"
    real.write_text("from flask import Flask\nFlask(__name__).run(debug=True)\n")
    real.chmod(0o640)
    link = project / "app.py"
    link.symlink_to(real.name)
    assert run("--fix", "app.py") == 0
    assert link.is_symlink()
    assert real.read_text() == "from flask import Flask\nFlask(__name__).run(debug=False)\n"
    assert oct(real.stat().st_mode & 0o777) == oct(0o640)
    assert not [p for p in os.listdir(project) if p.endswith(".fix")]


def test_a_file_with_a_syntax_error_is_left_alone(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "from flask import Flask\nFlask(__name__).run(debug=True)\ndef broken(:\n    pass\n"
    path = project / "app.py"
    path.write_text(text)
    run("--fix", "app.py")
    assert path.read_text() == text
    err = capsys.readouterr().err
    assert "app.py: the file does not compile (syntax error); nothing was changed" in err
    assert "Fixed 0 findings" in err


def test_a_baselined_finding_is_not_fixed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = (
        "from flask import Flask\nfrom werkzeug.serving import run_simple\napp = Flask(__name__)\napp.run(debug=True)\n"
    )
    path = project / "app.py"
    path.write_text(head)
    assert cli.main(["baseline", "create", "--no-progress", "app.py", "-o", "base.json"]) == 0
    path.write_text(head + "run_simple('h', 1, app, use_debugger=True)\n")
    assert run("--fix", "--baseline", "base.json", "app.py") == 0
    assert path.read_text() == head + "run_simple('h', 1, app, use_debugger=False)\n"
    assert "Fixed 1 finding (0 remaining)." in capsys.readouterr().err


# -- exit codes and refused combinations ------------------------------------------------


def test_exit_code_follows_the_remaining_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text(MIXED)
    assert run("--fix", "app.py") == 1  # the MD5 finding remains (its fix is unsafe)
    captured = capsys.readouterr()
    assert "SR301" in captured.out and "SR601" not in captured.out
    assert "Fixed 1 finding (1 remaining)." in captured.err
    assert run("--fix", "--unsafe-fixes", "app.py") == 0
    assert "Fixed 1 finding (0 remaining)." in capsys.readouterr().err
    (project / "app.py").write_text(MIXED)
    assert run("--fix", "--exit-zero", "app.py") == 0


def test_machine_formats_stay_parseable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    (project / "app.py").write_text(MIXED)
    assert run("--fix", "--format", "json", "app.py") == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [f["rule_id"] for f in report["findings"]] == ["SR301"]
    assert "Fixed 1 finding (1 remaining)." in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--unsafe-fixes", "app.py"], "--unsafe-fixes only applies with --fix or --fix-diff"),
        (["--fix", "-"], "cannot fix standard input"),
        (["--fix-diff", "--format", "json", "app.py"], "does not combine with --format"),
    ],
)
def test_refused_combinations(argv: list[str], message: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text(MIXED)
    assert run(*argv) == 2
    assert message in capsys.readouterr().err
    assert (project / "app.py").read_text() == MIXED


def test_diff_option_keeps_its_meaning_next_to_fix(project: Path) -> None:
    """``--diff REV`` still narrows to changed lines; the preview is ``--fix-diff``."""
    parser = cli.build_parser()
    args = parser.parse_args(["check", "--fix", "--diff", "HEAD", "."])
    assert args.diff == "HEAD" and args.fix and not args.fix_diff


def test_a_finding_a_fix_brings_out_is_fixed_in_the_next_round(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SR601 reports only the first debugger switch of a call; once it is off, the next one."""
    path = project / "srv.py"
    path.write_text(
        "from werkzeug.serving import run_simple\nrun_simple('h', 1, app, use_debugger=True, use_evalex=True)\n"
    )
    assert run("--fix", "srv.py") == 0
    assert path.read_text() == (
        "from werkzeug.serving import run_simple\nrun_simple('h', 1, app, use_debugger=False, use_evalex=False)\n"
    )
    assert "Fixed 2 findings (0 remaining)." in capsys.readouterr().err


def test_one_fix_for_two_findings_counts_both(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "views.py"
    path.write_text("def view(response, sid):\n    response.set_cookie('sid', sid, secure=False, httponly=False)\n")
    assert run("--fix", "--unsafe-fixes", "views.py") == 0
    assert (
        path.read_text()
        == "def view(response, sid):\n    response.set_cookie('sid', sid, secure=True, httponly=True)\n"
    )
    assert "fixed views.py: 2 findings (SR606 ×2)\nFixed 2 findings (0 remaining).\n" in capsys.readouterr().err


def test_a_file_changed_meanwhile_is_not_replaced(project: Path) -> None:
    from secreview_ls.cli.fixing import replace_file

    path = project / "app.py"
    path.write_bytes(b"edited by someone else\n")
    assert replace_file(path, b"what was read\n", b"fixed\n") is False
    assert path.read_bytes() == b"edited by someone else\n"
    assert replace_file(path, b"edited by someone else\n", b"fixed\n") is True
    assert path.read_bytes() == b"fixed\n"
    assert sorted(p.name for p in project.iterdir()) == ["app.py", "pyproject.toml"]
