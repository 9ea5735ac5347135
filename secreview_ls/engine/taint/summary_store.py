"""What the cross-module index keeps between processes: the summaries of a file, by content.

``ProjectIndex(..., store=STORE, identity=TOOL)`` reads and writes, through ``STORE`` (a
``SummaryStore``: bytes by key), one record per file content (``FileRecord``). Its key is a
digest of ``TOOL`` (the version of the analysis code), of ``spec_fingerprint(spec)`` (the
taint configuration), of the module name and of the file's content; inside, each summary asked
of the file carries the digests of the files its computation used (it is taken only while they
are unchanged) and how deep a chain of files it followed (``height``: a summary is taken only
where computing it again would follow the same chain).

Where the bytes live, who may have written them and how many are kept is the store's business
(the pipeline's on-disk store signs them); ``decode`` still accepts only the classes a record is
made of, and answers None for anything else.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import pickle
from dataclasses import dataclass, field
from typing import Any, Protocol

from .spec import TaintSpec
from .summary import Effect, Summary

RECORD_FORMAT = 4  # 2: summaries carry the constants functions return; 3: names hold module-level instances;
# 4: summaries carry the parameters a function proves (``validators.py``)


class SummaryStore(Protocol):
    """Bytes by key, shared between processes."""

    def load(self, key: str) -> bytes | None: ...

    def save(self, key: str, data: bytes) -> None: ...


@dataclass
class Stored:
    """One summary as stored: the summary (None: the name has none), where the name is imported
    from when it is a re-export, the depth of files its computation followed, and the digest of
    every file it used."""

    summary: Summary | None
    reexport: str | None
    height: int
    uses: dict[str, str]


@dataclass
class FileRecord:
    """What is stored of one file content: its summaries by name, and the names it defines."""

    names: Any = None  # ``file_names.FileNames``, once the file was parsed
    summaries: dict[str, Stored] = field(default_factory=dict)


def record_key(identity: str, spec_print: str, module: str, digest: str) -> str:
    text = "\0".join((str(RECORD_FORMAT), identity, spec_print, module, digest))
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=20).hexdigest()


def spec_fingerprint(spec: TaintSpec) -> str:
    """A digest of the taint configuration that is the same in every process (sets are
    written in order: the hash of a string differs between processes)."""
    return hashlib.blake2b(_canonical(spec).encode("utf-8", "replace"), digest_size=20).hexdigest()


def _canonical(value: object) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(item) for item in value)) + "}"
    if isinstance(value, (list, tuple)):
        return "(" + ",".join(_canonical(item) for item in value) + ")"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)


def encode(record: FileRecord) -> bytes:
    """The record as bytes; the tree nodes of effects stay behind (a stored summary is only
    used by other files, which report the call instead)."""
    summaries = {
        name: dataclasses.replace(stored, summary=_without_nodes(stored.summary))
        for name, stored in record.summaries.items()
    }
    return pickle.dumps(FileRecord(record.names, summaries), protocol=pickle.HIGHEST_PROTOCOL)


def _without_nodes(summary: Summary | None) -> Summary | None:
    if summary is None or all(effect.node is None for effect in summary.effects):
        return summary
    effects: list[Effect] = [dataclasses.replace(effect, node=None) for effect in summary.effects]
    return dataclasses.replace(summary, effects=effects)


_ALLOWED = {
    ("builtins", name) for name in ("frozenset", "set", "dict", "list", "tuple", "complex", "bytes", "bytearray")
} | {
    ("secreview_ls.engine.taint.summary_store", "FileRecord"),
    ("secreview_ls.engine.taint.summary_store", "Stored"),
    ("secreview_ls.engine.taint.summary", "Summary"),
    ("secreview_ls.engine.taint.summary", "Effect"),
    ("secreview_ls.engine.taint.values", "Val"),
    ("secreview_ls.engine.taint.values", "Label"),
    ("secreview_ls.engine.taint.values", "Origin"),
    ("secreview_ls.engine.taint.values", "NO_CONST"),
    ("secreview_ls.engine.taint.values", "OneOf"),
    ("secreview_ls.engine.taint.values", "CompiledConstant"),
    ("secreview_ls.engine.taint.file_names", "FileNames"),
    ("secreview_ls.engine.finding", "Span"),
    ("secreview_ls.engine.finding", "FlowStep"),
    ("secreview_ls.engine.finding", "StepKind"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a summary record")
        return super().find_class(module, name)


def decode(data: bytes) -> FileRecord | None:
    """The record in ``data``, or None when it is not one."""
    try:
        record = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # whatever the bytes hold, they are not a record
        return None
    if not isinstance(record, FileRecord) or not isinstance(record.summaries, dict):
        return None
    if not all(isinstance(stored, Stored) for stored in record.summaries.values()):
        return None
    return record
