"""The import map shared by every chunk of a document, with a record of what each chunk asked of it.

A chunk's facts and its rule results depend on the module's imports only through the
questions asked of the import map (``aliases.get("os")``, ``"eval" in locally_bound``...).
Those questions are recorded, so a changed import invalidates exactly the chunks whose
answers changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...engine.names import ImportMap

_MISSING = object()


class Recorder:
    """What a chunk asked of the import map: the keys it looked up in each structure, and the
    structures it read whole. An answer can only change if one of those changed."""

    def __init__(self) -> None:
        self.keys: dict[str, set[Any]] = {"aliases": set(), "bound": set(), "star": set()}
        self.whole: set[str] = set()

    def invalidated_by(self, change: ImportChange) -> bool:
        if self.whole & change.structures:
            return True
        return bool(self.keys["aliases"] & change.aliases or self.keys["bound"] & change.bound)


@dataclass
class ImportChange:
    """Keys whose answers differ between two versions of the import map."""

    aliases: set[str] = field(default_factory=set)
    bound: set[str] = field(default_factory=set)
    structures: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.structures)


class _Tracked:
    recorder: Recorder | None = None
    label = ""

    def _note(self, query: str, key: Any, answer: Any) -> None:
        recorder = self.recorder
        if recorder is not None:
            recorder.keys[self.label].add(key)

    def _note_all(self) -> None:
        recorder = self.recorder
        if recorder is not None:
            recorder.whole.add(self.label)


class _TrackedDict(dict, _Tracked):  # type: ignore[type-arg]
    label = "aliases"

    def __getitem__(self, key: Any) -> Any:
        value = dict.get(self, key, _MISSING)
        self._note("get", key, value)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        self._note("get", key, value)
        return default if value is _MISSING else value

    def __contains__(self, key: object) -> bool:
        value = dict.get(self, key, _MISSING)
        self._note("get", key, value)
        return value is not _MISSING

    def __iter__(self) -> Iterator[Any]:
        self._note_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._note_all()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._note_all()
        return dict.keys(self)

    def values(self) -> Any:
        self._note_all()
        return dict.values(self)

    def items(self) -> Any:
        self._note_all()
        return dict.items(self)


class _TrackedSet(set, _Tracked):  # type: ignore[type-arg]
    label = "bound"

    def __contains__(self, key: object) -> bool:
        found = set.__contains__(self, key)
        self._note("in", key, found)
        return found

    def __iter__(self) -> Iterator[Any]:
        self._note_all()
        return set.__iter__(self)

    def __len__(self) -> int:
        self._note_all()
        return set.__len__(self)


class _TrackedList(list, _Tracked):  # type: ignore[type-arg]
    label = "star"

    def __iter__(self) -> Iterator[Any]:
        self._note_all()
        return list.__iter__(self)

    def __reversed__(self) -> Iterator[Any]:
        self._note_all()
        return list.__reversed__(self)

    def __len__(self) -> int:
        self._note_all()
        return list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        self._note_all()
        return list.__getitem__(self, index)

    def __contains__(self, key: object) -> bool:
        self._note_all()
        return list.__contains__(self, key)


class _QuietDict(dict, _Tracked):  # type: ignore[type-arg]
    """A ``_TrackedDict`` while nothing records: the built-in lookups, at their speed."""

    label = "aliases"


class _QuietSet(set, _Tracked):  # type: ignore[type-arg]
    label = "bound"


class _QuietList(list, _Tracked):  # type: ignore[type-arg]
    label = "star"


# Each structure switches class between the two (same layout): recording when a recorder is set.
_CLASSES = ((_QuietDict, _TrackedDict), (_QuietSet, _TrackedSet), (_QuietList, _TrackedList))

IMPORT_FIELDS = frozenset({"aliases", "star_modules", "module_name", "locally_bound"})


class SharedImports:
    """The module's import map, shared by every chunk and updated in place each run."""

    def __init__(self, module_name: str) -> None:
        self.map = ImportMap.__new__(ImportMap)
        self.aliases = _TrackedDict()
        self.bound = _TrackedSet()
        self.star = _TrackedList()
        self.map.aliases = self.aliases
        self.map.star_modules = self.star
        self.map.locally_bound = self.bound
        self.map.module_name = module_name
        self.version = 0
        self.record(None)

    def record(self, recorder: Recorder | None) -> None:
        """Note the questions asked from now on in ``recorder`` (None: stop noting them)."""
        tracking = recorder is not None
        for structure, (quiet, tracked) in zip((self.aliases, self.bound, self.star), _CLASSES, strict=True):
            structure.__class__ = tracked if tracking else quiet  # type: ignore[assignment]
            structure.recorder = recorder

    def update(self, aliases: dict[str, str], star: list[str], bound: set[str]) -> ImportChange:
        """Replace the contents; what changed."""
        change = ImportChange()
        old_aliases = dict(dict.items(self.aliases))
        if old_aliases != aliases:
            change.aliases = {k for k in old_aliases.keys() | aliases.keys() if old_aliases.get(k) != aliases.get(k)}
            change.structures.add("aliases")
            dict.clear(self.aliases)
            dict.update(self.aliases, aliases)
        if list(list.__iter__(self.star)) != star:
            change.structures.add("star")
            list.clear(self.star)
            list.extend(self.star, star)
        old_bound = set(set.__iter__(self.bound))
        if old_bound != bound:
            change.bound = old_bound ^ bound
            change.structures.add("bound")
            set.clear(self.bound)
            set.update(self.bound, bound)
        if change:
            self.version += 1
        return change
