"""Report writers: one module per output format, imported only when used.

Every writer is a function ``render(scan: ScanResult, *, color: bool = False) -> str``.
``FORMATS`` maps a format name to ``"module:function"``; ``get_writer(name)``
imports it and raises ``ReportError`` with a clear message when the format is
unknown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pipeline import ScanResult

Writer = Callable[..., str]

FORMATS: dict[str, str] = {
    "text": "secreview_ls.reports.text:render",
    "json": "secreview_ls.reports.json_report:render",
    "sarif": "secreview_ls.sarif:render",
    "html": "secreview_ls.reports.html:render",
    "markdown": "secreview_ls.reports.markdown:render",
    "concise": "secreview_ls.reports.concise:render",
    "github": "secreview_ls.reports.github:render",
    "gitlab": "secreview_ls.reports.gitlab:render",
}

#: ``--statistics`` in the formats that have it.
STATISTICS: dict[str, str] = {
    "text": "secreview_ls.reports.statistics:render",
    "json": "secreview_ls.reports.statistics:render_json",
}


class ReportError(RuntimeError):
    """A report format cannot be produced (unknown name)."""


def load_target(target: str, what: str) -> Writer:
    """Import ``"module:function"``; a module without that function raises ``ReportError``."""
    module_name, _, function_name = target.partition(":")
    module = importlib.import_module(module_name)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ReportError(f"{what} is not available: {module_name} has no function {function_name}()")
    return function


def get_writer(name: str) -> Writer:
    """The ``render`` function for a format name."""
    target = FORMATS.get(name)
    if target is None:
        raise ReportError(f"unknown report format {name!r} (choose from: {', '.join(FORMATS)})")
    return load_target(target, f"the {name} report format")


def get_statistics_writer(name: str) -> Writer:
    """The ``render`` function of ``--statistics`` in format ``name`` (text or json)."""
    target = STATISTICS.get(name)
    if target is None:
        raise ReportError(f"--statistics is written as text or json, not {name}")
    return load_target(target, "--statistics")


def render(scan: ScanResult, name: str, *, color: bool = False) -> str:
    """Render ``scan`` in format ``name``."""
    return get_writer(name)(scan, color=color)
