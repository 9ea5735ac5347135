"""The one analysis pipeline: configuration → selected rules → findings.

This is the only module that composes the engine and the rule catalogue.
Every face (CLI, language server, reports) calls ``analyze_source`` or
``analyze_path``; none of them runs rules directly.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import time
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import Any

from .config import Config
from .engine.facts import ModuleFacts
from .engine.finding import Finding, Notice, Span
from .engine.redaction import Redactor
from .engine.secret_values import scrub
from .engine.source import SourceFile, split_lines
from .engine.suppressions import Suppression, parse_suppressions
from .rules import registry
from .rules.base import Rule, RuleContext, TextContext
from .rules.taint_rules import cleared_sinks


@dataclass
class AnalysisResult:
    """Findings and notices for one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    is_test: bool = False
    rules_run: tuple[str, ...] = ()
    facts: ModuleFacts | None = None
    evidence: dict[str, list[str]] = field(default_factory=dict)


def module_name_for(path: str | Path, root: Path | None) -> str:
    """Dotted module name of ``path`` relative to ``root`` (best effort)."""
    candidate = Path(path)
    if root is not None:
        try:
            candidate = candidate.resolve().relative_to(root.resolve())
        except (ValueError, OSError):
            pass
    parts = list(candidate.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in parts if p.isidentifier())


def analyze_source(
    text: str,
    path: str = "<unknown>",
    config: Config | None = None,
    *,
    rules: Sequence[Rule] | None = None,
    options: dict[str, Any] | None = None,
) -> AnalysisResult:
    """Analyze one file's text. Pure: reads nothing, writes nothing, never raises for bad code."""
    config = config or Config()
    result = AnalysisResult(path=path)
    refusal = _refusal(text, path, config)
    if refusal is not None:
        result.notices.append(refusal)
        return result
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
        result.notices.append(
            Notice("invalid-text", "file contains unpaired surrogates; they were replaced before analysis", None, path)
        )

    source = SourceFile(text, path)
    result.notices.extend(source.notices)
    facts = ModuleFacts(source, module_name_for(path, config.root) if path != "<unknown>" else "")
    result.facts = facts
    is_test = config.is_test_path(path) if path not in ("", "<unknown>") else False
    result.is_test = is_test
    selected = list(rules) if rules is not None else selected_rules(config, path)
    result.rules_run = tuple(r.id for r in selected)
    ctx = RuleContext(source=source, facts=facts, is_test=is_test, options=dict(options or {}))
    ctx.options.setdefault("config", config)
    text_ctx = TextContext(path, text, source.lines, is_test, ctx.options, ctx.evidence)

    deadline = time.monotonic() + config.timeout
    raw: list[tuple[Rule, Finding]] = []
    for current in selected:
        if time.monotonic() > deadline:
            result.notices.append(
                Notice(
                    "timeout",
                    f"analysis stopped after {config.timeout:g} s (`timeout`); "
                    f"rules not run: {', '.join(r.id for r in selected[selected.index(current):])}",
                    None,
                    path,
                )
            )
            break
        try:
            for found in current.check(text_ctx if current.kind == "text" else ctx):  # type: ignore[arg-type]
                raw.append((current, found))
        except RecursionError:
            result.notices.append(
                Notice("too-deep", f"{current.id} skipped: the code is nested too deeply", None, path)
            )
        except Exception as error:  # a rule bug must not hide the other rules' findings
            result.notices.append(
                Notice("rule-error", f"{current.id} failed on this file: {type(error).__name__}: {error}", None, path)
            )

    result.evidence = ctx.evidence
    finish_findings(result, raw, config, text, source.lines, parse_suppressions(text), lambda _: facts)
    return result


