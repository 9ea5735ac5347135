"""Whether ``pkg.mod.obj.method`` names a method of a module-level instance ``obj = Class()`` of
``pkg.mod`` (the call binds ``self``) or of a class ``obj`` (a call through the class passes it,
but for a ``classmethod``: the call binds ``cls``). The answer is whether the call binds the
method's first parameter."""

from __future__ import annotations

from typing import Any


def names_instance(target: Any, loaded_files: Any, qualname: str, from_path: str, limit: int, lock: Any) -> bool | None:
    """Followed through re-exports; None when the file's names are not known (asked right after
    ``function_summary`` of the same name, which loaded them)."""
    with lock:
        return _names_instance(target, loaded_files, qualname, from_path, limit)


def _names_instance(target: Any, loaded_files: Any, qualname: str, from_path: str, limit: int) -> bool | None:
    for _ in range(limit):
        found = target(qualname, from_path)
        if found is None:
            return None
        (path, _asked), name = found
        loaded = loaded_files.get(path)
        names = loaded.names if loaded is not None else None
        if names is None:
            return None
        head, _, rest = name.partition(".")
        if rest and "." not in rest:
            if head in names.instances:
                return True
            if head in names.methods:
                return name in names.classmethods  # through the class: only ``cls`` is bound
        full = loaded.reexports.get(name)
        if full is None:
            return None
        qualname, from_path = full, str(path)
    return None
