"""What a rule is: metadata, documentation, and a check over module facts.

A rule module defines rules with the ``@rule(...)`` decorator::

    @rule(
        id="SR401", name="yaml-unsafe-load", cwe=502,
        severity=HIGH, confidence=HIGH, bandit=("B506",), ruff=("S506",),
        summary="`yaml.load` without a safe Loader",
        why="...", bad="...", good="...",
    )
    def yaml_unsafe_load(ctx: RuleContext) -> Iterator[Finding]:
        ...

The docs (summary, why, bad, good) are part of the rule and are what
``secreview explain``, hovers and SARIF help show.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from ..engine.evidence import CallJudged, Evidence, Judgement
from ..engine.facts import ModuleFacts
from ..engine.finding import Finding, Fix, FlowStep, Level, Span, TextEdit
from ..engine.source import SourceFile

if TYPE_CHECKING:
    from ..engine.taint import SummaryProvider, TaintMemo, TaintSpec

T = TypeVar("T")
Scope = Literal["chunk", "module"]
#: Whether a rule's fix may be applied without review: "safe" fixes keep what the program
#: does for every legitimate input and environment (``secreview check --fix``, the editor's
#: fix-all action); "unsafe" ones may change it, or record a judgement only a person can
#: make (``--unsafe-fixes``, or one quick fix at a time in the editor).
FixSafety = Literal["safe", "unsafe"]
FIX_SAFETIES: tuple[FixSafety, ...] = ("safe", "unsafe")

LOW, MEDIUM, HIGH = Level.LOW, Level.MEDIUM, Level.HIGH

CWE_URL = "https://cwe.mitre.org/data/definitions/{}.html"


class CacheKey(Generic[T]):
    """A typed key of ``FileCache``: one per kind of cached value, defined next to its user."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"CacheKey({self.name!r})"