def finish_findings(
    result: AnalysisResult,
    raw: list[tuple[Rule, Finding]],
    config: Config,
    text: str,
    lines: list[str],
    suppressions: list[Suppression],
    facts_for: Callable[[list[Finding]], ModuleFacts | None],
) -> None:
    """The steps after the rules ran, shared by every pipeline: taint preference, test-code
    context, thresholds, suppressions, dedupe, credential masking, fingerprints.

    ``facts_for(findings)`` gives the module facts covering those findings (statement
    extents and enclosing definitions), or None for files that are not Python."""
    raw = _drop_cleared(_prefer_taint(raw), result.evidence)
    kept = _apply_context(raw, config, result.is_test)
    kept = [f for f in kept if f.severity >= config.severity and f.confidence >= config.confidence]
    facts = facts_for(kept) if suppressions else None
    kept, suppressed, notices = _apply_suppressions(kept, suppressions, facts, config, result.path)
    result.notices.extend(notices)
    result.findings = _dedupe(kept)
    result.suppressed = sorted(suppressed, key=Finding.sort_key)
    everything = [*result.findings, *result.suppressed]
    _mask_credential_snippets(everything, text, result.path, lines)
    _assign_fingerprints(everything, facts_for(everything))


def _mask_credential_snippets(findings: list[Finding], text: str, path: str, lines: list[str]) -> None:
    """Credentials never leave the pipeline in full: they are masked in every snippet,
    message and flow note, whichever rule reported the line; a fix whose replacement text
    would print one is not offered (applying a masked value would break the code)."""
    if not findings:
        return
    redactor = _redactor_near(findings, text, path, lines)
    for found in findings:
        if found.cwe == 798 and found.span.start_line == found.span.end_line:
            redactor.add(found.span.start_line, found.span.start_col, found.span.end_col)
    secrets = redactor.secret_values()
    for found in findings:
        if found.cwe == 798 or redactor.ranges(found.span.start_line):
            found.snippet = redactor.line(found.span.start_line).strip()
        if not secrets:
            continue
        found.snippet = scrub(found.snippet, secrets)
        found.message = scrub(found.message, secrets)
        if any(value in step.note for step in found.flow for value in secrets):
            found.flow = tuple(replace(step, note=scrub(step.note, secrets)) for step in found.flow)
        if found.fix is not None and any(
            value in piece for piece in (found.fix.title, *(e.new_text for e in found.fix.edits)) for value in secrets
        ):
            found.fix = None


#: Lines around a shown line that can decide whether it holds a credential (an AWS secret
#: key is recognised within three lines of its key id).
_SECRET_CONTEXT = 3


def _redactor_near(findings: list[Finding], text: str, path: str, lines: list[str]) -> Redactor:
    """A redactor that knows the credentials on and around the lines the findings show
    (their own lines and those of their flow steps); other lines are left blank, so the
    cost follows the findings, not the file. Private key blocks span many lines: a file
    with one is read whole."""
    wanted: set[int] = set()
    for found in findings:
        spans = [found.span, *(step.span for step in found.flow if step.path in (None, found.path))]
        for span in spans:
            wanted.update(range(span.start_line - _SECRET_CONTEXT, span.end_line + _SECRET_CONTEXT + 1))
    if len(wanted) * 2 >= len(lines) or "PRIVATE KEY" in text:
        return Redactor(text, path, lines)
    sparse = [line if number in wanted else "" for number, line in enumerate(lines, start=1)]
    return Redactor("\n".join(sparse), path, sparse)


def _prefer_taint(raw: list[tuple[Rule, Finding]]) -> list[tuple[Rule, Finding]]:
    """Where a taint rule reports a sink, drop pattern findings of the same CWE on it, or on
    a line its path goes through (the query built on one line and run on the next): the
    taint finding says the same thing and names the source."""
    tainted = [f for r, f in raw if r.taint]
    if not tainted:
        return raw
    kept: list[tuple[Rule, Finding]] = []
    for current, found in raw:
        if not current.taint:
            same = [t for t in tainted if t.cwe == found.cwe]
            covering = [t for t in same if _overlaps(t.span, found.span)]
            if covering:
                # The pattern rule's safe rewrite still applies to the tainted sink.
                for taint_finding in covering:
                    if taint_finding.fix is None and found.fix is not None:
                        taint_finding.fix = found.fix
                continue
            if any(_on_path(t, found) for t in same):
                continue
        kept.append((current, found))
    return kept


def _on_path(tainted: Finding, found: Finding) -> bool:
    """Whether ``found`` starts on a line of ``tainted``'s path, in the same file."""
    line = found.span.start_line
    return any(
        step.path in (None, found.path) and step.span.start_line <= line <= step.span.end_line
        for step in tainted.flow
    )


