"""Configuration: defaults, ``[tool.secreview]`` in ``pyproject.toml``, overrides.

Every setting has a sane default. Read strictly (``load_pyproject``, ``from_mapping``), a bad
value raises ``ConfigError`` with a message naming the key, so the CLI exits 2. Read leniently
(``load_pyproject_checked``, ``discover_checked``: the server), every valid key is kept and
each bad one becomes a :class:`ConfigProblem` with its line and column in the file.

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
template-dirs = ["web/tpl"]      # template folders besides those named `templates` (root-relative)

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
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .engine.finding import Level

if TYPE_CHECKING:
    import pathspec

# ``pathspec`` and ``difflib`` are imported where they are used: a command line run whose walk
# and results all come from its caches matches no pattern and suggests no word.

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
    # Packages of helpers for the test suite (settings, factories, fixtures it imports).
    "testutils/**",
    "**/testutils/**",
    "test_utils/**",
    "**/test_utils/**",
    "tests.py",
    "**/tests.py",
    "*_tests.py",
    "**/*_tests.py",
    # Modules named for the test data or fixtures they make (``create_test_data.py``).
    "*_test_data.py",
    "**/*_test_data.py",
    "*_test_fixtures.py",
    "**/*_test_fixtures.py",
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
    """A configuration value is invalid; the message names the key.

    ``key`` is the dotted key path inside ``[tool.secreview]`` (``"severity"``,
    ``"taint.sinks.sql"``), ``unknown`` whether the key itself is not a setting."""

    def __init__(self, message: str, key: str = "", unknown: bool = False) -> None:
        super().__init__(message)
        self.key = key
        self.unknown = unknown


@dataclass(frozen=True)
class ConfigProblem:
    """One problem of a configuration file, where it is.

    ``severity`` is ``"error"`` for an invalid value (the key is ignored) and ``"warning"``
    for an unknown key or rule id. ``line``/``column``/``end_column`` are 0-based positions
    in the file (code points), found by :func:`locate_problems`; ``value`` is the item of
    an array the problem is about (an unknown rule id), to point at it rather than the key.
    """

    key: str
    message: str
    severity: str = "error"
    value: str | None = None
    line: int = 0
    column: int = 0
    end_column: int = 0
    path: Path | None = None

    def describe(self) -> str:
        where = f"{self.path}:{self.line + 1}: " if self.path is not None else ""
        return f"{where}{self.message}"


Report = Callable[[ConfigError], None]
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(*parts: object) -> str:
    """A dotted key path, with parts that are not bare TOML keys quoted (``a."b/*.py"``)."""
    return ".".join(str(p) if _BARE_KEY.match(str(p)) else '"' + str(p).replace('"', '\\"') + '"' for p in parts)


def _raise(error: ConfigError) -> None:
    raise error


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
    template_dirs: tuple[str, ...] = ()  # folders of template files, relative to the root
    root: Path | None = None
    source_file: Path | None = None  # the pyproject.toml it came from, if any

    # -- matching ----------------------------------------------------------------

    def relative(self, path: str | Path) -> str:
        """``path`` relative to the project root, in POSIX form (a path written under the root,
        made absolute from the current folder, is taken as it is written; others are resolved
        first)."""
        if self.root is not None:
            written = written_under(path, self.root)
            if written is not None:
                return written
        candidate = Path(path)
        if self.root is not None:
            try:
                candidate = candidate.resolve().relative_to(_resolved(self.root))
            except (ValueError, OSError):
                pass
        return PurePosixPath(candidate.as_posix()).as_posix()

    def is_test_path(self, path: str | Path) -> bool:
        return bool(self.test_paths) and _matches_any(self.relative(path), self.test_paths)

    def is_excluded(self, path: str | Path) -> bool:
        return self.is_excluded_relative(self.relative(path))

    def is_excluded_relative(self, rel_path: str) -> bool:
        """``is_excluded`` of a path already made relative to the root (``relative``)."""
        return _matches_any(rel_path, (*self.exclude, *self.extend_exclude))

    def exclusion_test(self) -> Callable[[str], bool]:
        """``is_excluded_relative`` with the patterns compiled once (a walk asks it for every
        file and folder it looks at)."""
        patterns = (*self.exclude, *self.extend_exclude)
        if not patterns:
            return lambda rel_path: False
        match = _matcher(patterns)
        return lambda rel_path: match(rel_path.lstrip("/"))

    def ignored_for(self, path: str | Path) -> tuple[str, ...]:
        if not self.per_file_ignores:
            return ()  # nothing to match: the path is not made relative (a resolve, asked per file)
        rel = self.relative(path)
        codes: list[str] = []
        for pattern, ids in self.per_file_ignores.items():
            if _matches_any(rel, (pattern,)):
                codes.extend(ids)
        return tuple(codes)

    def template_folders(self) -> tuple[Path, ...]:
        """The configured template folders (``template-dirs``) as paths: relative ones under the
        project root (the current folder without one)."""
        base = self.root if self.root is not None else Path.cwd()
        return tuple(Path(folder) if Path(folder).is_absolute() else base / folder for folder in self.template_dirs)

    def with_overrides(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


@functools.lru_cache(maxsize=64)
def _resolved(root: Path) -> Path:
    """The project root with its links resolved (asked for every file a scan looks at)."""
    try:
        return root.resolve()
    except (OSError, RuntimeError):
        return root


def written_under(path: str | Path, root: Path) -> str | None:
    """``path`` relative to ``root`` in POSIX form when, made absolute from the current folder,
    it is written under ``root`` (as given or with its links resolved); else None. No link
    of ``path`` itself is resolved: this is asked for every file a scan looks at."""
    absolute = os.path.abspath(path)
    for prefix in _root_prefixes(root):
        if absolute.startswith(prefix):
            rest = absolute[len(prefix) :]
            if rest and os.sep == "/":
                return rest  # ``abspath`` normalized it already: what the paths below would give
            return PurePosixPath(Path(rest).as_posix()).as_posix()
    return None


@functools.lru_cache(maxsize=64)
def _root_prefixes(root: Path) -> tuple[str, ...]:
    """The root as written and resolved, each ending with a separator."""
    written = os.path.abspath(root)
    return tuple(dict.fromkeys(os.path.join(p, "") for p in (written, str(_resolved(root)))))


def _matches_any(rel_path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """Whether ``rel_path`` matches one of ``patterns``, read as ``.gitignore`` lines: ``*``
    stays within one path segment, ``**`` crosses them, a pattern without ``/`` matches a
    name at any depth, and a pattern matching a folder matches everything in it."""
    return bool(patterns) and _matcher(tuple(patterns))(rel_path.lstrip("/"))


@functools.lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


@functools.lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """``_spec(patterns).match_file``, asked for every file and folder a scan walks. Without a
    negated (``!``) pattern a path matches when any pattern does, so the patterns are tried as
    one expression instead of one by one. The default patterns' expression is written out
    (``_DEFAULT_EXPRESSIONS``): a document opened with the default settings is matched
    without importing ``pathspec`` (~12 ms of the first analysis of a session)."""
    known = _DEFAULT_EXPRESSIONS.get(patterns)
    if known is not None:
        expression = re.compile(known)
        return lambda path: expression.search(_normalized(path)) is not None
    spec = _spec(patterns)
    combined = _combined_expression(spec)
    if combined is None:
        return spec.match_file
    try:
        compiled = re.compile(combined)
    except re.error:
        return spec.match_file
    return lambda path: compiled.search(_normalized(path)) is not None


def _combined_expression(spec: pathspec.GitIgnoreSpec) -> str | None:
    """The spec's patterns as one regular expression, when none is negated (else None)."""
    active = [p for p in spec.patterns if p.include is not None]
    if not active or not all(p.include and isinstance(getattr(p, "regex", None), re.Pattern) for p in active):
        return None
    return "|".join(f"(?:{p.regex.pattern.replace('(?P<ps_d>', '(?:')})" for p in active)  # type: ignore[attr-defined]


