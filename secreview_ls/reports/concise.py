"""One line per finding, for terminals and editors that jump to ``path:line:col``::

    app/db.py:19:5: SR801 [high] SQL built from `request.args['name']` reaches `cursor.execute`

followed by the summary of the text report. A finding in a notebook names its cell
(``analysis.ipynb:cell 3:2:5: ...``, line and column inside the cell).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pipeline import Finding, cell_of
from .text import display_path, summary_lines

if TYPE_CHECKING:
    from ..pipeline import ScanResult


def concise_line(finding: Finding) -> str:
    """A finding on one line (line breaks in the message become spaces)."""
    span = finding.span
    message = " ".join(finding.message.split())
    cell = cell_of(finding.extra)
    where = display_path(finding.path) if cell is None else f"{display_path(finding.path)}:cell {cell + 1}"
    return f"{where}:{span.start_line}:{span.start_col + 1}: {finding.rule_id} [{finding.severity}] {message}"


def render(scan: ScanResult, *, color: bool = False) -> str:
    """The concise report (no colour: one plain line each)."""
    lines = [concise_line(finding) for finding in scan.findings()]
    lines.extend(summary_lines(scan))
    return "".join(line + "\n" for line in lines)
