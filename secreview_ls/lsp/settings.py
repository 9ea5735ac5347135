"""Where the server's settings come from, and how they combine.

For each workspace folder, lowest to highest precedence:

1. defaults;
2. ``[tool.secreview]`` in the folder's ``pyproject.toml`` (``config.discover``);
3. ``initializationOptions`` sent by the client (either the settings themselves or
   ``{"secreview": {...}}``);
4. ``workspace/configuration`` for section ``secreview`` scoped to the folder.

Keys (dashes, underscores or camelCase): ``select``, ``ignore``, ``severity``,
``confidence``, ``debounce`` (milliseconds), ``scope`` (``"all"`` or
``"changed"``: only findings on lines changed against ``diffBase``, default
``HEAD``), ``baseline`` (a baseline file, relative to the folder), plus any
other ``[tool.secreview]`` key; and, from the client only, ``scanMaxFiles``
(files a workspace scan analyzes at most, default 10,000). Keys the server does not know (editor-side
settings such as a server path) are ignored, and so are client values that are
empty (``null``, ``""``, ``[]``): editors send every key of a section with its
default, which must not erase what the project's ``pyproject.toml`` says.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pipeline import (
    ANALYSIS_KEYS,
    FACE_KEYS,
    Config,
    ConfigError,
    ConfigProblem,
    checked_configuration,
    from_mapping,
    locate_problems,
)

DEFAULT_DEBOUNCE_MS = 150
DEFAULT_SCAN_MAX_FILES = 10_000
CLIENT_ONLY_KEYS = frozenset({"scan-max-files"})  # settings of the server alone, not of pyproject.toml
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def normalize_key(key: str) -> str:
    """``diffBase`` / ``diff_base`` / ``diff-base`` → ``diff-base``."""
    return _CAMEL.sub(r"-\1", key).replace("_", "-").lower()


def settings_section(value: Any) -> dict[str, Any]:
    """The ``secreview`` settings inside a client payload (which may or may not be wrapped)."""
    if not isinstance(value, dict):
        return {}
    inner = value.get("secreview")
    if isinstance(inner, dict):
        return inner
    return value


@dataclass
class ServerOptions:
    """Settings the server itself reads (not the analysis configuration)."""

    debounce: float = DEFAULT_DEBOUNCE_MS / 1000
    scope: str = "all"
    baseline: str | None = None
    diff_base: str = "HEAD"
    scan_max_files: int = DEFAULT_SCAN_MAX_FILES


@dataclass
class FolderSettings:
    """The effective settings of one workspace folder (or of files outside every folder)."""

    root: Path | None
    config: Config
    options: ServerOptions
    errors: list[str] = field(default_factory=list)  # problems of the client's settings (logged)
    problems: list[ConfigProblem] = field(default_factory=list)  # problems of pyproject.toml, located

    @property
    def baseline_path(self) -> Path | None:
        if not self.options.baseline:
            return None
        path = Path(self.options.baseline).expanduser()
        if not path.is_absolute() and self.root is not None:
            path = self.root / path
        return path


def split_settings(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(config mapping, server mapping, ignored keys) from a client settings object."""
    config_part: dict[str, Any] = {}
    server_part: dict[str, Any] = {}
    ignored: list[str] = []
    for key, value in raw.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        name = normalize_key(str(key))
        if name in ANALYSIS_KEYS:
            config_part[name] = value
        elif name in FACE_KEYS or name in CLIENT_ONLY_KEYS:
            server_part[name] = value
        else:
            ignored.append(str(key))
    return config_part, server_part, ignored


def _server_options(mapping: dict[str, Any], base: ServerOptions, errors: list[str]) -> ServerOptions:
    options = dataclasses.replace(base)
    for key, value in mapping.items():
        if value is None:
            continue
        if key == "debounce":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value > 10_000:
                errors.append(f"`debounce` must be a number of milliseconds between 0 and 10000, got {value!r}")
            else:
                options.debounce = float(value) / 1000
        elif key == "scope":
            if value not in ("all", "changed"):
                errors.append(f'`scope` must be "all" or "changed", got {value!r}')
            else:
                options.scope = value
        elif key == "baseline":
            if not isinstance(value, str):
                errors.append(f"`baseline` must be a path, got {value!r}")
            else:
                options.baseline = value or None
        elif key == "diff-base":
            if not isinstance(value, str) or not value.strip():
                errors.append(f"`diffBase` must be a git revision, got {value!r}")
            else:
                options.diff_base = value.strip()
        elif key == "scan-max-files":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                errors.append(f"`scanMaxFiles` must be a positive number of files, got {value!r}")
            else:
                options.scan_max_files = value
    return options


def _pyproject_server_options(config: Config) -> dict[str, Any]:
    """``debounce``/``scope``/``baseline``/``diff-base`` written in ``[tool.secreview]``."""
    if config.source_file is None:
        return {}
    try:
        import tomllib

        data = tomllib.loads(config.source_file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}  # already reported as a problem of the file
    tool = data.get("tool", {})
    table = tool.get("secreview", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        return {}
    return {normalize_key(k): v for k, v in table.items() if normalize_key(k) in FACE_KEYS}


_NAMED_KEY = re.compile(r"^`([^`]+)`")


def _face_key_problems(config: Config, base: ServerOptions) -> tuple[ServerOptions, list[ConfigProblem]]:
    """The server's own keys of ``pyproject.toml``, and a located problem for each bad one."""
    messages: list[str] = []
    options = _server_options(_pyproject_server_options(config), base, messages)
    if not messages or config.source_file is None:
        return options, []
    problems = []
    for message in messages:
        named = _NAMED_KEY.match(message)
        problems.append(ConfigProblem(normalize_key(named.group(1)) if named else "", message))
    try:
        text = config.source_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return options, locate_problems(text, problems, config.source_file)


def resolve(root: Path | None, layers: list[dict[str, Any]], start: Path | None = None) -> FolderSettings:
    """Combine pyproject and client setting layers for a folder (``root``) or a loose file
    (``start``). A bad key of ``pyproject.toml`` is left out (the others apply) and becomes a
    located problem; a bad client setting is left out and becomes an error message."""
    errors: list[str] = []
    where = root or start
    problems: list[ConfigProblem] = []
    if where is not None:
        base, problems = checked_configuration(where)
    else:
        base = Config()
    options, face_problems = _face_key_problems(base, ServerOptions())
    problems = [*problems, *face_problems]
    config = base
    for layer in layers:
        config_part, server_part, _ignored = split_settings(settings_section(layer))
        for key, value in config_part.items():  # one bad value must not discard the others
            try:
                config = from_mapping({key: value}, config)
            except ConfigError as error:
                errors.append(f"client setting {error}")
        options = _server_options(server_part, options, errors)
    return FolderSettings(root=root, config=config, options=options, errors=errors, problems=problems)