# ``pathspec.util.normalize_file``: the platform's other separators made ``/``, then one leading
# ``/`` or ``./`` taken off.
_OTHER_SEPARATORS = tuple(sep for sep in (os.sep, os.altsep) if sep and sep != "/")


def _normalized(path: str) -> str:
    for sep in _OTHER_SEPARATORS:
        path = path.replace(sep, "/")
    if path.startswith("/"):
        return path[1:]
    if path.startswith("./"):
        return path[2:]
    return path


# ``_combined_expression`` of the default test paths and exclusions, as ``pathspec`` translates
# those ``.gitignore`` lines (``tests/test_path_patterns.py`` compares the answers).
_DEFAULT_EXPRESSIONS: dict[tuple[str, ...], str] = {
    DEFAULT_TEST_PATHS: "|".join(
        (
            r"(?:^tests/)",
            r"(?:^test/)",
            r"(?:^(?:.+/)?tests/)",
            r"(?:^(?:.+/)?test/)",
            r"(?:^(?:.+/)?test_[^/]*\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?test_[^/]*\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_test\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_test\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?conftest\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?conftest\.py(?:(?:/)|$))",
            r"(?:^testing/)",
            r"(?:^(?:.+/)?testing/)",
            r"(?:^testutils/)",
            r"(?:^(?:.+/)?testutils/)",
            r"(?:^test_utils/)",
            r"(?:^(?:.+/)?test_utils/)",
            r"(?:^(?:.+/)?tests\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?tests\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_tests\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_tests\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_test_data\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_test_data\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_test_fixtures\.py(?:(?:/)|$))",
            r"(?:^(?:.+/)?[^/]*_test_fixtures\.py(?:(?:/)|$))",
        )
    ),
    DEFAULT_EXCLUDE: "|".join(
        (
            r"(?:^\.git/)",
            r"(?:^(?:.+/)?\.git/)",
            r"(?:^(?:.+/)?\.venv/)",
            r"(?:^\.venv/)",
            r"(?:^(?:.+/)?venv/)",
            r"(?:^(?:.+/)?node_modules/)",
            r"(?:^(?:.+/)?__pycache__/)",
            r"(?:^(?:.+/)?\.tox/)",
            r"(?:^(?:.+/)?\.nox/)",
            r"(?:^(?:.+/)?build/)",
            r"(?:^(?:.+/)?dist/)",
            r"(?:^(?:.+/)?site\-packages/)",
        )
    ),
}


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
        "template-dirs",
    }
)
FACE_KEYS = frozenset({"debounce", "scope", "baseline", "diff-base"})
_KEYS = ANALYSIS_KEYS | FACE_KEYS


