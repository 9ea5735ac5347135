"""Split a scan's files between N jobs: ``--shard K/N``.

A file belongs to shard ``sha256(path relative to the project root) mod N`` (1-based in the
user's ``K``), so every job of a CI matrix computes the same split without talking to the
others, each file is reported by exactly one shard, and the split does not depend on the
process (Python's ``hash()`` of a string changes between runs) or on the checkout's location.

Sharding narrows what is analyzed and reported, never what is read: every shard still builds
the cross-module index over the whole project, so a flow from a module in one shard to a sink
in another is found by the shard that owns the sink's file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"K/N"`` with ``1 <= K <= N``; raises ``ValueError`` with a readable message."""
        head, slash, tail = text.strip().partition("/")
        if not slash or not head.strip().isdigit() or not tail.strip().isdigit():
            raise ValueError(f"expected K/N (for example 2/4), got {text!r}")
        index, count = int(head), int(tail)
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"K must be between 1 and N, got {text!r}")
        return cls(index, count)

    def owns(self, relpath: str) -> bool:
        """Whether the file at ``relpath`` (POSIX, relative to the project root) is this shard's."""
        return shard_of(relpath, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(relpath: str, count: int) -> int:
    """The 1-based shard of ``relpath`` among ``count`` shards."""
    digest = hashlib.sha256(relpath.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1
