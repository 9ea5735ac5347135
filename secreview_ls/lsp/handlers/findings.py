"""What the editor shows at a finding: hover, code actions (quick fixes) and the code lens."""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from ...pipeline import Finding, Span
from .. import analysis
from ..actions import FIX_ALL, documentation_action, fix_action, fix_all_action, suppress_action
from ..hover import finding_markdown
from ..positions import position_to_code_points, span_to_range
from ..results import Published
from ..server import SecReviewServer
from ..workers import BudgetExceeded
from .commands import REVIEW_FILE

log = logging.getLogger("secreview_ls.lsp")

FIX_ALL_BUDGET_FACTOR = 4.0  # the fix-all action gives up after this many times the `timeout` setting
LENS_TIMEOUT = 5.0  # seconds the code lens waits for the current result before showing the last one
HOVER_FINDINGS = 3  # findings shown in one hover at most


async def hover(ls: SecReviewServer, params: types.HoverParams) -> types.Hover | None:
    """The findings under the cursor, most severe and narrowest first."""
    uri = params.text_document.uri
    result = await ls.current_result(uri)
    if result is None:
        return None
    line, column = position_to_code_points(result.lines, params.position, ls.encoding)
    hits = [f for f in result.findings if f.span.contains(line + 1, column)]
    if not hits:
        return None
    hits.sort(key=lambda f: (-int(f.severity), span_size(f.span)))
    path = ls.document_path(uri) or ""
    value = "\n\n---\n\n".join(finding_markdown(f, current_path=path) for f in hits[:HOVER_FINDINGS])
    kind = types.MarkupKind.Markdown
    formats = ls.capability("text_document.hover.content_format") or []
    if formats and types.MarkupKind.Markdown not in formats:
        kind = types.MarkupKind.PlainText
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value=value),
        range=span_to_range(hits[0].span, result.lines, ls.encoding),
    )


