"""The chain of files whose summaries are computing at once, and what each computation followed.

A summary of a file's function asks for those of the functions it calls in other files, which
ask in turn: the files computing at once form a chain (``_active``), at most ``MAX_CHAIN`` long.
A call into a file of the chain is cut short (``cut_short``), and so is one past the limit
(``limit_reached``). Each computation (a file's summary asked by another file, or a function of
the file at the end of the chain: ``chain_begin``) records how far it reached below its file and
the files it used: where that chain would be the same (``chain_fits``), what it gave answers
again (``kept_summaries``).

Nothing that puts the chain back after a computation runs Python code: a RecursionError raised
there would leave a file on it for every later analysis.
"""

from __future__ import annotations

from pathlib import Path

from .kept_summaries import MAX_CHAIN, Loaded


class SummaryChain:
    """The chain of files computing summaries, and the cuts met so far."""

    def __init__(self) -> None:
        self._active: list[Path] = []
        self._using: list[set[Path]] = []  # the files used by each computation under way
        self._hops = 0  # re-exports followed by the summary asked now
        self._reach = 0  # deepest chain of files reached by the summaries being computed
        self.cuts = 0  # summaries cut short so far (see ``ProjectIndex.settle``)
        self.limits = 0  # of which by the chain limit (``limit_reached``)
        self.cycles = 0  # of which by a call into a file asking (``cycle_met``)

    def clear_chain(self) -> None:
        """Between two analyses nothing is computing: the next starts with no chain at all."""
        del self._active[:], self._using[:]
        self._reach = self._hops = 0

    def limit_reached(self) -> None:
        """A summary could not be followed past the chain limit: what the files now computing
        theirs find holds only at this depth (kept for it, see ``Loaded.limited``)."""
        self.cuts += 1
        self.limits += 1
        if self._reach <= MAX_CHAIN:
            self._reach = MAX_CHAIN + 1

    def cycle_met(self) -> None:
        """A call into a file of the chain was cut short: what the files now computing theirs
        find holds only below the same files asking (kept for them, see ``Loaded.limited``)."""
        self.cuts += 1
        self.cycles += 1

    def bounds(self) -> tuple[int, int, int]:
        """(cuts that depend on the order of asks, limit cuts, cycle cuts) so far."""
        return self.cuts - self.limits - self.cycles, self.limits, self.cycles

    def cut_short(self) -> None:
        """A summary could not be followed (chain limit, a cycle of files, recursion, too deep):
        what the files now computing theirs find depends on the order of asks, so none of it is
        stored, and ``settle`` forgets it."""
        self.cuts += 1

    def chain_begin(self) -> tuple[int, int]:
        """A function of the file at the end of the chain is analyzed: what it reaches is
        counted from here (``chain_end``)."""
        outer = self._reach
        self._reach = len(self._active)
        self._using.append(set())
        return outer, len(self._using) - 1

    def chain_end(self, begun: tuple[int, int]) -> tuple[int, frozenset[Path]]:
        """The chain the function analyzed since ``begun`` followed: its length below the file
        (the file included) and the files it used."""
        outer, at = begun
        used = frozenset(self._using[at]) if at < len(self._using) else frozenset()
        del self._using[at:]
        height = self._reach - len(self._active) + 1
        if outer > self._reach:
            self._reach = outer
        return height, used

    def chain_fits(self, height: int, used: frozenset[Path]) -> bool:
        """Whether a function's summary, kept with its chain, is the one analyzing it again at
        the end of the chain now would give (``Loaded.answers``)."""
        return len(self._active) + height - 1 <= MAX_CHAIN and used.isdisjoint(self._active[:-1])

    def chain_reused(self, height: int, used: frozenset[Path]) -> None:
        """A function's summary kept with its chain is used: it counts for the ones computing."""
        reach = len(self._active) + height - 1
        if reach > self._reach:
            self._reach = reach
        for computing in self._using:
            computing.update(used)

    def _reuse(self, loaded: Loaded, name: str, depth: int) -> None:
        """A summary computed earlier is used again: its chain counts for the one asking."""
        if name in loaded.cut:
            self.cut_short()
        self._reach = max(self._reach, depth + loaded.heights.get(name, 1) - 1)

    def chain_budget(self) -> int:
        """How many files the limit leaves below the file at the end of the chain."""
        return MAX_CHAIN - len(self._active)

    def chain_clear_of(self, used: frozenset[Path]) -> bool:
        """Whether none of the files ``used`` is one asking now (a call into it would be cut)."""
        return used.isdisjoint(self._active[:-1])

    def bound_key(self, cycled: bool) -> tuple[Path, ...]:
        """What a summary that met the limit or a cycle (``cycled``) holds for, besides the limit:
        the files asking, for one that met a cycle."""
        return tuple(self._active[:-1]) if cycled else ()

    def replay_bounds(self, limited: bool, cycled: bool) -> None:
        """A summary kept for this limit (or these files asking) is used: so is its asker."""
        if limited:
            self.limit_reached()
        if cycled:
            self.cycle_met()
