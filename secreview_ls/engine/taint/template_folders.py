"""Template folders a Python file declares where it writes them as literals: Flask's and a
Blueprint's ``template_folder="..."`` (relative to the file's folder, as the application's root
path is), Jinja2's ``FileSystemLoader("dir")`` / ``FileSystemLoader(["a", "b"])`` (relative to
the project root, where the application is started, or a folder above the file), and Django's ``TEMPLATES[...]["DIRS"]``
with literal paths, ``BASE_DIR / "x"`` or ``os.path.join(BASE_DIR, "x")`` (``BASE_DIR`` read
from ``Path(__file__).resolve().parent...`` / ``os.path.dirname(...(__file__))`` in the same
file, else the project root).

Text in, folders out: ``declared_folders(text)`` finds the declarations (cheap, no parse: the
project index runs it on every Python file), ``resolve_folders`` places them on disk."""

from __future__ import annotations

import re
from pathlib import Path

FOLDER_MARKERS = ("template_folder", "FileSystemLoader", "DIRS")  # a declaring file holds one
MAX_UP = 8  # folders above a declaring file tried as the place the application starts
_STRING = r"""(?:"([^"\\\n]+)"|'([^'\\\n]+)')"""
_FOLDER_KEYWORD = re.compile(r"\btemplate_folder\s*=\s*" + _STRING)
_LOADER = re.compile(r"\bFileSystemLoader\(\s*(?:searchpath\s*=\s*)?(\[[^\]]*\]|\([^)]*\)|" + _STRING + ")")
_DIRS = re.compile(r"""["']DIRS["']\s*:\s*[\[(]""")
_LITERAL = re.compile(_STRING)
_BASE_PATH = re.compile(r"^\s*BASE_DIR\s*=\s*Path\(\s*__file__\s*\)((?:\.(?:resolve|absolute)\(\s*\)|\.parent)+)", re.M)
_BASE_DIRNAME = re.compile(r"^\s*BASE_DIR\s*=\s*(.*__file__.*)$", re.M)
_BASE_ITEM = re.compile(r"^\s*(?:BASE_DIR\s*/\s*|os\.path\.join\(\s*BASE_DIR\s*,\s*)(.*?)\)?\s*$", re.S)


def declared_folders(text: str) -> frozenset[str]:
    """The template folders ``text`` declares, each as ``"<base>:<path>"``: base ``file`` (the
    file's folder), ``root`` (the project root) or ``up<n>`` (the file's n-th folder upwards,
    ``up1`` being its own folder)."""
    if not any(marker in text for marker in FOLDER_MARKERS):
        return frozenset()
    found: set[str] = set()
    # Each pattern is searched only in a text holding its own marker: a search starting at a word
    # boundary reads the whole text a character at a time.
    if "template_folder" in text:
        for match in _FOLDER_KEYWORD.finditer(text):
            found.add("file:" + (match.group(1) or match.group(2)))
    if "FileSystemLoader" in text:
        for match in _LOADER.finditer(text):
            found.update("root:" + (m.group(1) or m.group(2)) for m in _LITERAL.finditer(match.group(1)))
    base = None
    for match in _DIRS.finditer(text) if "DIRS" in text else ():
        for item in _split_items(_bracketed(text, match.end())):
            placed = _BASE_ITEM.match(item)
            if placed is not None:
                parts = [m.group(1) or m.group(2) for m in _LITERAL.finditer(placed.group(1))]
                if parts:
                    base = base if base is not None else _base_dir(text)
                    found.add(f"{base}:" + "/".join(parts))
            elif (literal := _LITERAL.fullmatch(item.strip())) is not None:
                found.add("root:" + (literal.group(1) or literal.group(2)))
    return frozenset(found)


def _bracketed(text: str, start: int) -> str:
    """The text from ``start`` to the bracket closing the one just before it."""
    depth = 0
    for at in range(start, min(len(text), start + 2_000)):
        char = text[at]
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                return text[start:at]
            depth -= 1
    return ""


def _split_items(items: str) -> list[str]:
    """Top-level comma-separated items (commas inside calls kept)."""
    parts, depth, current = [], 0, []
    for char in items:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def _base_dir(text: str) -> str:
    """Where ``BASE_DIR`` points, as a base of ``declared_folders``."""
    match = _BASE_PATH.search(text)
    if match is not None:
        parents = match.group(1).count(".parent")
        return f"up{parents}" if parents else "root"
    match = _BASE_DIRNAME.search(text)
    if match is not None and "dirname" in match.group(1):
        return f"up{match.group(1).count('dirname')}"
    return "root"


def resolve_folders(declared: frozenset[str], file: Path, roots: list[Path]) -> list[Path]:
    """The declared folders of ``file`` as existing folders (relative ones placed on their base)."""
    folders: list[Path] = []
    for entry in sorted(declared):
        base_name, _, written = entry.partition(":")
        relative = Path(written)
        if base_name == "file":
            bases = [file.parent]
        elif base_name.startswith("up") and base_name[2:].isdigit() and int(base_name[2:]) >= 1:
            bases = [file.parents[int(base_name[2:]) - 1]] if int(base_name[2:]) <= len(file.parents) else []
        else:  # where the application starts: the project root, or a folder above the file
            bases = [
                *roots,
                *(folder for folder in file.parents[:MAX_UP] if any(folder.is_relative_to(r) for r in roots)),
            ]
        for base in bases:
            folder = relative if relative.is_absolute() else base / relative
            try:
                folder = folder.resolve()
            except (OSError, RuntimeError):
                continue
            if folder.is_dir() and folder not in folders:
                folders.append(folder)
    return folders