def _drop_cleared(raw: list[tuple[Rule, Finding]], evidence: dict[str, list[str]] | None) -> list[tuple[Rule, Finding]]:
    """Drop pattern findings on a sink the taint analysis cleared: every value its argument is
    built from is a constant or was cleaned for that class (an allowlist check, say)."""
    cleared = cleared_sinks(evidence or {})
    if not cleared:
        return raw
    return [
        (current, found)
        for current, found in raw
        if current.taint or (found.span.start_line, found.span.start_col, found.cwe) not in cleared
    ]


def _overlaps(a: Span, b: Span) -> bool:
    return (a.start_line, a.start_col) < (b.end_line, b.end_col) and (b.start_line, b.start_col) < (
        a.end_line,
        a.end_col,
    )


def _assign_fingerprints(findings: list[Finding], facts: ModuleFacts | None) -> None:
    """Fingerprint = rule + enclosing definition + normalized statement text + occurrence.

    Line numbers are left out, so edits elsewhere in the file keep fingerprints stable.
    """
    scope_at = _scope_finder(_definition_scopes(facts) if facts is not None else [])
    seen: dict[str, int] = {}
    for found in sorted(findings, key=Finding.sort_key):
        scope = scope_at(found.span.start_line)
        statement = " ".join(found.snippet.split())
        key = f"{found.rule_id}|{scope}|{statement}"
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256(f"{key}|{index}".encode("utf-8", errors="replace")).hexdigest()
        found.fingerprint = digest[:32]


def _definition_scopes(facts: ModuleFacts) -> list[tuple[int, int, str]]:
    scopes: list[tuple[int, int, str]] = []
    for node in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        names = [node.name]  # type: ignore[attr-defined]
        for ancestor in facts.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(ancestor.name)
        scopes.append((node.lineno, node.end_lineno or node.lineno, ".".join(reversed(names))))  # type: ignore[attr-defined]
    return scopes


def _scope_finder(scopes: list[tuple[int, int, str]]) -> Callable[[int], str]:
    """``_scope_at`` over ``scopes`` in logarithmic time when definitions nest properly
    (they always do in a parse tree): the innermost definition holding a line."""
    named: dict[tuple[int, int], str] = {}
    for first, last, name in scopes:
        named.setdefault((first, last), name)  # of equal extents the first one wins
    extents = sorted(named, key=lambda e: (e[0], -e[1]))
    parents: list[int] = []
    stack: list[int] = []
    for index, (first, last) in enumerate(extents):
        while stack and extents[stack[-1]][1] < first:
            stack.pop()
        if stack and extents[stack[-1]][1] < last:
            return lambda line: _scope_at(scopes, line)  # overlapping extents: scan them all
        parents.append(stack[-1] if stack else -1)
        stack.append(index)
    firsts = [first for first, _ in extents]

    def scope_at(line: int) -> str:
        index = bisect.bisect_right(firsts, line) - 1
        while index >= 0 and extents[index][1] < line:
            index = parents[index]
        return named[extents[index]] if index >= 0 else ""

    return scope_at


def _scope_at(scopes: list[tuple[int, int, str]], line: int) -> str:
    best = ""
    best_size = None
    for first, last, name in scopes:
        if first <= line <= last and (best_size is None or last - first < best_size):
            best, best_size = name, last - first
    return best


