"""Source text, its parse tree, and position conversion.

Parsing tolerates broken code: a statement that does not parse is blanked out
(line numbers are kept) and the rest of the file is parsed again, so findings
elsewhere in a file that is mid-edit stay live.
"""

from __future__ import annotations

import ast
import re
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .finding import Notice, Span

MAX_REPAIRS = 40
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


# Characters ``str.splitlines`` treats as line ends but the tokenizer does not.
_EXTRA_LINE_ENDS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """Split like the Python tokenizer does (only \\n, \\r\\n and \\r end a line)."""
    lines = text.splitlines(keepends)
    # Each extra line end before the last character makes one more line than the tokenizer's
    # line ends do: counting those is cheaper than searching the text for the extra ones.
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    if len(lines) == ends + (not text.endswith(("\n", "\r"))) and not _EXTRA_LINE_ENDS.match(text[-1:]):
        return lines
    lines = _LINE_RE.findall(text)
    if keepends:
        return lines
    return [line.rstrip("\r\n") for line in lines]


_NEWER_SYNTAX: tuple[tuple[re.Pattern[str], tuple[int, int], str], ...] = (
    (re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*(\[.*\])?\s*="), (3, 12), "`type` alias statements (PEP 695)"),
    (re.compile(r"^\s*(async\s+)?def\s+\w+\s*\["), (3, 12), "generic functions (PEP 695)"),
    (re.compile(r"^\s*class\s+\w+\s*\["), (3, 12), "generic classes (PEP 695)"),
    # Bounded, bracket-free runs keep the search linear on a line of thousands of brackets.
    (re.compile(r"\[[^\][]{0,200}?\b\w+\s*=\s*[^\][]{1,200}\]\s*[(:]"), (3, 13), "type parameter defaults (PEP 696)"),
    (re.compile(r"^\s*except\*?\s+[\w.]+\s*,\s*[\w.]+.*:"), (3, 14), "`except A, B:` without brackets (PEP 758)"),
    (re.compile(r"""(?<![\w])[tT][rR]?["']|(?<![\w])[rR][tT]["']"""), (3, 14), "template strings (PEP 750)"),
)


def _newer_syntax_hint(error: SyntaxError, line_text: str) -> tuple[tuple[int, int], str] | None:
    """Name the Python version a line needs when it fails only on older interpreters."""
    message = error.msg or ""
    running = sys.version_info[:2]
    if running < (3, 12) and message.startswith("f-string"):
        return (3, 12), "f-strings that reuse quotes, nest deeply, or contain backslashes/comments (PEP 701)"
    for pattern, version, feature in _NEWER_SYNTAX:
        if running < version and pattern.search(line_text):
            return version, feature
    return None


_BARE_EXCEPT_TUPLE = re.compile(r"^(\s*except\*?)\s+(?!\()([^:#]+,[^:#]+?)\s*:")


def _older_spelling(line_text: str) -> str | None:
    """The line spelled for older interpreters when it only uses newer syntax that has an
    equivalent: ``except A, B:`` (PEP 758) is ``except (A, B):``. ``None`` otherwise."""
    if sys.version_info >= (3, 14):
        return None
    match = _BARE_EXCEPT_TUPLE.match(line_text)
    if match is None or " as " in match.group(2):
        return None
    keyword, types = match.group(1), match.group(2)
    # "except " becomes "except(": columns stay put up to the closing bracket added before ':'.
    return f"{keyword}({types}){line_text[match.end() - 1 :]}" if line_text[len(keyword)] == " " else None


@dataclass
class ParseResult:
    tree: ast.Module
    notices: list[Notice] = field(default_factory=list)
    blanked_lines: frozenset[int] = frozenset()


_FILLER_WANTS_BODY = re.compile(r"expected an indented block after .* on line (\d+)")


def _filler_header(error: SyntaxError, lines: list[str], headers: set[int]) -> int | None:
    """The line of an "if True:" filler that ``error`` says lacks a body, if it is one."""
    match = _FILLER_WANTS_BODY.search(error.msg or "")
    if match is None:
        return None
    line = int(match.group(1))
    return line if line in headers and 0 < line <= len(lines) else None


def _blank_lines(lines: list[str], first: int, last: int, keep_pass: bool, header: bool = True) -> None:
    """Blank 1-based lines first..last in place; optionally leave an indented ``pass``
    (an ``if True:`` for a lone broken block header when ``header``)."""
    for number in range(first, last + 1):
        index = number - 1
        if not 0 <= index < len(lines):
            continue
        original = lines[index]
        body = original.rstrip("\r\n")
        # The line's own terminator, a lone \r made \n: "\r" followed by a line that starts
        # with "\n" would read as one \r\n and shift every line below.
        newline = "\n" if original.endswith("\r") else original[len(body) :]
        if keep_pass and number == first:
            indent = original[: len(original) - len(original.lstrip())]
            # A broken block header keeps its body parseable as an always-true block.
            is_header = header and original.split("#")[0].rstrip().endswith(":") and first == last
            filler = "if True:" if is_header else "pass"
            lines[index] = f"{indent}{filler}{newline}"
        elif index > 0 and lines[index - 1].endswith("\r") and newline:
            lines[index] = " " + newline  # whitespace keeps it apart from the \r above
        else:
            lines[index] = newline


# ``warnings.catch_warnings`` swaps a process-wide filter list: parses in several threads
# (the language server's workers) take turns so that none restores another's filters.
_QUIET = threading.RLock()


def parse_quietly(text: str, path: str = "<unknown>", mode: str = "exec") -> ast.AST:
    """``ast.parse`` without the warnings the compiler emits about the code it reads.

    Invalid escape sequences (``"\\d"``), ``1if x`` and the like make CPython warn
    (``SyntaxWarning`` on 3.12+, ``DeprecationWarning`` before); the code under review is
    not ours to warn about, and under ``-W error`` such a warning would become a
    ``SyntaxError``. Every parse in the analyzer goes through here.
    """
    with _QUIET, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path, mode=mode, type_comments=False)


