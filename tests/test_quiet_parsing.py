"""The analyzer never prints the interpreter's warnings about the code it reads.

Invalid escape sequences, ``1if x`` and friends make ``ast.parse`` warn (SyntaxWarning on
Python 3.12+, DeprecationWarning before). Under ``-W error`` such a warning would turn into
a SyntaxError and lose the file; otherwise it lands on stderr, in an editor's log or in the
middle of a command-line report. Every parse goes through ``parse_quietly``: these tests run
the command line and the incremental analyzer in a child interpreter with warnings made
errors, and read its stderr.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import pytest

from secreview_ls.engine.source import parse_quietly

NOISY = textwrap.dedent(
    r"""
    import re
    import subprocess

    from fastapi import FastAPI

    app = FastAPI()

    PATTERN = "\d+\.\w"
    OTHER = b"\q"
    value = 1if PATTERN else 2
    number = 0x1for_ = 3
    if PATTERN is "abc" or 1 is 1:
        pass
    assert (PATTERN, "message")
    calls = [1, 2](3)

    @app.get("/run")
    def handler(q: "Annotated[str, Query('\d')]", r: "1if q else str"):
        command = q + "\s"
        subprocess.run(command, shell=True)
        return re.match("\d", command)

    def broken(:
        x = "\p"
    """
)

WARNING_WORDS = ("Warning", "invalid escape", "invalid decimal", "is not", '"is" with')


def _run(code: str, tmp_path: Path, action: str = "always") -> subprocess.CompletedProcess[str]:
    """Run ``code`` with every compile-time warning shown (``always``) or made an error."""
    (tmp_path / "noisy.py").write_text(NOISY, encoding="utf-8")
    flags = ["-W", f"{action}::SyntaxWarning", "-W", f"{action}::DeprecationWarning"]
    command = [sys.executable, *flags, "-c", code]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def _assert_quiet(stderr: str) -> None:
    for word in WARNING_WORDS:
        assert word not in stderr, stderr


CLI = "import sys; from secreview_ls.cli import main; sys.exit(main(['check', 'noisy.py', '--format', 'json']))"


def test_command_line_prints_no_syntax_warning(tmp_path: Path) -> None:
    done = _run(CLI, tmp_path)
    _assert_quiet(done.stderr)
    assert "request parameter `q`" in done.stdout, done.stdout  # the route was analyzed, not dropped


def test_warnings_as_errors_change_no_finding(tmp_path: Path) -> None:
    shown, strict = _run(CLI, tmp_path), _run(CLI, tmp_path, "error")
    _assert_quiet(strict.stderr)
    assert strict.stdout == shown.stdout
    assert strict.returncode == shown.returncode


def test_incremental_analyzer_prints_no_syntax_warning(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from pathlib import Path
        from secreview_ls.pipeline import IncrementalAnalyzer
        text = Path("noisy.py").read_text()
        analyzer = IncrementalAnalyzer("noisy.py")
        first = analyzer.analyze(text)
        analyzer.prepare()
        edited = text.replace('PATTERN = "\\\\d', 'PATTERN = "\\\\w\\\\d')
        assert edited != text
        second = analyzer.analyze(edited + 'more = "\\\\y"\\n')
        print(analyzer.stats.mode, len(first.findings), len(second.findings))
        assert first.findings and second.findings
        """
    )
    done = _run(code, tmp_path)
    assert done.returncode == 0, done.stderr
    _assert_quiet(done.stderr)


def test_parse_quietly_leaves_warning_filters_as_they_were() -> None:
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        tree = parse_quietly('x = "\\d"\ny = 1if x else 2\n')
    assert isinstance(tree, ast.Module)
    assert seen == []
    assert warnings.filters == before


def test_parse_quietly_in_many_threads_restores_filters() -> None:
    before = list(warnings.filters)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                parse_quietly('x = "\\d"\n' * 20)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert warnings.filters == before


@pytest.mark.parametrize("mode, text", [("eval", "a + '\\d'"), ("exec", "def f(:\n")])
def test_parse_quietly_still_reports_syntax(mode: str, text: str) -> None:
    if mode == "exec":
        with pytest.raises(SyntaxError):
            parse_quietly(text)
    else:
        assert isinstance(parse_quietly(text, mode=mode), ast.Expression)
