"""The language server: a thin adapter from LSP to the analysis pipeline.

Start it with ``secreview-ls`` or ``python -m secreview_ls`` (stdio; ``--tcp
HOST:PORT`` for a socket, ``--log-level`` for stderr logging).

What it does:

- **Diagnostics** for every open document, pushed (``textDocument/
  publishDiagnostics`` with the document version) or, when the client
  advertises ``textDocument.diagnostic``, pulled (``textDocument/diagnostic``,
  ``workspace/diagnostic``) — never both. Python documents get every rule,
  other text documents (``.env``, YAML, TOML, INI...) the text rules. Analysis
  is incremental (``secreview_ls.pipeline.incremental``), runs in a thread pool, waits
  ``debounce`` ms after a change, and a result is published only for the
  version it was computed from.
- **Hover** on a finding: rule, CWE, the concrete message, the data-flow path,
  vulnerable and safe examples, how to suppress.
- **Code actions** (edits included, no resolve step): the rule's quick fix,
  "Suppress RULE on this line", "Show documentation for RULE".
- **Code lens** on line 1: "SecReview: N findings — review this file".
- **Commands**: ``secreview.scanWorkspace`` (every file of every workspace
  folder, with work-done progress, at most ``scanMaxFiles`` files, never in
  pseudo filesystems or system folders; returns ``{files, findings, cancelled,
  seconds, limited}``), ``secreview.reviewFile`` (argument: document URI; returns the
  review text), ``secreview.showDocumentation`` (argument: rule id; opens the
  rule's documentation, returns it as markdown).
- **Settings** (section ``secreview``), per workspace folder: ``select``,
  ``ignore``, ``severity``, ``confidence``, ``debounce`` (ms, default 150),
  ``scope`` (``"all"`` or ``"changed"``: findings on lines changed against
  ``diffBase``, default ``HEAD``), ``baseline`` (path of a baseline file), and
  any other ``[tool.secreview]`` key (``timeout``: an analysis is abandoned
  after 1.5 times it, a file of a workspace scan after 3 times it, with a
  diagnostic saying so), and, from the client only, ``scanMaxFiles`` (default
  10,000). Precedence: defaults < the folder's
  ``pyproject.toml`` < ``initializationOptions`` < ``workspace/configuration``.
  Changes (``workspace/didChangeConfiguration``, a watched ``pyproject.toml``
  or baseline file) apply without a restart.
- **Cross-module data flow**: one index per workspace folder; open documents
  count with their unsaved text, and saving a file re-analyzes the others.
- **Robustness**: frames are read defensively (a size cap of 64 MiB; a bad
  frame is logged and the next ``Content-Length`` header resumes reading), the
  lifecycle is enforced (-32002 before ``initialize``, -32600 after
  ``shutdown``), ``exit`` and the end of input end the process at once (code
  0 after ``shutdown``, 1 otherwise), and memory stays flat while typing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import SecReviewServer

__all__ = ["create_server"]


def create_server() -> SecReviewServer:
    """A new, unstarted server with every handler registered (imported on first use, so that
    the position helpers can be used without loading the server)."""
    from .handlers import create_server as create

    return create()