def _refusal(text: str, path: str, config: Config) -> Notice | None:
    """Why a text is not analyzed at all (over the size limit, binary), or None."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > config.max_file_size:
        return Notice(
            "too-large",
            f"file is {size:,} bytes, over the {config.max_file_size:,}-byte limit "
            "(`max-file-size`); it was not analyzed",
            Span(1, 0, 1, 0),
            path,
        )
    if "\x00" in text:
        return Notice("binary", "file contains NUL bytes (binary data?); it was not analyzed", Span(1, 0, 1, 0), path)
    return None


def selected_rules(config: Config, path: str | Path | None = None) -> list[Rule]:
    """The rules the configuration selects (and per-file ignores keep) for ``path``."""
    ignored = set(config.ignore)
    if path is not None:
        ignored.update(config.ignored_for(path))
    chosen: list[Rule] = []
    for current in registry.all_rules():
        codes = {current.id, *current.bandit, *current.ruff}
        if config.select and not any(c.startswith(s) for s in config.select for c in codes):
            continue
        if not current.default_enabled and not any(s in codes for s in config.select):
            continue  # opt-in rules need their exact code in `select`
        if any(c.startswith(i) for i in ignored for c in codes):
            continue
        chosen.append(current)
    return chosen


def unknown_rule_codes(codes: Iterable[str]) -> list[str]:
    """Codes (or prefixes) in ``codes`` that match no rule, Bandit or Ruff code."""
    known = registry.known_codes()
    return [c for c in codes if not any(k.startswith(c.upper()) for k in known)]


def config_notices(config: Config) -> list[Notice]:
    """Problems in a valid-but-suspicious configuration (unknown rule ids)."""
    notices: list[Notice] = []
    where = str(config.source_file) if config.source_file else "configuration"
    for key, codes in (("select", config.select), ("ignore", config.ignore)):
        for code in unknown_rule_codes(codes):
            notices.append(Notice("unknown-rule", f"{where}: `{key}` names unknown rule `{code}`", None, where))
    for pattern, codes in config.per_file_ignores.items():
        for code in unknown_rule_codes(codes):
            notices.append(
                Notice("unknown-rule", f"{where}: per-file-ignores[{pattern!r}] names unknown rule `{code}`", None, where)
            )
    return notices


def _apply_context(raw: list[tuple[Rule, Finding]], config: Config, is_test: bool) -> list[Finding]:
    if not is_test or config.test_code == "strict":
        return [f for _, f in raw]
    return [f for r, f in raw if r.relevant_in_tests]


def _suppression_matches(suppression: Suppression, found: Finding) -> bool:
    if not suppression.codes:
        return suppression.kind != "noqa"
    current = registry.get(found.rule_id)
    codes = {found.rule_id}
    if current is not None:
        codes.update(current.bandit if suppression.kind != "noqa" else ())
        codes.update(current.ruff)
    return any(code in codes for code in suppression.codes)


def _apply_suppressions(
    findings: list[Finding],
    suppressions: list[Suppression],
    facts: ModuleFacts | None,
    config: Config,
    path: str,
) -> tuple[list[Finding], list[Finding], list[Notice]]:
    notices: list[Notice] = []
    if not suppressions:
        return findings, [], notices
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault(suppression.line, []).append(suppression)
    statement_lines = _statement_extents(facts) if facts is not None else {}
    used: set[Suppression] = set()
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for found in findings:
        lines = set(range(found.span.start_line, found.span.end_line + 1))
        extent = statement_lines.get(found.span.start_line)
        if extent is not None:
            lines.update(range(extent[0], extent[1] + 1))
        hit = None
        for line in sorted(lines):
            for suppression in by_line.get(line, ()):
                if _suppression_matches(suppression, found):
                    hit = suppression
                    break
            if hit:
                break
        if hit is None:
            kept.append(found)
        else:
            used.add(hit)
            suppressed.append(found)
    known = registry.known_codes()
    for suppression in suppressions:
        unknown = [c for c in suppression.codes if c not in known]
        if suppression.kind == "noqa":

            unknown = [c for c in unknown if c.startswith("S") and c[1:].isdigit()]
        if unknown:
            notices.append(
                Notice(
                    "unknown-suppression",
                    f"suppression names unknown rule {', '.join(unknown)}",
                    suppression.span,
                    path,
                )
            )
        elif (
            config.report_unused_suppressions
            and suppression.kind == "secreview"
            and suppression not in used
        ):
            notices.append(
                Notice("unused-suppression", "suppression comment matches no finding on this line", suppression.span, path)
            )
    return kept, suppressed, notices


def _statement_extents(facts: ModuleFacts) -> dict[int, tuple[int, int]]:
    """Map each line to the (first, last) line of the simple statement that covers it."""
    extents: dict[int, tuple[int, int]] = {}
    for node in facts.nodes(ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Call):
        first = getattr(node, "lineno", None)
        last = getattr(node, "end_lineno", None)
        if first is None or last is None or first == last:
            continue
        for line in range(first, last + 1):
            current = extents.get(line)
            if current is None or (last - first) > (current[1] - current[0]):
                extents[line] = (first, last)
    return extents


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, Span]] = set()
    unique: list[Finding] = []
    for found in sorted(findings, key=Finding.sort_key):
        key = (found.rule_id, found.span)
        if key in seen:
            continue
        seen.add(key)
        unique.append(found)
    return unique


# -- reading files --------------------------------------------------------------


@dataclass
class ReadResult:
    text: str | None
    notice: Notice | None = None


def read_source(path: Path, config: Config) -> ReadResult:
    """Read a file for analysis: size limit, binary detection, PEP 263 encodings."""
    try:
        size = path.stat().st_size
    except OSError as error:
        return ReadResult(None, Notice("unreadable", f"cannot read: {error.strerror or error}", None, str(path)))
    if size > config.max_file_size:
        return ReadResult(
            None,
            Notice(
                "too-large",
                f"file is {size:,} bytes, over the {config.max_file_size:,}-byte limit (`max-file-size`); skipped",
                None,
                str(path),
            ),
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        return ReadResult(None, Notice("unreadable", f"cannot read: {error.strerror or error}", None, str(path)))
    return decode_source(data, str(path))


def decode_source(data: bytes, path: str) -> ReadResult:
    """Decode source bytes the way Python would; binary or undecodable data gets a notice."""
    if b"\x00" in data[:8192]:
        return ReadResult(None, Notice("binary", "looks like a binary file (NUL bytes); skipped", None, path))
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except SyntaxError as error:
        return ReadResult(None, Notice("undecodable", f"cannot determine the encoding: {error}", None, path))
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        return ReadResult(
            None,
            Notice("undecodable", f"not valid {encoding} ({error}); skipped", None, path),
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return ReadResult(text)


def analyze_path(path: Path, config: Config, *, options: dict[str, Any] | None = None) -> AnalysisResult:
    """Read and analyze one file from disk."""
    read = read_source(path, config)
    if read.text is None:
        result = AnalysisResult(path=str(path))
        if read.notice is not None:
            result.notices.append(read.notice)
        return result
    return analyze_source(read.text, str(path), config, options=options)


# -- files that are not Python ------------------------------------------------------

PYTHON_SUFFIXES = frozenset({".py", ".pyi", ".pyw"})


def is_python_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PYTHON_SUFFIXES


def analyze_text_file(
    text: str,
    path: str,
    config: Config | None = None,
    *,
    options: dict[str, Any] | None = None,
) -> AnalysisResult:
    """Run the text rules (key formats, credentials in config files, ...) on a non-Python file."""
    config = config or Config()
    result = AnalysisResult(path=path)
    refusal = _refusal(text, path, config)
    if refusal is not None:
        result.notices.append(refusal)
        return result
    is_test = config.is_test_path(path)
    result.is_test = is_test
    selected = [r for r in selected_rules(config, path) if r.kind == "text"]
    result.rules_run = tuple(r.id for r in selected)
    ctx = TextContext(path, text, split_lines(text), is_test, {"config": config, **(options or {})})
    raw: list[tuple[Rule, Finding]] = []
    for current in selected:
        try:
            raw.extend((current, found) for found in current.check(ctx))  # type: ignore[arg-type]
        except Exception as error:  # a rule bug must not hide the other rules' findings
            result.notices.append(
                Notice("rule-error", f"{current.id} failed on this file: {type(error).__name__}: {error}", None, path)
            )
    result.evidence = ctx.evidence
    suppressions = [s for s in parse_suppressions(text) if s.kind != "noqa"]
    finish_findings(result, raw, config, text, ctx.lines, suppressions, lambda _: None)
    return result


def analyze_file(path: Path, config: Config, *, options: dict[str, Any] | None = None) -> AnalysisResult:
    """Read and analyze any file: Python gets every rule, other text files the text rules."""
    if is_python_path(path):
        return analyze_path(path, config, options=options)
    read = read_source(path, config)
    if read.text is None:
        result = AnalysisResult(path=str(path))
        if read.notice is not None:
            result.notices.append(read.notice)
        return result
    return analyze_text_file(read.text, str(path), config, options=options)