def did_you_mean(word: str, candidates: Any, cutoff: float = 0.6) -> str:
    """`` (did you mean x?)`` for the candidates closest to ``word``, else ``""``."""
    import difflib

    close = difflib.get_close_matches(word, sorted(candidates), n=3, cutoff=cutoff)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def from_mapping(
    data: dict[str, Any], base: Config | None = None, problems: list[ConfigProblem] | None = None
) -> Config:
    """Apply a ``[tool.secreview]``-shaped mapping (dashes or underscores) on ``base``.

    Without ``problems``, the first bad key raises ``ConfigError``; with it, each bad key is
    appended there (without a position) and every valid key still applies."""
    config = dataclasses.replace(base) if base is not None else Config()
    report: Report = _raise if problems is None else _collector(problems)
    for raw_key, value in data.items():
        key = str(raw_key).replace("_", "-")
        if key not in _KEYS:
            report(
                ConfigError(f"unknown setting `{raw_key}`{did_you_mean(key, _KEYS)}", key_path(raw_key), unknown=True)
            )
            continue
        if value is None:
            continue
        try:
            _apply(config, key, value, report)
        except ConfigError as error:
            error.key = error.key or key_path(raw_key)
            report(error)
    return config


def _collector(problems: list[ConfigProblem]) -> Report:
    def collect(error: ConfigError) -> None:
        problems.append(ConfigProblem(error.key, str(error), "warning" if error.unknown else "error"))

    return collect


def _apply(config: Config, key: str, value: Any, report: Report) -> None:
    """Set one key on ``config`` (raises ``ConfigError`` for a bad value)."""
    if key == "select":
        config.select = tuple(s.upper() for s in _strings(key, value))
    elif key == "ignore":
        config.ignore = tuple(s.upper() for s in _strings(key, value))
    elif key == "extend-select":
        config.extend_select = (*config.extend_select, *(s.upper() for s in _strings(key, value)))
    elif key == "extend-ignore":
        config.extend_ignore = (*config.extend_ignore, *(s.upper() for s in _strings(key, value)))
    elif key in ("severity", "confidence"):
        setattr(config, key, _level(key, value))
    elif key == "exclude":
        config.exclude = _strings(key, value)
    elif key == "extend-exclude":
        config.extend_exclude = _strings(key, value)
    elif key == "template-dirs":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"`template-dirs` must be a list of folder paths (strings), got {value!r}")
        config.template_dirs = tuple(value)
    elif key == "test-paths":
        config.test_paths = _strings(key, value)
    elif key == "test-code":
        if value not in ("relaxed", "strict"):
            raise ConfigError(f'`test-code` must be "relaxed" or "strict", got {value!r}')
        config.test_code = value
    elif key == "max-file-size":
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError("`max-file-size` must be a positive integer (bytes)")
        config.max_file_size = value
    elif key == "timeout":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
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
        config.per_file_ignores = _per_file_ignores(value, report)
    elif key == "rule-severity":
        config.rule_severity = {**config.rule_severity, **_rule_severity(value, report)}
    elif key == "taint":
        _apply_taint(config, value, report)


