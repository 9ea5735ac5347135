"""Make at start what the server would otherwise make on first use, in the middle of a session.

Objects that live as long as the process but are first made while documents are analyzed
land in allocator arenas full of the analyses' short-lived objects; once those are freed,
the few survivors keep whole arenas (1 MB each) from going back to the system, so closing
every document did not bring the process back to its start level. The largest such
objects are the protocol's (de)serialization functions, which cattrs generates and compiles
for each message type the first time one arrives (the first edit, the first hover...), and
the UTF-16 codec that position conversion imports on first use. ``warm_up`` makes them
before the first document opens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from lsprotocol import types

log = logging.getLogger(__name__)

#: Messages the server sends, or receives answers to, besides the methods it handles.
SENT = (
    types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
    types.WINDOW_LOG_MESSAGE,
    types.WINDOW_SHOW_MESSAGE,
    types.WINDOW_WORK_DONE_PROGRESS_CREATE,
    types.PROGRESS,
    types.WORKSPACE_CONFIGURATION,
    types.CLIENT_REGISTER_CAPABILITY,
    types.WORKSPACE_DIAGNOSTIC_REFRESH,
    types.WORKSPACE_CODE_LENS_REFRESH,
    types.CANCEL_REQUEST,
    types.EXIT,
)


def message_types(methods: Iterable[str]) -> list[Any]:
    """The message, response and parameter classes LSP defines for ``methods``."""
    found: dict[Any, None] = {}
    for method in methods:
        for kind in types.METHOD_TO_TYPES.get(method, ()):
            if kind is not None:
                found.setdefault(kind, None)
    return list(found)


def warm_up(converter: Any, methods: Iterable[str]) -> int:
    """Build the structure and unstructure hooks of every message of ``methods`` and of
    ``SENT``, and load the codecs positions use; the number of types prepared. Never raises:
    whatever is not prepared here is made on first use as before."""
    started = time.perf_counter()
    prepared = 0
    for kind in message_types([*methods, *SENT]):
        try:
            converter.get_structure_hook(kind)
            converter.get_unstructure_hook(kind)
        except Exception as error:  # an odd type must not stop the server
            log.debug("no hooks prepared for %s: %s", kind, error)
            continue
        prepared += 1
    "".encode("utf-16-le")
    "".encode("utf-32-le")
    log.debug("prepared the hooks of %d message types in %.0f ms", prepared, (time.perf_counter() - started) * 1000)
    return prepared
