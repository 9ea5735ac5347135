"""What a handler or an analysis needs of one open document, captured on the event loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pipeline import ProjectIndex
    from .convert import ClientFeatures
    from .settings import FolderSettings


@dataclass(frozen=True)
class DocumentSnapshot:
    """One version of an open document with the settings and client facts that apply to it.

    Taken on the event loop; safe to hand to a worker thread (nothing in it changes when the
    document does)."""

    uri: str
    path: str
    python: bool  # every rule (Python) or the text rules only
    text: str
    lines: list[str]
    version: int | None
    generation: int  # the server's settings generation the snapshot was taken under
    settings: FolderSettings
    project: ProjectIndex | None  # the folder's cross-module index
    encoding: str  # the client's position encoding
    features: ClientFeatures
    template: bool = False  # a template file: the text rules, and its views' findings located in it
