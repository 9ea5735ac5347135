"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

One line per finding::

    ::error file=app/db.py,line=19,endLine=19,col=5,endColumn=26,title=SR801 sql-injection (CWE-89)::SQL built from …

High severity is an ``error``, medium a ``warning``, low a ``notice``. Data (the message) has
``%``, CR and LF escaped; property values also ``:`` and ``,``, as the workflow-command syntax
requires. Columns are 1-based; paths are relative to the working directory (the workspace).
Files that could not be fully analyzed get a ``warning`` so a green run does not hide them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pipeline import Finding, Level, cell_of, notebook_file_span, rule_label
from .text import display_path

if TYPE_CHECKING:
    from ..pipeline import ScanResult

COMMAND_FOR_LEVEL = {Level.HIGH: "error", Level.MEDIUM: "warning", Level.LOW: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message, escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    """``::name key=value,…::message`` with every part escaped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}" if props else f"::{name}::{escape_data(message)}"


def _title(finding: Finding) -> str:
    rule = rule_label(finding.rule_id)
    title = f"{finding.rule_id} {rule.name}" if rule is not None else finding.rule_id
    return f"{title} (CWE-{finding.cwe})" if finding.cwe is not None else title


def annotation(finding: Finding) -> str:
    """The workflow command for one finding. In a notebook the annotation goes on the line of
    the ``.ipynb`` file that holds the code, and the message names the cell."""
    span, message = finding.span, finding.message
    cell = cell_of(finding.extra)
    if cell is not None:
        message = f"cell {cell + 1}, line {span.start_line}: {message}"
        span = notebook_file_span(finding.path, cell, span) or span
    return command(
        COMMAND_FOR_LEVEL[finding.severity],
        message,
        file=display_path(finding.path),
        line=span.start_line,
        endLine=span.end_line,
        col=span.start_col + 1,
        endColumn=span.end_col + 1 if span.end_line == span.start_line else span.start_col + 1,
        title=_title(finding),
    )


def render(scan: ScanResult, *, color: bool = False) -> str:
    """All findings as workflow commands (``color`` is ignored)."""
    lines = [annotation(finding) for finding in scan.findings()]
    for path, kind in scan.incomplete().items():
        lines.append(
            command(
                "warning",
                f"not fully analyzed ({kind}), so not known to be clean",
                file=display_path(path),
                title="secreview",
            )
        )
    return "".join(line + "\n" for line in lines)
