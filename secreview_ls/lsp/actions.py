"""Code actions: the rule's fix, "suppress on this line", "show documentation", and the
source action that applies every safe fix of a document (``source.fixAll.secreview``).

Every action carries its edit (clients such as eglot and older Neovim do not
resolve actions lazily).

"Suppress on this line" appends ``  # secreview: ignore[SR201] -- reason``. A client that
accepts snippets in workspace edits (LSP 3.18 ``SnippetTextEdit``, announced as
``workspace.workspaceEdit.snippetEditSupport``) gets ``reason`` as a selected placeholder,
so typing replaces it; other clients get the word literally. Left as it is, the placeholder
does not count as a reason when ``require-reason`` is on.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from lsprotocol import types

from ..pipeline import REASON_RULE_ID, Finding, registry, split_lines_keepends
from ..pipeline.fixing import changed_region, position_of
from .positions import position_at, span_to_range, strip_eol

SHOW_DOCUMENTATION = "secreview.showDocumentation"
REASON_PLACEHOLDER = "reason"
#: The kind of the action that applies every safe fix (editors run it on save when asked to).
FIX_ALL = types.CodeActionKind.SourceFixAll.value + ".secreview"
_OWN_IGNORE = re.compile(r"#\s*secreview\s*:\s*ignore\b(?P<bracket>\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_WINDOW = 200  # lines looked at to find where a statement's first line really ends
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def fix_action(
    found: Finding,
    diagnostic: types.Diagnostic | None,
    uri: str,
    version: int | None,
    lines: Sequence[str],
    encoding: str,
    document_changes: bool,
) -> types.CodeAction | None:
    if found.fix is None or not found.fix.edits:
        return None
    edits = [
        types.TextEdit(range=span_to_range(edit.span, lines, encoding), new_text=edit.new_text)
        for edit in found.fix.edits
    ]
    return types.CodeAction(
        title=found.fix.title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        is_preferred=True,
        edit=workspace_edit(uri, version, edits, document_changes),
    )


def fix_all_action(
    uri: str, version: int | None, old: str, new: str, encoding: str, document_changes: bool
) -> types.CodeAction | None:
    """ "Fix all safe secreview findings": one edit that turns the document's text ``old`` into
    ``new`` (the lines that differ are replaced), or None when nothing changes."""
    if new == old:
        return None
    start, end, replacement = changed_region(old, new)
    lines = split_lines_keepends(old)
    first, last = position_of(old, start), position_of(old, end)
    edit = types.TextEdit(
        range=types.Range(
            start=position_at(lines, first[0] - 1, first[1], encoding),
            end=position_at(lines, last[0] - 1, last[1], encoding),
        ),
        new_text=replacement,
    )
    return types.CodeAction(
        title="Fix all safe secreview findings",
        kind=FIX_ALL,
        edit=workspace_edit(uri, version, [edit], document_changes),
    )


def suppress_action(
    found: Finding,
    diagnostic: types.Diagnostic | None,
    uri: str,
    version: int | None,
    lines: Sequence[str],
    encoding: str,
    document_changes: bool,
    snippets: bool = False,
) -> types.CodeAction | None:
    """``snippets``: the client takes ``SnippetTextEdit`` in versioned document edits. None for
    the finding about a suppression without a reason: a comment cannot silence it."""
    if found.rule_id == REASON_RULE_ID:
        return None
    edit: types.TextEdit | types.SnippetTextEdit | None = suppression_edit(lines, found, encoding)
    if edit is None:
        return None
    if snippets and document_changes:
        edit = as_snippet(edit)
    return types.CodeAction(
        title=f"Suppress {found.rule_id} on this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        edit=workspace_edit(uri, version, [edit], document_changes),
    )


def documentation_action(found: Finding, diagnostic: types.Diagnostic | None) -> types.CodeAction | None:
    rule = registry.get(found.rule_id)
    if rule is None:
        return None
    return types.CodeAction(
        title=f"Show documentation for {rule.id} ({rule.name})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        command=types.Command(
            title=f"Show documentation for {rule.id}", command=SHOW_DOCUMENTATION, arguments=[rule.id]
        ),
    )


def as_snippet(edit: types.TextEdit) -> types.TextEdit | types.SnippetTextEdit:
    """The new comment's reason as a tab stop with its placeholder selected."""
    tail = f" -- {REASON_PLACEHOLDER}"
    if not edit.new_text.endswith(tail):
        return edit  # a rule added to an existing comment: nothing to type
    head = edit.new_text[: -len(REASON_PLACEHOLDER)]
    escaped = "".join("\\" + ch if ch in "\\$}" else ch for ch in head)
    return types.SnippetTextEdit(
        range=edit.range, snippet=types.StringValue(value=f"{escaped}${{1:{REASON_PLACEHOLDER}}}")
    )


