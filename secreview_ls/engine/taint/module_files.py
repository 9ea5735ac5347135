"""Where the file of an imported module is: ``a.b`` as ``a/b.py`` or ``a/b/__init__.py`` under the
importing file's folder, one of its ancestors, or a root of the project (``ProjectIndex``'s
module lookups). Folder listings are kept, so that most names asked that are no module (a
class asked as ``pkg.mod.Class`` is tried as a module first) are ruled out without a file check,
until ``forget_listings`` (a module created or deleted)."""

from __future__ import annotations

import os
from pathlib import Path

MAX_ANCESTORS = 8  # folders above the importing file's that are searched


class ModuleFiles:
    """Module files found under a project's roots, by importing folder."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self._probes: dict[tuple[Path, str], Path | None] = {}  # (folder, module) → its file there
        self._folders_of: dict[Path, tuple[Path, ...]] = {}  # importing folder → folders searched
        self._listings: dict[str, frozenset[str] | None] = {}  # lower-cased names in a folder
        self._holders: dict[tuple[Path, str], tuple[Path, ...]] = {}  # (importing folder, first name) → folders

    def forget_listings(self) -> None:
        """Look at the folders again: a module may have been created or deleted."""
        self._listings.clear()
        self._holders.clear()
        self._probes.clear()

    def search(self, module: str, base: Path) -> tuple[Path, str] | None:
        """The file of ``module`` imported from a file in ``base``, and the module name; None when
        no folder searched has it."""
        first = module.split(".", 1)[0].lower()
        held = (base, first)
        holders = self._holders.get(held)
        if holders is None:  # the folders searched that may hold ``first``: the same for its modules
            holders = self._holders[held] = tuple(
                directory for directory in self._search_folders(base) if self._may_hold(directory, first)
            )
        for directory in holders:
            probe = (directory, module)
            if probe in self._probes:  # another importing folder looked here for the module
                file = self._probes[probe]
            else:
                file = self._probes[probe] = self._module_file(directory, module)
            if file is not None:
                return file, module
        return None

    def _search_folders(self, base: Path) -> tuple[Path, ...]:
        """Where a module imported from ``base`` is looked for, in order: ``base`` and its
        ancestors, then the roots (kept by folder: the same for every module it imports)."""
        known = self._folders_of.get(base)
        if known is None:
            candidates: list[Path] = []
            current = base
            for _ in range(MAX_ANCESTORS):
                candidates.append(current)
                if current.parent == current:
                    break
                current = current.parent
            for root in self.roots:
                if root not in candidates:
                    candidates.append(root)
            known = self._folders_of[base] = tuple(candidates)
        return known

    def _module_file(self, directory: Path, module: str) -> Path | None:
        """``directory/a/b.py`` or ``directory/a/b/__init__.py`` for module ``a.b``. Most modules
        asked are not there (``pkg.mod.Class`` is tried as a module first): a folder on the way
        whose listing lacks the next part rules the file out without looking it up."""
        parts = module.split(".")
        folder = str(directory)
        for part in parts[:-1]:
            if part.isascii() and not self._has_entry(folder, part.lower()):
                return None
            folder = os.path.join(folder, part)
        last = parts[-1].lower()
        if last.isascii() and not self._has_entry(folder, last, f"{last}.py"):
            return None
        relative = Path(*parts)
        for file in (directory / relative.with_suffix(".py"), directory / relative / "__init__.py"):
            if file.is_file():
                return file
        return None

    def _may_hold(self, directory: Path, first: str) -> bool:
        """Whether ``directory`` has an entry ``first`` or ``first.py`` (names compared without
        case, as a case-insensitive file system would find them): one listing per folder
        instead of two file checks per module searched there."""
        return not first or self._has_entry(str(directory), first, f"{first}.py")

    def _has_entry(self, directory: str, *names: str) -> bool:
        """Whether ``directory`` may have an entry of one of these (lower-case) names: True
        when it cannot be listed."""
        listed = self._listings.get(directory, False)
        if listed is False:
            try:
                listed = frozenset(name.lower() for name in os.listdir(directory))
            except OSError:
                listed = None
            self._listings[directory] = listed
        return listed is None or any(name in listed for name in names)