class FileCache:
    """Values worked out once per analyzed text and shared by the rules that ask for them
    (an index of assignments, the taint analysis of the module, a secrets scan). It lives
    in the context, so it is dropped with the analysis that made it."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[CacheKey[Any], Any] = {}

    def get(self, key: CacheKey[T], make: Callable[[], T]) -> T:
        """The value stored under ``key``, made by ``make()`` the first time it is asked for."""
        if key in self._values:
            return self._values[key]  # type: ignore[no-any-return]
        value = self._values[key] = make()
        return value


@dataclass
class RuleContext:
    """What a Python rule sees: the file's facts, whether it is test code, and what the
    pipeline hands every rule of the file.

    - ``project``: cross-file summaries (a ``ProjectIndex``) when a face asked for them; None
      for a single file analyzed on its own.
    - ``taint_spec``: the taint sources, sinks and sanitizers in force (None: the built-in tables).
    - ``taint_memo``: the taint analysis of the document's previous version, for reuse.
    - ``cache``: per-text values shared by the rules (see ``FileCache``).
    - ``evidence``: what the rules examined, for reviews that explain silence (typed records).
    """

    source: SourceFile
    facts: ModuleFacts
    is_test: bool = False
    project: SummaryProvider | None = None
    taint_spec: TaintSpec | None = None
    taint_memo: TaintMemo | None = None
    cache: FileCache = field(default_factory=FileCache)
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def path(self) -> str:
        return self.source.path

    def span(self, node: ast.AST) -> Span:
        return self.source.span(node)

    def segment(self, node: ast.AST) -> str:
        return self.source.segment(node)

    def judged(self, api: str, call: ast.AST, judgement: Judgement) -> None:
        """Record what the rule established about a call it examined and did not report."""
        where = self.span(call)
        self.evidence.add(CallJudged(api, where.start_line, where.start_col, judgement))


@dataclass
class TextContext:
    """What a text rule sees: any text file (``.env``, YAML, TOML, INI, Python, ...)."""

    path: str
    text: str
    lines: list[str]
    is_test: bool = False
    cache: FileCache = field(default_factory=FileCache)
    evidence: Evidence = field(default_factory=Evidence)

    def line(self, lineno: int) -> str:
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1]
        return ""


@dataclass(frozen=True)
class Rule:
    """A security check with its metadata and documentation."""

    id: str
    name: str
    cwe: int | None
    severity: Level
    confidence: Level
    summary: str
    why: str
    bad: str
    good: str
    check: Callable[[RuleContext], Iterable[Finding]]
    family: str
    bandit: tuple[str, ...] = ()
    ruff: tuple[str, ...] = ()
    relevant_in_tests: bool = True
    # Set on the rules whose findings can carry a ``Fix``: how safe the fix is to apply
    # unreviewed, and ``fix_note``, one sentence saying why.
    fix_safety: FixSafety | None = None
    fix_note: str = ""
    taint: bool = False
    references: tuple[str, ...] = ()
    # "python": check(RuleContext) over the AST; "text": check(TextContext) over any text file
    # (Python files included), for detectors that work on raw text such as key formats.
    kind: str = "python"
    # Off unless selected explicitly (by id or prefix longer than the family): for checks
    # whose findings are usually noise outside a hardening audit (e.g. partial executable paths).
    default_enabled: bool = True
    # Named groups of opt-in rules a configuration turns on with the group's name in
    # ``select`` (``select = ["quality"]``): code-quality checks kept out of the security report.
    profiles: tuple[str, ...] = ()
    # "chunk": the findings on a top-level statement depend only on it and on the module-level
    # bindings of the names it uses, so an edited document re-runs the rule on what changed;
    # "module": the rule reasons about the whole module (taint analysis, settings found anywhere).
    scope: Scope = "chunk"
    # Words one of which the analyzed text must contain for the rule to find anything (a
    # callee's or attribute's name, a keyword argument): where none occurs the rule is not run.
    # None: always run. Every way the rule can report (or record evidence) must need one.
    triggers: tuple[str, ...] | None = None
    # For a "module" rule: a test of the code a chunk's view holds. Where it is false for every
    # chunk of a document, the rule's findings and evidence on each chunk are those of its run
    # on that chunk's view (as a "chunk" rule's are), and an edited document runs it only on
    # what changed. None: the rule always runs on the whole module. It is asked after the rule
    # ran on that view, with the same ``ctx.cache``: judgements that read beyond the view (the
    # whole module's code) can record it there for the test to see.
    needs_module: Callable[[RuleContext], bool] | None = None

    @property
    def fixable(self) -> bool:
        """Whether findings of this rule can carry a fix."""
        return self.fix_safety is not None

    @property
    def docs_url(self) -> str:
        """Public reference for the weakness (the CWE entry). The rule's own documentation
        ships with the tool: ``secreview explain``, hovers and SARIF help carry it."""
        return CWE_URL.format(self.cwe if self.cwe is not None else 710)

    @property
    def cwe_url(self) -> str | None:
        if self.cwe is None:
            return None
        return CWE_URL.format(self.cwe)

    def finding(
        self,
        ctx: RuleContext | TextContext,
        node: ast.AST | None,
        message: str,
        *,
        severity: Level | None = None,
        confidence: Level | None = None,
        fix: Fix | None = None,
        flow: Iterable[FlowStep] = (),
        span: Span | None = None,
        extra: dict[str, object] | None = None,
        message_lines: tuple[int, ...] = (),
    ) -> Finding:
        """Build a finding of this rule at ``node`` (or an explicit ``span``). ``message_lines``:
        the lines ``message`` names besides the finding's own."""
        if span is not None:
            where = span
        elif isinstance(ctx, RuleContext) and node is not None:
            where = ctx.span(node)
        else:
            raise ValueError("a finding needs a node or a span")
        snippet = ctx.source.line(where.start_line) if isinstance(ctx, RuleContext) else ctx.line(where.start_line)
        return Finding(
            rule_id=self.id,
            message=message,
            span=where,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            cwe=self.cwe,
            path=ctx.path,
            fix=fix,
            flow=tuple(flow),
            snippet=snippet.strip(),
            extra=dict(extra or {}),
            message_lines=message_lines,
        )

    def markdown(self) -> str:
        """Full documentation as markdown (explain, hover, SARIF help)."""
        lines = [f"## {self.id} `{self.name}`", "", self.summary, ""]
        meta = [f"**Severity** {self.severity} · **Confidence** {self.confidence}"]
        if self.cwe is not None:
            meta.append(f"**[CWE-{self.cwe}]({self.cwe_url})**")
        if self.bandit:
            meta.append("Bandit " + ", ".join(self.bandit))
        if self.ruff:
            meta.append("Ruff " + ", ".join(self.ruff))
        lines += [" · ".join(meta), "", "### Why it matters", "", self.why.strip(), ""]
        fence = "```python" if self.kind == "python" else "```"
        lines += ["### Vulnerable", "", fence, self.bad.strip("\n"), "```", ""]
        lines += ["### Safe", "", fence, self.good.strip("\n"), "```", ""]
        if self.fix_safety is not None:
            how = (
                "applied by `secreview check --fix` and the editor's fix-all action"
                if self.fix_safety == "safe"
                else "applied by `secreview check --fix --unsafe-fixes`, or as a quick fix chosen in the editor"
            )
            lines += ["### Fix", "", f"**{self.fix_safety}** ({how}): {self.fix_note.strip()}", ""]
        lines += [
            "### Suppress",
            "",
            f"`# secreview: ignore[{self.id}] -- why it is safe here` (or "
            f"`# nosec {self.bandit[0] if self.bandit else self.id} -- why`) at the end of the line.",
        ]
        return "\n".join(lines)