def _parse_module(text: str, path: str) -> ast.Module:
    tree = parse_quietly(text, path)
    assert isinstance(tree, ast.Module)
    return tree


def parse_tolerant(
    text: str,
    path: str = "<unknown>",
    *,
    parse: Callable[[str, str], ast.Module] | None = None,
    split: list[str] | None = None,
) -> ParseResult:
    """Parse ``text``; on syntax errors blank the broken region and retry.

    Never raises for bad code: the worst case is an empty module with notices.
    ``parse(text, path)`` replaces ``ast.parse`` for the attempts; it must return the same
    tree or raise the same error (a caller may know part of the answer without parsing it),
    and parse through ``parse_quietly``. ``split``: ``split_lines(text, keepends=True)``
    when the caller has it (not changed here).
    """
    parse = parse or _parse_module
    lines: list[str] | None = None  # split at the first syntax error: most files have none
    original: list[str] = []
    notices: list[Notice] = []
    blanked: set[int] = set()
    attempts: dict[int, int] = {}
    headers: set[int] = set()  # lines blanked to an "if True:" filler
    current = text
    for _ in range(MAX_REPAIRS):
        try:
            tree = parse(current, path)
            return ParseResult(tree, notices, frozenset(blanked))
        except SyntaxError as error:
            if lines is None:
                lines = list(split) if split is not None else split_lines(text, keepends=True)
                original = list(lines)
            header = _filler_header(error, lines, headers)
            if header is not None:
                # Our own "if True:" filler wants a body the lines below do not give it (the
                # broken line was inside a block): make it a plain "pass" instead of blanking
                # line after line below it, each time with a full parse.
                headers.discard(header)
                _blank_lines(lines, header, header, keep_pass=True, header=False)
                current = "".join(lines)
                continue
            lineno = error.lineno or 1
            if lineno > len(lines):
                lineno = len(lines)
            if lineno < 1:
                break
            end = error.end_lineno or lineno
            if end < lineno or end > len(lines):
                end = lineno
            line_text = lines[lineno - 1] if lines else ""
            tries = attempts.get(lineno, 0)
            attempts[lineno] = tries + 1
            cascade = "indent" in (error.msg or "") and any(n in blanked for n in range(lineno - 3, lineno))
            if lineno not in blanked and not cascade:
                notices.append(_syntax_notice(error, lineno, line_text, path, original[lineno - 1]))
            message = error.msg or ""
            rewritten = _older_spelling(line_text) if tries == 0 else None
            if rewritten is not None:
                # Newer syntax with an older spelling: parse that, so the block stays intact.
                lines[lineno - 1] = rewritten
                current = "".join(lines)
                continue
            if "unexpected indent" in message or "unindent" in message or tries >= 1:
                # Second failure on the same line: widen to the whole statement above.
                first = lineno
                if tries >= 1:
                    first = _statement_start(lines, lineno)
                    end = max(end, lineno)
                _blank_lines(lines, first, end, keep_pass=False)
                blanked.update(range(first, end + 1))
            else:
                _blank_lines(lines, lineno, end, keep_pass=True)
                blanked.update(range(lineno, end + 1))
                if lines[lineno - 1].strip() == "if True:":
                    headers.add(lineno)
            repaired = "".join(lines)
            if repaired == current:
                # Nothing left to blank where the error points (past the last statement, such
                # as decorators with no function): blank the last statement above it.
                run = _last_statement_above(lines, lineno)
                if run is None:
                    break
                _blank_lines(lines, run[0], run[1], keep_pass=False)
                blanked.update(range(run[0], run[1] + 1))
                repaired = "".join(lines)
            current = repaired
        except (RecursionError, MemoryError, ValueError) as error:
            reason = "nesting is too deep" if not isinstance(error, ValueError) else str(error)
            notices.append(
                Notice("unparsable", f"the file cannot be parsed ({reason}); it was not analyzed", None, path)
            )
            return ParseResult(ast.Module(body=[], type_ignores=[]), notices, frozenset())
    notices.append(
        Notice("unparsable", "too many syntax errors to recover; only part of the file was analyzed", None, path)
    )
    try:
        tree = _parse_module(current, path)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        tree = ast.Module(body=[], type_ignores=[])
    return ParseResult(tree, notices, frozenset(blanked))