async def code_action(ls: SecReviewServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """For each finding in the range (or among the diagnostics the client sent back): its
    fix first, then "suppress on this line" and "show documentation"; and, when the document
    has safe fixes, the source action that applies all of them (``source.fixAll.secreview``)."""
    uri = params.text_document.uri
    result = await ls.current_result(uri)
    if result is None:
        return None
    actions: list[types.CodeAction] = []
    if wants_fix_all(params.context) and analysis.has_safe_fix(result.findings):
        fix_all = await fix_all_for(ls, uri, result)
        if fix_all is not None:
            actions.append(fix_all)
    if wants_quick_fixes(params.context.only):
        actions[:0] = quick_fixes(ls, params, result)
    return actions or None


def quick_fixes(ls: SecReviewServer, params: types.CodeActionParams, result: Published) -> list[types.CodeAction]:
    """The findings' fixes, then "suppress on this line" and "show documentation" for each."""
    uri = params.text_document.uri
    first = position_to_code_points(result.lines, params.range.start, ls.encoding)
    last = position_to_code_points(result.lines, params.range.end, ls.encoding)
    document_changes = bool(ls.capability("workspace.workspace_edit.document_changes", False))
    snippets = bool(ls.capability("workspace.workspace_edit.snippet_edit_support", False))
    sent = {}
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        if diagnostic.source == "secreview" and data.get("fingerprint"):
            sent[data["fingerprint"]] = diagnostic
    ours = {d.data.get("fingerprint"): d for d in result.diagnostics if isinstance(d.data, dict)}
    actions: list[types.CodeAction] = []
    fixes: list[types.CodeAction] = []
    for found in result.findings:
        if not touches(found.span, first, last) and found.fingerprint not in sent:
            continue
        diagnostic = sent.get(found.fingerprint) or ours.get(found.fingerprint)
        fix = fix_action(found, diagnostic, uri, result.version, result.lines, ls.encoding, document_changes)
        if fix is not None:
            fixes.append(fix)
        suppress = suppress_action(
            found, diagnostic, uri, result.version, result.lines, ls.encoding, document_changes, snippets
        )
        if suppress is not None:
            actions.append(suppress)
        documentation = documentation_action(found, diagnostic)
        if documentation is not None and all(a.title != documentation.title for a in actions):
            actions.append(documentation)
    return [*fixes, *actions]


async def fix_all_for(ls: SecReviewServer, uri: str, result: Published) -> types.CodeAction | None:
    """The fix-all action of the document's current version (None when it moved on meanwhile
    or nothing changes)."""
    snapshot = ls.snapshot(uri)
    if snapshot is None or snapshot.version != result.version:
        return None
    # Each round re-analyzes the whole document: a few analyses' worth of budget at most.
    budget = snapshot.settings.config.timeout * FIX_ALL_BUDGET_FACTOR
    try:
        fixed = await ls.run_in_worker(analysis.fix_document, snapshot, result.findings, budget=budget)
    except BudgetExceeded:
        log.warning("fix-all of %s stopped after %g s", snapshot.path, budget)
        return None
    except Exception:  # an engine bug must not take the request down
        log.exception("fix-all of %s failed", snapshot.path)
        return None
    document_changes = bool(ls.capability("workspace.workspace_edit.document_changes", False))
    return fix_all_action(uri, snapshot.version, snapshot.text, fixed, ls.encoding, document_changes)


async def code_lens(ls: SecReviewServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    """ "SecReview: N findings — review this file" on the first line of a Python document."""
    uri = params.text_document.uri
    if not ls.is_python(uri):
        return None
    try:
        result = await asyncio.wait_for(ls.current_result(uri), LENS_TIMEOUT)
    except TimeoutError:
        result = ls.latest_result(uri)
    if result is None:
        return None
    return [review_lens(uri, result.findings)]


def review_lens(uri: str, findings: list[Finding]) -> types.CodeLens:
    count = len(findings)
    title = f"SecReview: {count} finding{'s' if count != 1 else ''} — review this file"
    return types.CodeLens(
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        command=types.Command(title=title, command=REVIEW_FILE, arguments=[uri]),
    )


def wants_fix_all(context: types.CodeActionContext) -> bool:
    """Whether to work out the fix-all action: asked for by kind (``source``, ``source.fixAll``,
    ``source.fixAll.secreview``), or every kind asked for by the user (a menu) rather than
    automatically (a light bulb following the cursor, which would re-analyze at every move)."""
    if context.only:
        return wants_kind(context.only, FIX_ALL)
    return context.trigger_kind != types.CodeActionTriggerKind.Automatic


def wants_kind(only: list[types.CodeActionKind | str] | None, kind: str) -> bool:
    """Whether a ``context.only`` filter admits actions of ``kind`` (no filter admits everything;
    ``source`` and ``source.fixAll`` admit ``source.fixAll.secreview``)."""
    if not only:
        return True
    return any(kind == k or kind.startswith(f"{k}.") for k in (getattr(k, "value", k) for k in only))


def wants_quick_fixes(only: list[types.CodeActionKind | str] | None) -> bool:
    """Whether a ``context.only`` filter admits quick fixes (no filter admits everything)."""
    if not only:
        return True
    return any(types.CodeActionKind.QuickFix.value.startswith(k.value if hasattr(k, "value") else str(k)) for k in only)


def touches(span: Span, first: tuple[int, int], last: tuple[int, int]) -> bool:
    """Whether a finding's span meets the requested range (0-based lines, code-point columns);
    an empty range selects every finding starting on its line too."""
    start = (span.start_line - 1, span.start_col)
    end = (span.end_line - 1, span.end_col)
    if first == last:
        return start <= first <= end or span.start_line - 1 == first[0]
    return start <= last and first <= end


def span_size(span: Span) -> tuple[int, int]:
    return (span.end_line - span.start_line, span.end_col - span.start_col)
