"""Reading source files: size limit, binary detection, PEP 263 encodings, module names."""

from __future__ import annotations

import tokenize
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from ..config import Config
from ..engine.finding import Notice, Span
from ..engine.project_files import dotted_name, real_path

PYTHON_SUFFIXES = frozenset({".py", ".pyi", ".pyw"})


@dataclass
class ReadResult:
    text: str | None
    notice: Notice | None = None


def is_python_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PYTHON_SUFFIXES


# Real paths of folders (a project root, the folders of the files analyzed), each looked up
# once per process: resolving every component of every file's path again cost as much as a
# tenth of the parse of a large tree.
_REAL_FOLDERS: dict[Path, Path] = {}
MAX_REAL_FOLDERS = 8192


def _real_folder(folder: Path) -> Path:
    known = _REAL_FOLDERS.get(folder)
    if known is None:
        if len(_REAL_FOLDERS) >= MAX_REAL_FOLDERS:
            _REAL_FOLDERS.clear()
        known = _REAL_FOLDERS[folder] = folder.resolve()
    return known


def module_name_for(path: str | Path, root: Path | None) -> str:
    """Dotted module name of ``path`` relative to ``root`` (best effort)."""
    candidate = Path(path)
    if root is not None:
        try:
            candidate = real_path(candidate, _real_folder).relative_to(_real_folder(root))
        except (ValueError, OSError):
            pass
    return dotted_name(candidate)


def read_source(path: Path, config: Config) -> ReadResult:
    """Read a file for analysis: size limit, binary detection, PEP 263 encodings."""
    try:
        size = path.stat().st_size
    except OSError as error:
        return ReadResult(None, Notice("unreadable", f"cannot read: {error.strerror or error}", None, str(path)))
    if size > config.max_file_size:
        return ReadResult(
            None,
            Notice(
                "too-large",
                f"file is {size:,} bytes, over the {config.max_file_size:,}-byte limit (`max-file-size`); skipped",
                None,
                str(path),
            ),
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        return ReadResult(None, Notice("unreadable", f"cannot read: {error.strerror or error}", None, str(path)))
    return decode_source(data, str(path))


def decode_source(data: bytes, path: str) -> ReadResult:
    """Decode source bytes the way Python would; binary or undecodable data gets a notice."""
    if b"\x00" in data[:8192]:
        return ReadResult(None, Notice("binary", "looks like a binary file (NUL bytes); skipped", None, path))
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except SyntaxError as error:
        return ReadResult(None, Notice("undecodable", f"cannot determine the encoding: {error}", None, path))
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        return ReadResult(
            None,
            Notice("undecodable", f"not valid {encoding} ({error}); skipped", None, path),
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return ReadResult(text)


def refusal(text: str, path: str, config: Config) -> Notice | None:
    """Why a text is not analyzed at all (over the size limit, binary), or None."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > config.max_file_size:
        return Notice(
            "too-large",
            f"file is {size:,} bytes, over the {config.max_file_size:,}-byte limit "
            "(`max-file-size`); it was not analyzed",
            Span(1, 0, 1, 0),
            path,
        )
    if "\x00" in text:
        return Notice("binary", "file contains NUL bytes (binary data?); it was not analyzed", Span(1, 0, 1, 0), path)
    return None


def without_surrogates(text: str, path: str) -> tuple[str, Notice | None]:
    """``text`` with unpaired surrogates replaced (they cannot be encoded), and a notice if there were any."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
        return text, Notice(
            "invalid-text", "file contains unpaired surrogates; they were replaced before analysis", None, path
        )
    return text, None