def _last_statement_above(lines: list[str], lineno: int) -> tuple[int, int] | None:
    """1-based first and last line of the last non-blank line at or above ``lineno``, with the
    run of decorators right above it; None when every line up there is blank."""
    last = min(lineno, len(lines))
    while last >= 1 and not lines[last - 1].strip():
        last -= 1
    if last < 1:
        return None
    indent = len(lines[last - 1]) - len(lines[last - 1].lstrip())
    first = last
    while first > 1:
        above = lines[first - 2]
        if not above.lstrip().startswith("@") or len(above) - len(above.lstrip()) != indent:
            break
        first -= 1
    return first, last


def _statement_start(lines: list[str], lineno: int) -> int:
    """Best-effort first line of the statement containing ``lineno``: walk up over
    lines that are more indented or look like continuations."""
    index = lineno - 1
    target = lines[index] if 0 <= index < len(lines) else ""
    indent = len(target) - len(target.lstrip())
    while index > 0:
        previous = lines[index - 1]
        stripped = previous.strip()
        if not stripped:
            break
        prev_indent = len(previous) - len(previous.lstrip())
        if prev_indent < indent or stripped.endswith((",", "(", "[", "{", "\\")):
            index -= 1
            indent = prev_indent
            if not stripped.endswith((",", "(", "[", "{", "\\")):
                break
        else:
            break
    return index + 1


