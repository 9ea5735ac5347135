"""What the chunks of a document import and bind at module level, kept up to date as chunks
come and go: the union of their imports (the module's import map) and, per name, the chunks
that bind it (a chunk's context)."""

from __future__ import annotations

import ast
import itertools

from ...engine.names import ImportMap, alias_candidates, class_body_bindings, count_bindings
from ..running import RerunWhole
from .chunks import Chunk
from .imports import IMPORT_FIELDS, ImportChange, SharedImports
from .segments import segment_imports


class ModuleBindings:
    """The import map of the whole document, merged from its chunks, and who binds each name.

    Per name, the chunks that import or bind it are counted, so an update only looks at the
    chunks that came and went."""

    def __init__(self, module_name: str) -> None:
        self.module_name = module_name
        self.imports = SharedImports(module_name)
        self.binders: dict[str, set[Chunk]] = {}  # name → chunks binding it at module level
        self._alias_uses: dict[str, dict[str, int]] = {}  # imported name → target → chunks importing it so
        self._bound_uses: dict[str, int] = {}  # name bound at module level → chunks binding it
        self._star_chunks: list[Chunk] = []  # chunks with star imports
        self._resolved: dict[str, str] = {}  # names imported as different modules → the whole map's answer
        # Assigned aliases (``run = os.system``) are judged on the whole module: per chunk, its
        # candidate assignments and how it binds the names that resolve to an alias (``_wanted``;
        # None: not counted yet); the sum of the latter over the chunks.
        self._alias_parts: dict[Chunk, tuple[list[tuple[str, ast.expr]], dict[str, int] | None]] = {}
        self._binding_counts: dict[str, int] = {}
        self._wanted: frozenset[str] = frozenset()

    def update_imports(self, gone: list[Chunk], fresh: list[Chunk], chunks: list[Chunk]) -> ImportChange:
        """Merge the chunks' imports into the shared map; what changed. A name imported as
        different modules in different places means what the whole module's import map makes
        of it (its walk's last word), asked again only when a chunk importing it came or went.
        Raises ``RerunWhole`` when star imports sit in several places."""
        for chunk in fresh:
            if chunk.imports is None and chunk.unit is not None:
                chunk.imports = segment_imports(chunk, self.module_name)
            elif chunk.imports is None:
                own = ImportMap(chunk.module, self.module_name, assigned=False)
                if set(vars(own)) != IMPORT_FIELDS:
                    raise RerunWhole("the import map has fields this analyzer does not merge")
                chunk.imports = (own.aliases, own.star_modules, own.locally_bound)
        for chunk, step in itertools.chain(((c, -1) for c in gone), ((c, 1) for c in fresh)):
            self._count(chunk, step)
            self._count_bindings(chunk, step)
        conflicting = {name for name, targets in self._alias_uses.items() if len(targets) > 1}
        if conflicting != set(self._resolved) or any(
            name in chunk.imports[0]
            for chunk in itertools.chain(gone, fresh)
            for name in conflicting  # type: ignore[index]
        ):
            self._resolved = self._whole_answers(conflicting, chunks) if conflicting else {}
        aliases: dict[str, str] = {}
        for name, targets in self._alias_uses.items():
            aliases[name] = self._resolved[name] if name in conflicting else next(iter(targets))
        if len(self._star_chunks) > 1:
            raise RerunWhole("star imports in several places")
        star = list(self._star_chunks[0].imports[1]) if self._star_chunks else []  # type: ignore[index]
        aliases.update(self._assigned_aliases(chunks, aliases, star))
        return self.imports.update(aliases, star, set(self._bound_uses))

    def _assigned_aliases(self, chunks: list[Chunk], aliases: dict[str, str], star: list[str]) -> dict[str, str]:
        """The assigned aliases of the whole module, as its import map finds them: the chunks'
        candidate assignments in line order, resolved by the imports, kept where the module
        binds the name once."""
        candidates = [c for chunk in chunks for c in self._alias_parts.get(chunk, ((), {}))[0]]
        if not candidates:
            return {}
        resolver = ImportMap(ast.Module(body=[], type_ignores=[]), self.module_name, assigned=False)
        resolver.aliases.update(aliases)
        resolver.star_modules.extend(star)
        resolver.locally_bound.update(self._bound_uses)
        # Only the names that resolve need their bindings counted (``assigned_aliases`` keeps
        # those bound once): counted when asked for, in the chunks that came since.
        found = resolver.assigned_aliases(candidates, None)
        if not found:
            return {}
        self._count_wanted(frozenset(found))
        return {name: resolved for name, resolved in found.items() if self._binding_counts.get(name) == 1}

    def _count_bindings(self, chunk: Chunk, step: int) -> None:
        """Add (``step`` 1) or take away (-1) the chunk's candidates and its counted bindings."""
        if step > 0:
            self._alias_parts[chunk] = (_alias_candidates(chunk), None)
            return
        _, counts = self._alias_parts.pop(chunk, ([], None))
        self._add_counts(counts or {}, -1)

    def _count_wanted(self, wanted: frozenset[str]) -> None:
        """Bring the counts of ``wanted`` up to date: every chunk counted again when they are
        other names than last time, else the chunks not counted yet."""
        if wanted != self._wanted:
            self._wanted = wanted
            self._binding_counts = {}
            self._alias_parts = {chunk: (part[0], None) for chunk, part in self._alias_parts.items()}
        for chunk, (candidates, counts) in self._alias_parts.items():
            if counts is None:
                counts = _counted(chunk, wanted)
                self._alias_parts[chunk] = (candidates, counts)
                self._add_counts(counts, 1)

    def _add_counts(self, counts: dict[str, int], step: int) -> None:
        for name, weight in counts.items():
            count = self._binding_counts.get(name, 0) + step * weight
            if count:
                self._binding_counts[name] = count
            else:
                del self._binding_counts[name]

    def _whole_answers(self, names: set[str], chunks: list[Chunk]) -> dict[str, str]:
        """What the import map of the whole module maps each of ``names`` to."""
        tree = ast.Module(body=[s for c in chunks for s in c.module.body], type_ignores=[])
        whole = ImportMap(tree, self.module_name).aliases
        if not names <= whole.keys():
            raise RerunWhole("an import map merged from the chunks lost a name")
        return {name: whole[name] for name in names}

    def _count(self, chunk: Chunk, step: int) -> None:
        own_aliases, own_star, own_bound = chunk.imports  # type: ignore[misc]
        for name, target in own_aliases.items():
            targets = self._alias_uses.setdefault(name, {})
            targets[target] = targets.get(target, 0) + step
            if not targets[target]:
                del targets[target]
                if not targets:
                    del self._alias_uses[name]
        for name in own_bound:
            count = self._bound_uses.get(name, 0) + step
            if count:
                self._bound_uses[name] = count
            else:
                del self._bound_uses[name]
        if own_star:
            if step > 0:
                self._star_chunks.append(chunk)
            else:
                self._star_chunks.remove(chunk)

    def update_binders(self, gone: list[Chunk], fresh: list[Chunk]) -> set[str]:
        """Record which chunks bind which module-level names; the names whose binders changed."""
        changed: set[str] = set()
        for chunk in gone:
            for name in chunk.binds or ():
                holders = self.binders.get(name)
                if holders is not None:
                    holders.discard(chunk)
            changed.update(chunk.binds or ())
        for chunk in fresh:
            for name in chunk.binds or ():
                self.binders.setdefault(name, set()).add(chunk)
            changed.update(chunk.binds or ())
        return changed

    def context_of(self, chunk: Chunk) -> tuple[list[Chunk], frozenset[str]]:
        """The other chunks binding, at module level, a name ``chunk`` uses, and in turn a name
        one of them uses (a judgement follows ``CMD = BASE + "x"`` to ``BASE``, ``build()`` to
        the function its ``return`` calls), in line order; with every name so followed."""
        members: set[Chunk] = set()
        followed = set(chunk.names)
        pending = list(followed)
        while pending:
            for binder in self.binders.get(pending.pop(), ()):
                if binder is chunk or binder in members:
                    continue
                members.add(binder)
                for name in binder.names - followed:
                    followed.add(name)
                    pending.append(name)
        return sorted(members, key=lambda c: c.first), frozenset(followed)


