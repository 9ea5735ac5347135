"""What the cross-module index keeps of each file, and when a kept summary may answer again.

A summary is worked out along a chain of files (the asking file's call into this one, this
one's calls into others...), at most ``MAX_CHAIN`` long, and a call back into a file of the
chain is cut short: what a file's summary holds depends on where in a chain it is asked. A
summary computed in full (nothing cut) is what any asker gets, as long as computing it again
there would follow the same chain: the chain it followed (``height``) fits below the asker, and
none of the files it used is one asking now (that call would be cut short). Elsewhere it is
worked out again for this chain, and the summary in full is put back by ``settle``: what an
analysis finds then does not depend on which files were analyzed before it.

The same holds for the summaries of the functions of a parsed and analyzed file (``Whole``):
each is kept with its chain (``Summaries``, through ``ProjectIndex.chain_begin``...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .analysis import ModuleTaint
from .file_names import FileNames
from .spec import TaintSpec
from .summary import Summary
from .summary_store import FileRecord

MAX_CHAIN = 4  # files whose summaries may be computing at once (A → B → C → D)


@dataclass
class Loaded:
    """What is kept of a file whose summaries were asked: small, kept until ``invalidate``."""

    digest: str
    stamp: tuple[int, int] | None
    spec: TaintSpec
    text: str | None  # only a text supplied by ``read`` (an open document, held by the editor anyway)
    summaries: dict[str, Summary | None] = field(default_factory=dict)
    reexports: dict[str, str] = field(default_factory=dict)  # name → ``pkg.mod.name`` it is imported from
    calls_into: set[Path] = field(default_factory=set)  # files its summaries used
    names: FileNames | None = None  # known once the file was parsed
    heights: dict[str, int] = field(default_factory=dict)  # chain of files each summary followed
    uses: dict[str, frozenset[Path]] = field(default_factory=dict)  # files each summary used
    cut: set[str] = field(default_factory=set)  # summaries cut short (they depend on who asked first)
    # summaries that met the chain limit or a cycle, by name, the files the limit left below the
    # file and (for a cycle) the files asking: (summary, files used, met the limit, met a cycle)
    limited: dict[tuple[str, int, tuple[Path, ...]], tuple[Summary | None, frozenset[Path], bool, bool]] = field(
        default_factory=dict
    )
    # summaries in full set aside while one worked out for a longer chain answers (``settle``)
    shelved: dict[str, tuple[Summary | None, int, frozenset[Path] | None]] = field(default_factory=dict)
    record: FileRecord | None = None  # what the store holds of this content
    record_key: str = ""

    def answers(self, name: str, depth: int, asking: list[Path]) -> bool:
        """Whether the summary kept for ``name`` is the one computing it again at ``depth``
        below the ``asking`` files would give: one cut short answers only the analysis that
        made it (``settle`` forgets it)."""
        if name in self.cut:
            return True
        if depth + self.heights.get(name, 1) - 1 > MAX_CHAIN:
            return False
        uses = self.uses.get(name)
        return not uses or uses.isdisjoint(asking)

    def shelve(self, name: str) -> None:
        """Set the summary of ``name`` aside: it is worked out again for this chain."""
        self.shelved.setdefault(
            name, (self.summaries.pop(name, None), self.heights.pop(name, 1), self.uses.pop(name, None))
        )

    def settle(self) -> None:
        """Forget the summaries cut short; put back those set aside."""
        for name in self.cut:
            self.summaries.pop(name, None)
            self.heights.pop(name, None)
            self.uses.pop(name, None)
        self.cut.clear()
        for name, (summary, height, uses) in self.shelved.items():
            self.summaries[name], self.heights[name] = summary, height
            if uses is not None:
                self.uses[name] = uses
        self.shelved.clear()


@dataclass
class Whole:
    """A file parsed and analyzed, its summaries computed as they are asked."""

    digest: str
    spec: TaintSpec
    size: int
    taint: ModuleTaint
    shared: bool = False  # its facts serve an analysis of the file itself (``facts_of``): not emptied
