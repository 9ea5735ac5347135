"""Jupyter notebooks (``.ipynb``): the code cells analyzed as one Python module.

The code cells, in order, are joined into one module text, one cell after the other, so a
name defined in cell 1 and used in cell 4 is followed as in the kernel. IPython syntax is
blanked (the line stays, empty, so line numbers keep mapping back): line magics and shell
escapes (``%time f()``, ``!pip install x``, ``files = !ls``), help (``obj?``), the line of a
cell magic that runs its cell as Python (``%%time``, ``%%capture``) and whole cells run by any
other cell magic (``%%bash``, ``%%writefile``, ``%%html``). Findings come back with cell-local
positions and the cell's index (``Finding.extra["cell"]``, 0-based in the notebook's
``cells``, markdown cells counted; reports show it 1-based, ``nb.ipynb:cell 3:2:5``); the
cells of data-flow steps are in ``extra["flow_cells"]`` and ``line N`` in a message is
rewritten to the cell's line. A notice names its cell and line in its message.

A file that is not a notebook (not JSON, no ``cells`` list) gets an ``unparsable`` notice,
which makes the scan incomplete (exit 3), as an unreadable Python file does.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Config
from ..engine.finding import Finding, Fix, FlowStep, Notice, Span
from ..engine.taint import ProjectIndex
from .batch import analyze_source, read_or_refuse
from .result import AnalysisResult

# %line magic, !shell (not !=), x = !shell, x = %magic
# Cell magics whose cell body is Python run by the kernel (the others run another language).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_MAGIC = re.compile(r"^\s*(?:%{1,2}[A-Za-z]|!(?!=)|[A-Za-z_][\w.]*\s*=\s*(?:%[A-Za-z]|!(?!=)))")
_HELP = re.compile(r"^\s*\?+[\w.]+\s*$|^\s*[\w.]+\s*\?\??\s*$")  # ?obj  obj?  obj??
_STRINGS_AND_COMMENTS = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|#.*""")


class NotebookError(ValueError):
    """The text is not a notebook."""


@dataclass(frozen=True)
class Cell:
    index: int  # position in the notebook's ``cells`` (0-based)
    kind: str  # "code", "markdown", "raw"
    source: str


@dataclass
class NotebookModule:
    """The Python module of a notebook's code cells and the way back to the cells."""

    cells: list[Cell]
    text: str = ""
    starts: list[int] = field(default_factory=list)  # first module line (1-based) of each code cell
    code_cells: list[Cell] = field(default_factory=list)

    def locate(self, line: int) -> tuple[Cell, int]:
        """Module ``line`` (1-based) → (its code cell, line in the cell, 1-based)."""
        position = max(0, bisect.bisect_right(self.starts, line) - 1)
        return self.code_cells[position], line - self.starts[position] + 1

    def cell_span(self, span: Span) -> tuple[Cell, Span]:
        cell, start_line = self.locate(span.start_line)
        end_cell, end_line = self.locate(span.end_line)
        if end_cell.index != cell.index:  # runs past its cell: stop at the end of the start line
            return cell, Span(start_line, span.start_col, start_line, max(span.start_col + 1, span.end_col))
        return cell, Span(start_line, span.start_col, end_line, span.end_col)


def read_cells(text: str) -> list[Cell]:
    """The cells of a notebook's JSON text (``NotebookError`` when it is not one)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"not valid JSON: {error}") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("no `cells` list (not an nbformat 4 notebook)")
    found: list[Cell] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {index + 1} is not an object")
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(f"cell {index + 1}: `source` is neither a string nor a list of strings")
        found.append(Cell(index, str(cell.get("cell_type", "code")), source))
    return found


def python_of_cell(source: str) -> str:
    """A code cell's source with IPython syntax blanked (same number of lines)."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        name = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if name not in PYTHON_CELL_MAGICS:
            return "\n".join("" for _ in lines)  # the cell is not Python (%%bash, %%writefile...)
        lines = ["", *lines[1:]]
    kept: list[str] = []
    continued = False  # the line before was a magic ending in a backslash
    depth = 0  # open brackets of the Python code so far (a magic starts only outside them)
    for line in lines:
        magic = continued or (depth == 0 and (bool(_MAGIC.match(line)) or bool(_HELP.match(line))))
        kept.append("" if magic else line)
        continued = magic and line.rstrip().endswith("\\")
        if not magic:
            code = _STRINGS_AND_COMMENTS.sub("", line)
            depth = max(0, depth + sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}"))
    return "\n".join(kept)


def notebook_module(cells: Sequence[Cell]) -> NotebookModule:
    """Join the code cells into one module; each cell starts on a line of its own."""
    module = NotebookModule(cells=list(cells))
    parts: list[str] = []
    line = 1
    for cell in cells:
        if cell.kind != "code":
            continue
        source = cell.source.replace("\r\n", "\n").replace("\r", "\n")
        python = python_of_cell(source)  # same lines as the source, IPython syntax blanked
        module.code_cells.append(cell)
        module.starts.append(line)
        parts.append(python if source.endswith("\n") else python + "\n")
        line += parts[-1].count("\n")
    module.text = "".join(parts)
    return module