def _alias_candidates(chunk: Chunk) -> list[tuple[str, ast.expr]]:
    """The chunk's candidate assigned aliases (a segment of a class has none)."""
    return alias_candidates(chunk.module) if chunk.unit is None else []


def _counted(chunk: Chunk, wanted: frozenset[str]) -> dict[str, int]:
    """How the chunk binds each of ``wanted`` (``count_bindings``): a segment of a class holds
    class-body statements, whose own names bind class attributes; its header binds the class
    name. A chunk whose text spells none of them binds none: its nodes are in its text (not
    so in a repaired one), and a name is spelled as written only in ASCII (else normalized)."""
    text = chunk.text
    unspelled = chunk.broken is None and text.isascii() and not any(name in text for name in wanted)
    unit = chunk.unit
    if unit is None:
        return {} if unspelled else count_bindings(ast.walk(chunk.module), wanted)
    counts: dict[str, int] = {}
    if not unspelled:
        own = list(chunk.own or ())
        nodes: list[ast.AST] = [n for statement in own for n in ast.walk(statement)]
        counts = count_bindings(nodes, wanted, set(map(id, class_body_bindings(own))))
    if chunk is unit.header:
        node = unit.node
        parts = [n for part in (*node.decorator_list, *node.bases, *node.keywords) for n in ast.walk(part)]
        for name, weight in count_bindings(parts, wanted).items():
            counts[name] = counts.get(name, 0) + weight
        if node.name in wanted:
            counts[node.name] = counts.get(node.name, 0) + 2
    return counts