RULES: list[Rule] = []


def rule(
    *,
    id: str,
    name: str,
    cwe: int | None,
    severity: Level,
    confidence: Level,
    summary: str,
    why: str,
    bad: str,
    good: str,
    bandit: tuple[str, ...] = (),
    ruff: tuple[str, ...] = (),
    relevant_in_tests: bool | None = None,
    fix_safety: FixSafety | None = None,
    fix_note: str = "",
    taint: bool = False,
    references: tuple[str, ...] = (),
    kind: str = "python",
    default_enabled: bool = True,
    profiles: tuple[str, ...] = (),
    scope: Scope = "chunk",
    triggers: tuple[str, ...] | None = None,
    needs_module: Callable[[RuleContext], bool] | None = None,
) -> Callable[[Callable[[RuleContext], Iterable[Finding]]], Rule]:
    """Register a rule; the decorated function becomes its check. Taint rules are whole-module.

    ``relevant_in_tests`` defaults to true for taint rules and text rules (secrets in real
    formats, reported in tests at lower severity) and to false for pattern rules: a test's
    `eval` of a constant, MD5 of a fixture or request without a timeout endangers nobody."""

    def register(check: Callable[[RuleContext], Iterable[Finding]]) -> Rule:
        family = check.__module__.rsplit(".", 1)[-1]
        new_rule = Rule(
            id=id,
            name=name,
            cwe=cwe,
            severity=severity,
            confidence=confidence,
            summary=summary,
            why=why,
            bad=bad,
            good=good,
            check=check,
            family=family,
            bandit=bandit,
            ruff=ruff,
            relevant_in_tests=relevant_in_tests if relevant_in_tests is not None else taint or kind == "text",
            fix_safety=fix_safety,
            fix_note=fix_note,
            taint=taint,
            references=references,
            kind=kind,
            default_enabled=default_enabled,
            profiles=profiles,
            scope="module" if taint else scope,
            triggers=triggers,
            needs_module=needs_module,
        )
        if fix_safety not in (None, *FIX_SAFETIES) or bool(fix_safety) != bool(fix_note.strip()):
            raise ValueError(f"{id}: a fixable rule needs fix_safety ('safe' or 'unsafe') and a fix_note saying why")
        if any(existing.id == id for existing in RULES):
            raise ValueError(f"duplicate rule id {id}")
        RULES.append(new_rule)
        return new_rule

    return register


def replace_node(ctx: RuleContext, node: ast.AST, new_text: str, title: str) -> Fix:
    """A fix that replaces the source of ``node`` with ``new_text``."""
    return Fix(title, (TextEdit(ctx.span(node), new_text),))


def remove_keyword(ctx: RuleContext, call: ast.Call, kw: ast.keyword, title: str) -> Fix:
    """A fix that deletes one keyword argument (and its separating comma) from a call."""
    args: list[ast.AST] = [*call.args, *call.keywords]
    args.sort(key=lambda a: (a.lineno, a.col_offset))
    index = args.index(kw)
    kw_span = ctx.span(kw)
    if index > 0:
        previous = ctx.span(args[index - 1])
        span = Span(previous.end_line, previous.end_col, kw_span.end_line, kw_span.end_col)
    elif len(args) > 1:
        following = ctx.span(args[1])
        span = Span(kw_span.start_line, kw_span.start_col, following.start_line, following.start_col)
    else:
        span = kw_span
    return Fix(title, (TextEdit(span, ""),))