def _level(key: str, value: Any) -> Level:
    if not isinstance(value, str):
        raise ConfigError(f"`{key}` must be one of low, medium, high, got {value!r}")
    try:
        return Level.parse(value)
    except ValueError as error:
        raise ConfigError(f"`{key}`: {error}{did_you_mean(value.lower(), ('low', 'medium', 'high'), 0.5)}") from None


def _per_file_ignores(value: Any, report: Report) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError("`per-file-ignores` must be a table of glob = [rule ids]")
    ignores: dict[str, tuple[str, ...]] = {}
    for pattern, ids in value.items():
        try:
            ignores[str(pattern)] = tuple(s.upper() for s in _strings(f"per-file-ignores.{pattern}", ids))
        except ConfigError as error:
            error.key = key_path("per-file-ignores", pattern)
            report(error)
    return ignores


def _rule_severity(value: Any, report: Report) -> dict[str, Level]:
    if not isinstance(value, dict):
        raise ConfigError('`rule-severity` must be a table of rule id = "low" | "medium" | "high"')
    levels: dict[str, Level] = {}
    for rule_id, level in value.items():
        try:
            levels[str(rule_id).upper()] = _level(f"rule-severity.{rule_id}", level)
        except ConfigError as error:
            error.key = key_path("rule-severity", rule_id)
            report(error)
    return levels


def _apply_taint(config: Config, value: Any, report: Report) -> None:
    if not isinstance(value, dict):
        raise ConfigError("`taint` must be a table with sources / sinks / sanitizers")
    for raw_key, entry in value.items():
        key = str(raw_key).replace("_", "-")
        try:
            if key == "sources":
                config.taint_sources = _strings("taint.sources", entry)
            elif key == "sanitizers":
                config.taint_sanitizers = _strings("taint.sanitizers", entry)
            elif key == "sinks":
                config.taint_sinks = _taint_sinks(entry, report)
            else:
                report(
                    ConfigError(
                        f"unknown setting `taint.{raw_key}`{did_you_mean(key, ('sources', 'sinks', 'sanitizers'))}"
                        " (known: sources, sinks, sanitizers)",
                        key_path("taint", raw_key),
                        unknown=True,
                    )
                )
        except ConfigError as error:
            error.key = error.key or key_path("taint", raw_key)
            report(error)


def _taint_sinks(entry: Any, report: Report) -> dict[str, tuple[str, ...]]:
    if not isinstance(entry, dict):
        raise ConfigError("`taint.sinks` must be a table of class = [qualified names]")
    sinks: dict[str, tuple[str, ...]] = {}
    for name, names in entry.items():
        try:
            sinks[str(name)] = _strings(f"taint.sinks.{name}", names)
        except ConfigError as error:
            error.key = key_path("taint", "sinks", name)
            report(error)
    return sinks


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


# -- lenient reading with positions (the server) -----------------------------------------

_TOML_POSITION = re.compile(r"at line (\d+), column (\d+)")


