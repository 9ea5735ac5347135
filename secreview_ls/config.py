"""Configuration: defaults, ``[tool.secreview]`` in ``pyproject.toml``, overrides.

Every setting has a sane default; a bad value raises ``ConfigError`` with a
message naming the key, so the CLI exits 2 and the server logs it.

```toml
[tool.secreview]
select = ["SR1", "SR801"]        # rule ids, id prefixes or CWE-n (default: all default rules)
ignore = ["SR104"]
extend-select = ["SR204"]        # added to select / the default set (opt-in rules by exact id)
extend-ignore = ["CWE-327"]      # added to ignore
severity = "low"                 # report findings at or above
confidence = "low"
exclude = ["build/**", "migrations/**"]
extend-exclude = []
test-paths = ["tests/**", "**/test_*.py", "**/*_test.py", "**/conftest.py", "**/tests.py", "**/testing/**"]
test-code = "relaxed"            # "relaxed": drop test-irrelevant findings in tests; "strict"
max-file-size = 3000000          # bytes; larger files get one notice and are skipped
timeout = 10.0                   # seconds of analysis per file
report-unused-suppressions = true
require-reason = false           # true: a suppression without ` -- reason` is a finding (SR902)

[tool.secreview.per-file-ignores]
"scripts/*.py" = ["SR602"]

[tool.secreview.rule-severity]   # report a rule's findings at another severity
SR210 = "high"

[tool.secreview.taint]           # extend the taint tables
sources = ["myapp.http.get_param", ".untrusted_value"]   # ".name": any receiver's method
sanitizers = ["myapp.html.clean:xss", "myapp.text.strict_clean"]  # ":classes" limits it
[tool.secreview.taint.sinks]
sql = ["myapp.db.run_sql", ".run_query"]
```

Taint classes (keys of ``taint.sinks`` and after ``:`` in a sanitizer): sql, command,
code, path, ssrf, xss, redirect, ldap, xpath, deserialization, xxe, header, log,
trust-boundary. A sanitizer without ``:classes`` cleans for every class.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from .engine.finding import Level

DEFAULT_TEST_PATHS = (
    "tests/**",
    "test/**",
    "**/tests/**",
    "**/test/**",
    "**/test_*.py",
    "test_*.py",
    "**/*_test.py",
    "*_test.py",
    "**/conftest.py",
    "conftest.py",
    "testing/**",
    "**/testing/**",
    "tests.py",
    "**/tests.py",
    "*_tests.py",
    "**/*_tests.py",
)
DEFAULT_EXCLUDE = (
    ".git/**",
    "**/.git/**",
    "**/.venv/**",
    ".venv/**",
    "**/venv/**",
    "**/node_modules/**",
    "**/__pycache__/**",
    "**/.tox/**",
    "**/.nox/**",
    "**/build/**",
    "**/dist/**",
    "**/site-packages/**",
)


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key."""