def analyze_notebook(text: str, path: str, config: Config, *, project: ProjectIndex | None = None) -> AnalysisResult:
    """Analyze a notebook's code cells as one module; positions come back cell-local."""
    try:
        cells = read_cells(text)
    except NotebookError as error:
        result = AnalysisResult(path=path)
        result.notices.append(Notice("unparsable", f"not a Jupyter notebook: {error}", None, path))
        return result
    result, module = analyze_cells(cells, path, config, project=project)
    return to_cells(result, module)


def analyze_cells(
    cells: Sequence[Cell], path: str, config: Config, *, project: ProjectIndex | None = None
) -> tuple[AnalysisResult, NotebookModule]:
    """Analyze the code cells of ``cells`` as one module (positions in module lines: see
    :func:`to_cells` and :func:`by_cell` for the way back)."""
    module = notebook_module(cells)
    if not module.code_cells:
        return AnalysisResult(path=path), module
    return analyze_source(module.text, path, config, project=project), module


def analyze_notebook_file(path: Path, config: Config, *, project: ProjectIndex | None = None) -> AnalysisResult:
    """Read and analyze a notebook file."""
    text, unread = read_or_refuse(path, config)
    if text is None:
        return unread  # type: ignore[return-value]
    return analyze_notebook(text, str(path), config, project=project)


def to_cells(result: AnalysisResult, module: NotebookModule) -> AnalysisResult:
    """``result`` of the joined module with every position mapped into its cell; a notice
    names its cell and line in its message (it has no field for the cell)."""
    result.findings = [finding_in_cell(finding, module) for finding in result.findings]
    result.suppressed = [finding_in_cell(finding, module) for finding in result.suppressed]
    notices = []
    for notice in result.notices:
        if notice.span is None:
            notices.append(notice)
            continue
        cell, local = notice_in_cell(notice, module)
        notices.append(
            replace(local, span=None, message=f"cell {cell + 1}, line {local.span.start_line}: {local.message}")
        )  # type: ignore[union-attr]
    result.notices = notices
    return result


def by_cell(result: AnalysisResult, module: NotebookModule) -> dict[int, tuple[list[Finding], list[Notice]]]:
    """Findings and notices (with spans) of ``result`` by cell index, positions cell-local;
    notices without a position are left out."""
    cells: dict[int, tuple[list[Finding], list[Notice]]] = {cell.index: ([], []) for cell in module.code_cells}
    for finding in result.findings:
        mapped = finding_in_cell(replace(finding), module)
        cells[mapped.extra["cell"]][0].append(mapped)
    for notice in result.notices:
        if notice.span is not None:
            cell, local = notice_in_cell(notice, module)
            cells[cell][1].append(local)
    return cells


def finding_in_cell(finding: Finding, module: NotebookModule) -> Finding:
    """``finding`` (changed in place) with cell-local positions and ``extra["cell"]``."""
    cell, finding.span = module.cell_span(finding.span)
    finding.extra = {**finding.extra, "cell": cell.index}
    if finding.flow:
        finding.extra["flow_cells"] = [
            module.locate(step.span.start_line)[0].index if step.path is None else None for step in finding.flow
        ]
    finding.flow = tuple(_step_in_cell(step, module, cell.index) for step in finding.flow)
    finding.message = _lines_in_cells(finding.message, module, cell.index)
    if finding.fix is not None:
        finding.fix = _fix_in_cell(finding.fix, module, cell.index)
    return finding


def notice_in_cell(notice: Notice, module: NotebookModule) -> tuple[int, Notice]:
    """(cell index, the notice with a cell-local span) of a notice that has a span."""
    assert notice.span is not None
    cell, span = module.cell_span(notice.span)
    return cell.index, replace(notice, span=span, message=_lines_in_cells(notice.message, module, cell.index))


_LINE_NUMBER = re.compile(r"\bline (\d+)\b")


def _lines_in_cells(message: str, module: NotebookModule, cell_index: int) -> str:
    """``line 14`` in a message (a module line) → ``line 2`` of the same cell, or ``cell 3,
    line 2`` of another."""
    last = module.text.count("\n")

    def mapped(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= last:
            return match.group(0)
        cell, line = module.locate(number)
        return f"line {line}" if cell.index == cell_index else f"cell {cell.index + 1}, line {line}"

    return _LINE_NUMBER.sub(mapped, message)


def _fix_in_cell(fix: Fix, module: NotebookModule, cell_index: int) -> Fix | None:
    """The fix with cell-local edits; None when an edit falls in another cell."""
    edits = []
    for edit in fix.edits:
        cell, span = module.cell_span(edit.span)
        if cell.index != cell_index:
            return None
        edits.append(replace(edit, span=span))
    return replace(fix, edits=tuple(edits))


def _step_in_cell(step: FlowStep, module: NotebookModule, cell_index: int) -> FlowStep:
    if step.path is not None:  # a step in another file keeps its own position
        return step
    cell, span = module.cell_span(step.span)
    note = step.note if cell.index == cell_index else f"{step.note} (cell {cell.index + 1})"
    return replace(step, span=span, note=note)


def cell_source(text: str, index: int) -> str | None:
    """The source of cell ``index`` of a notebook's text (None when it cannot be read)."""
    try:
        cells = read_cells(text)
    except NotebookError:
        return None
    return cells[index].source if 0 <= index < len(cells) else None