def workspace_edit(
    uri: str, version: int | None, edits: Sequence[types.TextEdit | types.SnippetTextEdit], document_changes: bool
) -> types.WorkspaceEdit:
    if document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=list(edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: list(edits)})


def suppression_edit(lines: Sequence[str], found: Finding, encoding: str) -> types.TextEdit | None:
    """Append ``# secreview: ignore[RULE] -- reason`` where the finding's statement line really ends
    (after a multi-line string or a backslash continuation), or add the rule to an existing
    ``secreview: ignore[...]`` comment."""
    located = comment_line(lines, found.span.start_line - 1, found.span.start_col)
    if located is None:
        return None
    index, comment = located
    text = strip_eol(lines[index])
    if comment is not None:
        match = _OWN_IGNORE.search(text, comment)
        if match is not None:
            if match.group("bracket") is None:
                return None  # a bare `secreview: ignore` already covers every rule
            codes = [c.strip() for c in (match.group("codes") or "").split(",") if c.strip()]
            if found.rule_id in (c.upper() for c in codes):
                return None
            new = f"[{', '.join([*codes, found.rule_id])}]"
            start, end = match.span("bracket")
            return types.TextEdit(
                range=types.Range(
                    start=position_at(lines, index, start, encoding), end=position_at(lines, index, end, encoding)
                ),
                new_text=new,
            )
    content_end = len(text.rstrip())
    return types.TextEdit(
        range=types.Range(
            start=position_at(lines, index, content_end, encoding),
            end=position_at(lines, index, len(text), encoding),
        ),
        new_text=f"  # secreview: ignore[{found.rule_id}] -- {REASON_PLACEHOLDER}",
    )


def comment_line(lines: Sequence[str], index: int, column: int) -> tuple[int, int | None] | None:
    """Where a comment can go for the code starting at (``index``, ``column``): the first
    line (0-based) whose end is neither inside a string nor continued with a backslash, and
    the code-point column of the comment already on that line (if any)."""
    if not 0 <= index < len(lines):
        return None
    window = [strip_eol(line) + "\n" for line in lines[index : index + _WINDOW]]
    column = min(column, len(window[0]) - 1)
    window[0] = window[0][column:]
    # Inside brackets the tokenizer ignores indentation, so any code can start the window.
    source = "(" + "".join(window)
    target = 0  # relative to the window
    comment: int | None = None
    open_fstrings = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            row = token.start[0] - 1
            if token.type == tokenize.ENDMARKER:
                break
            if row > target and open_fstrings == 0:
                if row == target + 1 and window[target].rstrip().endswith("\\"):
                    target, comment = row, None
                else:
                    break
            if token.type == tokenize.COMMENT and row == target:
                comment = token.start[1] - 1 + column if row == 0 else token.start[1]
            elif _FSTRING_START is not None and token.type == _FSTRING_START:
                open_fstrings += 1
            elif _FSTRING_END is not None and token.type == _FSTRING_END:
                open_fstrings -= 1
                if token.end[0] - 1 > target:
                    target, comment = token.end[0] - 1, None
            elif token.type == tokenize.STRING and token.end[0] - 1 > target:
                target, comment = token.end[0] - 1, None
    except (tokenize.TokenError, SyntaxError):
        pass
    if window[target].rstrip().endswith("\\"):
        return None  # continued into lines the window does not cover: no safe place
    return index + target, comment
