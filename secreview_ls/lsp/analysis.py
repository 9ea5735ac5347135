"""The server's one door to the analysis pipeline.

Every call the language server makes into the analysis (whole files, incremental
re-analysis, the review, the cross-module index, the scope and baseline filters) goes
through this module, so the rest of ``lsp/`` deals in snapshots, findings and notices only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..pipeline import (
    TEMPLATE_SUFFIXES,
    AnalysisResult,
    Cell,
    Config,
    Finding,
    IncrementalAnalyzer,
    Notice,
    ProjectIndex,
    analysis_identity,
    analyze_cells,
    analyze_file,
    analyze_source,
    analyze_template,
    analyze_text_file,
    by_cell,
    editor_summary_cache,
    is_notebook_path,
    is_python_path,
    is_template_path,
    names_any,
    rendered_as,
    split_lines_keepends,
)
from ..pipeline.fixing import can_apply, fix_text
from ..review import review_file
from .integrations import filter_findings, forget_baselines
from .settings import FolderSettings

if TYPE_CHECKING:
    from .snapshot import DocumentSnapshot

log = logging.getLogger("secreview_ls.lsp")

# A first incremental analysis runs the rules once per group of top-level statements: on a
# file of thousands of small definitions that costs many times a whole analysis. Such a
# document is analyzed whole, at every version.
INCREMENTAL_MAX_STATEMENTS = 2_000
_TOP_LEVEL = re.compile(r"^[^\s#]", re.MULTILINE)

__all__ = [
    "AnalysisResult",
    "DiskResult",
    "IncrementalAnalyzer",
    "ProjectIndex",
    "analyze_disk_file",
    "analyze_document",
    "analyze_notebook",
    "analyze_whole",
    "fell_back_for_syntax",
    "fix_document",
    "forget_baselines",
    "has_safe_fix",
    "incremental_worthwhile",
    "is_python_document",
    "is_template_document",
    "names_any",
    "new_analyzer",
    "project_index",
    "rendered_as",
    "review_document",
    "split_lines_keepends",
]


def is_python_document(path: str, language_id: str | None) -> bool:
    """Whether a document gets every rule (Python) or the text rules only."""
    return is_python_path(path) or (language_id or "").lower() == "python"


#: A file watcher's pattern for files that may be templates: any with a template suffix, since
#: template folders may have any name; ``is_template_document`` decides which are.
TEMPLATE_GLOB = "**/*.{" + ",".join(sorted(s.lstrip(".") for s in TEMPLATE_SUFFIXES)) + "}"


def is_template_document(path: str, project: ProjectIndex | None = None) -> bool:
    """Whether a (non-Python) document is a Jinja2 / Django template: a template suffix
    (``.html``, ``.htm``, ``.jinja``, ``.jinja2``, ``.j2``, ``.djhtml``) under a ``templates``
    folder or one of the project's template folders (configured ``template-dirs``, or declared
    in its code), whatever language the editor gave it."""
    if Path(path).suffix.lower() not in TEMPLATE_SUFFIXES:
        return False  # no need for the project's folders
    return is_template_path(path, project.template_folders() if project is not None else ())


def _other_text(snapshot: DocumentSnapshot) -> AnalysisResult:
    """A non-Python document: the text rules, and for a template its views' findings."""
    if snapshot.template:
        return analyze_template(snapshot.text, snapshot.path, snapshot.settings.config, project=snapshot.project)
    return analyze_text_file(snapshot.text, snapshot.path, snapshot.settings.config)


def project_index(root: Path, read: Callable[[Path], str | None], config: Config | None = None) -> ProjectIndex | None:
    """A cross-module index for a workspace folder; ``read`` supplies the text of open documents,
    ``config`` the configured template folders. With ``config``, summaries are shared with
    ``secreview check`` through its cache folder when there is one (the index writes them when the
    server is idle)."""
    try:
        store = editor_summary_cache(config) if config is not None else None
        return ProjectIndex(
            [root],
            read=read,
            template_dirs=config.template_folders() if config is not None else (),
            store=store,
            identity=analysis_identity() if store is not None else "",
        )
    except Exception as error:
        log.warning("cross-module index for %s unavailable: %s", root, error)
        return None


def _settled(project: ProjectIndex | None) -> None:
    """Forget the summaries computed across a cut before an analysis, as the command line does
    before each file: what a document shows does not depend on which documents were analyzed
    before it (``ProjectIndex.settle``)."""
    if project is not None:
        project.settle()