def load_pyproject_checked(path: Path, base: Config | None = None) -> tuple[Config, list[ConfigProblem]]:
    """``[tool.secreview]`` of ``path`` with every valid key applied, and the problems of the
    others located in the file. A file that cannot be read or parsed gives the defaults (or
    ``base``) and one problem."""
    config = dataclasses.replace(base) if base is not None else Config()
    config.root = path.parent
    config.source_file = path
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        return config, [ConfigProblem("", f"cannot read: {error}", path=path)]
    except tomllib.TOMLDecodeError as error:
        found = _TOML_POSITION.search(str(error))
        line, column = (int(found.group(1)) - 1, int(found.group(2)) - 1) if found else (0, 0)
        problem = ConfigProblem(
            "", f"invalid TOML: {error}", line=line, column=column, end_column=column + 1, path=path
        )
        return config, [problem]
    except RecursionError:
        return config, [ConfigProblem("", "invalid TOML: nested too deeply", path=path)]
    tool = data.get("tool", {})
    table = tool.get("secreview", {}) if isinstance(tool, dict) else {}
    problems: list[ConfigProblem] = []
    if not isinstance(table, dict):
        problems.append(ConfigProblem("", "[tool.secreview] must be a table"))
    else:
        config = from_mapping(table, config, problems)
    return config, locate_problems(text, problems, path)


def discover_checked(start: Path) -> tuple[Config, list[ConfigProblem]]:
    """:func:`discover`, leniently: the configuration and the problems of its file."""
    found = find_pyproject(start)
    if found is None:
        return discover(start), []
    return load_pyproject_checked(found)


# A TOML key as written: bare, "quoted" or 'literal', dotted.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED_KEY})\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(rf"^(\s*)({_DOTTED_KEY})\s*=")
_PART = re.compile(_KEY_PART)


def _key_parts(dotted: str) -> list[str]:
    return [_normal(part.strip("\"'")) for part in _PART.findall(dotted)]


def _normal(part: str) -> str:
    return part.replace("_", "-").lower()


@dataclass(frozen=True)
class _KeyLine:
    path: tuple[str, ...]  # full key path from the document root
    line: int
    column: int
    end_column: int
    header: bool


def _key_lines(text: str) -> list[_KeyLine]:
    """Every table header and key assignment of a TOML text with its full key path: a small
    line scan (enough to place a message; tomllib gives no positions)."""
    found: list[_KeyLine] = []
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines()):
        header = _HEADER.match(line)
        if header is not None:
            table = tuple(_key_parts(header.group(1)))
            start = line.index("[")
            found.append(_KeyLine(table, number, start, len(line.rstrip()), True))
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is not None:
            start = len(assignment.group(1))
            end = start + len(assignment.group(2))
            found.append(_KeyLine((*table, *_key_parts(assignment.group(2))), number, start, end, False))
    return found


def locate_problems(text: str, problems: list[ConfigProblem], path: Path | None = None) -> list[ConfigProblem]:
    """``problems`` with the line and columns of their key (of their value, when they name one)
    in ``text``: the key's own line when it is written out, else the nearest enclosing key or
    table (an inline table, a dotted key), else the ``[tool.secreview]`` header, else line 1."""
    lines = text.splitlines()
    keys = _key_lines(text)
    located: list[ConfigProblem] = []
    for problem in problems:
        if problem.line or problem.column or problem.end_column:
            located.append(dataclasses.replace(problem, path=problem.path or path))
            continue
        wanted = ("tool", "secreview", *(_key_parts(problem.key) if problem.key else []))
        best: _KeyLine | None = None
        for entry in keys:
            depth = _common_prefix(entry.path, wanted)
            if depth < 2 or depth < len(entry.path):
                continue  # another table, or a key deeper than (or beside) the wanted one
            if best is None or len(entry.path) > len(best.path) or (len(entry.path) == len(best.path) and best.header):
                best = entry
        line, column, end = (best.line, best.column, best.end_column) if best is not None else (0, 0, 0)
        if best is not None and problem.value is not None:
            line, column, end = _value_position(lines, keys, best, problem.value)
        if best is None and lines:
            end = len(lines[0])
        located.append(
            dataclasses.replace(problem, line=line, column=column, end_column=end, path=problem.path or path)
        )
    return located


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _value_position(lines: list[str], keys: list[_KeyLine], entry: _KeyLine, value: str) -> tuple[int, int, int]:
    """Where the string ``value`` is written in the value of ``entry`` (arrays may span lines,
    up to the next key or header); the key's own position when it is not found."""
    following = [k.line for k in keys if k.line > entry.line]
    stop = min(following) if following else len(lines)
    pattern = re.compile(r"""(["'])""" + re.escape(value) + r"\1", re.IGNORECASE)
    for number in range(entry.line, stop):
        match = pattern.search(lines[number], entry.end_column if number == entry.line else 0)
        if match is not None:
            return number, match.start(), match.end()
    return entry.line, entry.column, entry.end_column