@dataclass
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()  # added to `select` (or to the default set)
    extend_ignore: tuple[str, ...] = ()  # added to `ignore`
    severity: Level = Level.LOW
    confidence: Level = Level.LOW
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    test_code: str = "relaxed"
    max_file_size: int = 3_000_000
    timeout: float = 10.0
    report_unused_suppressions: bool = True
    require_reason: bool = False  # suppressions must say why (rule SR902)
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rule_severity: dict[str, Level] = field(default_factory=dict)  # SR id -> severity it reports at
    taint_sources: tuple[str, ...] = ()
    taint_sanitizers: tuple[str, ...] = ()
    taint_sinks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    root: Path | None = None
    source_file: Path | None = None  # the pyproject.toml it came from, if any

    # -- matching ----------------------------------------------------------------

    def relative(self, path: str | Path) -> str:
        """``path`` relative to the project root, in POSIX form."""
        candidate = Path(path)
        if self.root is not None:
            try:
                candidate = candidate.resolve().relative_to(self.root.resolve())
            except (ValueError, OSError):
                pass
        return PurePosixPath(candidate.as_posix()).as_posix()

    def is_test_path(self, path: str | Path) -> bool:
        return _matches_any(self.relative(path), self.test_paths)

    def is_excluded(self, path: str | Path) -> bool:
        return _matches_any(self.relative(path), (*self.exclude, *self.extend_exclude))

    def ignored_for(self, path: str | Path) -> tuple[str, ...]:
        rel = self.relative(path)
        codes: list[str] = []
        for pattern, ids in self.per_file_ignores.items():
            if _matches_any(rel, (pattern,)):
                codes.extend(ids)
        return tuple(codes)

    def with_overrides(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


def _matches_any(rel_path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """Whether ``rel_path`` matches one of ``patterns``, read as ``.gitignore`` lines: ``*``
    stays within one path segment, ``**`` crosses them, a pattern without ``/`` matches a
    name at any depth, and a pattern matching a folder matches everything in it."""
    return bool(patterns) and _spec(tuple(patterns)).match_file(rel_path.lstrip("/"))


@functools.lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings, got {value!r}")
    return tuple(value)


# Keys that shape the analysis, and keys read by the faces (server / review workflow).
ANALYSIS_KEYS = frozenset(
    {
        "select",
        "ignore",
        "extend-select",
        "extend-ignore",
        "severity",
        "confidence",
        "exclude",
        "extend-exclude",
        "test-paths",
        "test-code",
        "max-file-size",
        "timeout",
        "report-unused-suppressions",
        "require-reason",
        "per-file-ignores",
        "rule-severity",
        "taint",
    }
)
FACE_KEYS = frozenset({"debounce", "scope", "baseline", "diff-base"})
_KEYS = ANALYSIS_KEYS | FACE_KEYS


def from_mapping(data: dict[str, Any], base: Config | None = None) -> Config:
    """Apply a ``[tool.secreview]``-shaped mapping (dashes or underscores) on ``base``."""
    config = dataclasses.replace(base) if base is not None else Config()
    for raw_key, value in data.items():
        key = raw_key.replace("_", "-")
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown setting `{raw_key}` (known settings: {known})")
        if value is None:
            continue
        if key == "select":
            config.select = tuple(s.upper() for s in _strings(key, value))
        elif key == "ignore":
            config.ignore = tuple(s.upper() for s in _strings(key, value))
        elif key == "extend-select":
            config.extend_select = (*config.extend_select, *(s.upper() for s in _strings(key, value)))
        elif key == "extend-ignore":
            config.extend_ignore = (*config.extend_ignore, *(s.upper() for s in _strings(key, value)))
        elif key in ("severity", "confidence"):
            if not isinstance(value, str):
                raise ConfigError(f"`{key}` must be one of low, medium, high")
            try:
                setattr(config, key, Level.parse(value))
            except ValueError as error:
                raise ConfigError(f"`{key}`: {error}") from None
        elif key == "exclude":
            config.exclude = _strings(key, value)
        elif key == "extend-exclude":
            config.extend_exclude = _strings(key, value)
        elif key == "test-paths":
            config.test_paths = _strings(key, value)
        elif key == "test-code":
            if value not in ("relaxed", "strict"):
                raise ConfigError("`test-code` must be \"relaxed\" or \"strict\"")
            config.test_code = value
        elif key == "max-file-size":
            if not isinstance(value, int) or value <= 0:
                raise ConfigError("`max-file-size` must be a positive integer (bytes)")
            config.max_file_size = value
        elif key == "timeout":
            if not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError("`timeout` must be a positive number of seconds")
            config.timeout = float(value)
        elif key == "report-unused-suppressions":
            if not isinstance(value, bool):
                raise ConfigError("`report-unused-suppressions` must be true or false")
            config.report_unused_suppressions = value
        elif key == "require-reason":
            if not isinstance(value, bool):
                raise ConfigError("`require-reason` must be true or false")
            config.require_reason = value
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError("`per-file-ignores` must be a table of glob = [rule ids]")
            config.per_file_ignores = {
                str(k): tuple(s.upper() for s in _strings(f"per-file-ignores.{k}", v))
                for k, v in value.items()
            }
        elif key == "rule-severity":
            config.rule_severity = {**config.rule_severity, **_rule_severity(value)}
        elif key == "taint":
            _apply_taint(config, value)
    return config


def _rule_severity(value: Any) -> dict[str, Level]:
    if not isinstance(value, dict):
        raise ConfigError("`rule-severity` must be a table of rule id = \"low\" | \"medium\" | \"high\"")
    levels: dict[str, Level] = {}
    for rule_id, level in value.items():
        try:
            levels[str(rule_id).upper()] = Level.parse(str(level))
        except ValueError as error:
            raise ConfigError(f"`rule-severity.{rule_id}`: {error}") from None
    return levels


def _apply_taint(config: Config, value: Any) -> None:
    if not isinstance(value, dict):
        raise ConfigError("`taint` must be a table with sources / sinks / sanitizers")
    for raw_key, entry in value.items():
        key = raw_key.replace("_", "-")
        if key == "sources":
            config.taint_sources = _strings("taint.sources", entry)
        elif key == "sanitizers":
            config.taint_sanitizers = _strings("taint.sanitizers", entry)
        elif key == "sinks":
            if not isinstance(entry, dict):
                raise ConfigError("`taint.sinks` must be a table of class = [qualified names]")
            config.taint_sinks = {str(k): _strings(f"taint.sinks.{k}", v) for k, v in entry.items()}
        else:
            raise ConfigError(f"unknown setting `taint.{raw_key}` (known: sources, sinks, sanitizers)")


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has ``[tool.secreview]``,
    else the nearest ``pyproject.toml`` at all."""
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    nearest: Path | None = None
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file():
            nearest = nearest or candidate
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
                continue
            if "secreview" in data.get("tool", {}):
                return candidate
    return nearest


def load_pyproject(path: Path, base: Config | None = None) -> Config:
    """Read ``[tool.secreview]`` from a ``pyproject.toml`` (missing table → defaults)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    table = data.get("tool", {}).get("secreview", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.secreview] must be a table")
    try:
        config = from_mapping(table, base)
    except ConfigError as error:
        raise ConfigError(f"{path}: [tool.secreview] {error}") from None
    config.root = path.parent
    config.source_file = path
    return config


def discover(start: Path) -> Config:
    """Configuration for files under ``start``: the governing pyproject.toml, or defaults."""
    found = find_pyproject(start)
    if found is None:
        config = Config()
        config.root = start.resolve() if start.is_dir() else start.resolve().parent
        return config
    return load_pyproject(found)