def new_analyzer(snapshot: DocumentSnapshot) -> IncrementalAnalyzer:
    """An incremental analyzer for a Python document, under the snapshot's settings."""
    return IncrementalAnalyzer(snapshot.path, snapshot.settings.config, project=snapshot.project)


def analyze_document(snapshot: DocumentSnapshot, analyzer: IncrementalAnalyzer | None) -> AnalysisResult:
    """Findings and notices of an open document, with the folder's scope and baseline applied.

    Python documents go through ``analyzer`` (a new one when None); other text documents get
    the text rules."""
    _settled(snapshot.project)
    if snapshot.python:
        result = (analyzer or new_analyzer(snapshot)).analyze(snapshot.text)
    else:
        result = _other_text(snapshot)
    result.findings = filter_findings(result.findings, snapshot.path, snapshot.text, snapshot.settings)
    return result


def analyze_whole(snapshot: DocumentSnapshot) -> AnalysisResult:
    """Findings and notices of an open document from one analysis of the whole text (no
    incremental cache), with the folder's scope and baseline applied."""
    _settled(snapshot.project)
    if snapshot.python:
        result = analyze_source(snapshot.text, snapshot.path, snapshot.settings.config, project=snapshot.project)
    else:
        result = _other_text(snapshot)
    result.findings = filter_findings(result.findings, snapshot.path, snapshot.text, snapshot.settings)
    return result


def has_safe_fix(findings: Sequence[Finding]) -> bool:
    """Whether any of ``findings`` carries a fix that is safe to apply unreviewed."""
    return any(can_apply(found) for found in findings)


def fix_document(snapshot: DocumentSnapshot, findings: Sequence[Finding]) -> str:
    """The document's text with every safe fix applied (``findings``: those of this very text,
    as shown; the text is analyzed whole again after each round of fixes)."""
    first = [list(findings)]

    def analyze(text: str) -> list[Finding]:
        if first and text == snapshot.text:
            return first.pop()
        return analyze_whole(replace(snapshot, text=text, lines=split_lines_keepends(text))).findings

    return fix_text(snapshot.text, analyze).text


def incremental_worthwhile(text: str) -> bool:
    """Whether a first incremental analysis of ``text`` costs about what a whole one does
    (it has at most ``INCREMENTAL_MAX_STATEMENTS`` top-level statements, estimated from the
    lines that start at column 0)."""
    for count, _ in enumerate(_TOP_LEVEL.finditer(text), start=1):
        if count > INCREMENTAL_MAX_STATEMENTS:
            return False
    return True


def fell_back_for_syntax(analyzer: IncrementalAnalyzer) -> bool:
    """Whether the analyzer's last run analyzed the whole file because of syntax errors (it
    then dropped its cache, so its next run would start from nothing)."""
    return analyzer.stats.mode == "full" and "syntax error" in analyzer.stats.reason


def review_document(snapshot: DocumentSnapshot, display_path: str) -> str:
    """The review of an open document, from a whole analysis (so that it also reports what was
    examined)."""
    result = analyze_whole(snapshot)
    settings = snapshot.settings
    filtered = None
    if settings.options.scope == "changed":
        filtered = "on changed lines"
    elif settings.baseline_path is not None:
        filtered = "not in the baseline"
    return review_file(result, snapshot.text, config=settings.config, display_path=display_path, filtered=filtered)


@dataclass
class DiskResult:
    """A file on disk, analyzed: its text (empty when nothing was found), kept findings and notices."""

    text: str
    findings: list[Finding]
    notices: list[Notice]


def analyze_disk_file(path: Path, settings: FolderSettings, project: ProjectIndex | None) -> DiskResult:
    """Analyze a file that is not open, with the folder's scope and baseline applied. A notebook
    is left out: its diagnostics belong to its cells, which exist only while it is open."""
    if is_notebook_path(path):
        return DiskResult(text="", findings=[], notices=[])
    _settled(project)
    result = analyze_file(path, settings.config, project=project)
    text = path.read_text(encoding="utf-8", errors="replace") if result.findings or result.notices else ""
    findings = filter_findings(result.findings, str(path), text, settings)
    return DiskResult(text=text, findings=findings, notices=result.notices)


def analyze_notebook(
    cells: list[Cell], path: str, settings: FolderSettings, project: ProjectIndex | None
) -> dict[int, tuple[list[Finding], list[Notice]]]:
    """A notebook's code cells analyzed as one module: findings and notices by cell index,
    with cell-local positions."""
    _settled(project)
    result, module = analyze_cells(cells, path, settings.config, project=project)
    return by_cell(result, module)
