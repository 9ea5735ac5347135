"""The language server: a thin adapter from LSP to the analysis pipeline."""

from __future__ import annotations

__all__ = ["create_server"]


def create_server():  # type: ignore[no-untyped-def]
    """A new, unstarted server with every feature registered."""
    from .features import create_server as create

    return create()
