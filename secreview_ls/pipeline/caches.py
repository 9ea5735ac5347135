"""Memo tables that outlive one analysis, and dropping them when no document is left.

The taint analysis memoizes deeper accesses of parameters (``values._deeper``) and the sink
candidates of each set of imports (``relevance._CANDIDATES``) across analyses. What they
hold was made mid-session; a server with no document open drops it, so that it does not
keep allocator arenas of the session alive (``lsp/collector.py``).
"""

from __future__ import annotations

from ..engine.taint import relevance, values


def release_caches() -> None:
    """Empty the analysis memo tables (they fill again on the next analysis)."""
    values.clear_memo()
    relevance.clear_memo()