def _syntax_notice(error: SyntaxError, lineno: int, line_text: str, path: str, original: str) -> Notice:
    """The notice for ``error`` on ``line_text`` (the line as parsed: possibly respelled, so
    its span is cut to the ``original`` line)."""
    col = max((error.offset or 1) - 1, 0)
    width = len(original.rstrip("\r\n"))
    span = Span(lineno, min(col, width), lineno, width)
    hint = _newer_syntax_hint(error, line_text)
    if hint is not None:
        (major, minor), feature = hint
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        return Notice(
            "newer-syntax",
            f"line {lineno} uses {feature}, which needs Python {major}.{minor}+ but the analyzer "
            f"runs on Python {running}; "
            + (
                "it was analyzed in its older spelling"
                if _older_spelling(line_text) is not None
                else "this statement was skipped, the rest of the file was analyzed"
            ),
            span,
            path,
        )
    return Notice(
        "syntax-error",
        f"syntax error: {error.msg} (line {lineno}); this statement was skipped, the rest of the file was analyzed",
        span,
        path,
    )


def _chars(text: str, byte_col: int) -> int:
    """The code-point column of UTF-8 byte column ``byte_col`` of a line's ``text``."""
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


class SourceFile:
    """A file's text with its tolerant parse and code-point positions."""

    def __init__(self, text: str, path: str = "<unknown>") -> None:
        self.text = text
        self.path = path
        self.lines: list[str] = split_lines(text)
        parsed = parse_tolerant(text, path)
        self.tree: ast.Module = parsed.tree
        self.notices: list[Notice] = parsed.notices
        self.blanked_lines = parsed.blanked_lines

    def mentions(self, word: str) -> bool:
        """Whether ``word`` occurs in the text (an editor's view of a big file answers from the
        pieces it is made of, which keep their answers between versions)."""
        return word in self.text

    def line(self, lineno: int) -> str:
        """Text of 1-based line ``lineno`` without its newline ('' if out of range)."""
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1]
        return ""

    def col_to_chars(self, lineno: int, byte_col: int) -> int:
        """Convert an ``ast`` UTF-8 byte column to a code-point column."""
        return _chars(self.line(lineno), byte_col)

    def span(self, node: ast.AST) -> Span:
        """The code-point span of an AST node (statement or expression)."""
        lineno = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or lineno
        end_col = getattr(node, "end_col_offset", None)
        # ``line`` and ``col_to_chars`` spelled out, each line read once (asked for every node a
        # rule or the taint analysis shows, this was several calls a node).
        lines = self.lines
        count = len(lines)
        first = lines[lineno - 1] if 1 <= lineno <= count else ""
        last = first if end_line == lineno else lines[end_line - 1] if 1 <= end_line <= count else ""
        if end_col is None:
            end_col = len(last.encode("utf-8"))
        return Span(
            lineno,
            col if first.isascii() else _chars(first, col),
            end_line,
            end_col if last.isascii() else _chars(last, end_col),
        )

    def segment(self, node: ast.AST) -> str:
        """Exact source text of a node."""
        return self.text_of(self.span(node))

    def text_of(self, span: Span) -> str:
        start, end = span.start_line, span.end_line
        if start == end:
            return self.line(start)[span.start_col : span.end_col]
        lines = self.lines
        if 1 <= start <= len(lines) and 1 <= end <= len(lines):
            return "\n".join(
                [lines[start - 1][span.start_col :], *lines[start : end - 1], lines[end - 1][: span.end_col]]
            )
        parts = [self.line(start)[span.start_col :]]
        parts.extend(self.line(n) for n in range(start + 1, end))
        parts.append(self.line(end)[: span.end_col])
        return "\n".join(parts)

    @cached_property
    def line_starts(self) -> list[int]:
        """Code-point offset of each line start in ``text`` (index 0 = line 1)."""
        starts = [0]
        for match in re.finditer(r"\r\n|\r|\n", self.text):
            starts.append(match.end())
        return starts
