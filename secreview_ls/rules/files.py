"""Files, temporary files and permissions (SR70x). ``tempfile.mktemp`` (SR703), where the
call itself is the finding, is a row of ``banned_calls``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.facts import argument, keyword_value
from ..engine.finding import Finding
from .base import HIGH, MEDIUM, RuleContext, rule
from .fallbacks import import_fallback
from .judge import callee_tail, imports_module, int_value, static_string

_WORLD_WRITE = 0o002


def _chmod_calls(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr | None]]:
    """chmod-like calls with their mode argument."""
    for _, call in ctx.facts.calls_to("os.chmod", "os.lchmod", "os.fchmod"):
        yield call, argument(call, 1, "mode")
    for call in ctx.facts.method_calls("chmod", "lchmod"):
        if ctx.facts.qualname(call.func) in {"os.chmod", "os.lchmod"}:
            continue
        yield call, argument(call, 0, "mode")


@rule(
    id="SR701",
    name="world-writable-permissions",
    cwe=732,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B103",),
    ruff=("S103",),
    summary="`chmod` gives every user on the system write access to a file.",
    why="A world-writable file can be changed by any local user or compromised service: scripts and "
    "configuration become a way to run code as whoever uses them next. Only constant modes are "
    "judged, and only the write-for-others bit is reported.",
    bad="import os\nos.chmod(script, 0o777)",
    good="import os\nos.chmod(script, 0o755)",
)
def world_writable_permissions(ctx: RuleContext) -> Iterator[Finding]:
    for call, mode_node in _chmod_calls(ctx):
        mode = int_value(ctx, mode_node)
        if mode is None or mode_node is None or mode < 0 or not mode & _WORLD_WRITE:
            continue
        is_os = ctx.facts.qualname(call.func) in {"os.chmod", "os.lchmod", "os.fchmod"}
        target = call.args[0] if call.args and is_os else None
        what = f" on `{ctx.segment(target)}`" if target is not None else ""
        yield world_writable_permissions.finding(
            ctx,
            mode_node,
            f"`{ctx.facts.spelled(call.func)}` sets mode {oct(mode)}{what}, writable by every user; "
            f"drop the write bit for others (e.g. {oct(mode & ~0o022)})",
        )


_TMP_PREFIXES = ("/tmp/", "/var/tmp/", "/dev/shm/")
_NOT_PATH_CALLS = frozenset(
    {
        "startswith",
        "endswith",
        "replace",
        "split",
        "rsplit",
        "strip",
        "lstrip",
        "rstrip",
        "removeprefix",
        "removesuffix",
        "find",
        "index",
        "count",
        "print",
        "debug",
        "info",
        "warning",
        "error",
        "exception",
        "critical",
        "log",
        "format",
        "match",
        "search",
        "fullmatch",
        "compile",
        "sub",
        "fnmatch",
        "relative_to",
        "is_relative_to",
        "_",
        "gettext",
    }
)


def _tmp_literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value) + "{}"
    return None


def _used_as_path(ctx: RuleContext, node: ast.AST) -> bool:
    parent = ctx.facts.parent(node)
    if isinstance(parent, ast.BinOp) and parent.left is node and isinstance(parent.op, (ast.Mod, ast.Add)):
        node, parent = parent, ctx.facts.parent(parent)  # "/tmp/app.%s" % pid used as a path
    if isinstance(parent, (ast.BinOp, ast.JoinedStr)):
        return False
    if isinstance(parent, ast.keyword):
        call = ctx.facts.parent(parent)
        return isinstance(call, ast.Call) and callee_tail(call) not in _NOT_PATH_CALLS and parent.arg != "dir"
    if isinstance(parent, ast.Call):
        return node in parent.args and callee_tail(parent) not in _NOT_PATH_CALLS
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        dunder = any(getattr(t, "attr", getattr(t, "id", "")).startswith("__") for t in targets)
        return parent.value is node and not dunder
    if isinstance(parent, ast.arguments):
        return True
    return False


@rule(
    id="SR702",
    name="hardcoded-temp-path",
    cwe=377,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B108",),
    ruff=("S108",),
    relevant_in_tests=False,
    summary="A file in a shared temporary directory is given a fixed, predictable name.",
    why="Every user can create files in `/tmp`. Another local user can create the file (or a "
    "symlink with that name pointing at one of your files) before you do: you then read their "
    "data, or overwrite your own file through the symlink. `tempfile.mkstemp()` / "
    "`NamedTemporaryFile()` create a new file with a random name atomically. A fixed name kept as "
    "the fallback in `except ImportError:` for a `try` that uses `tempfile` is not reported: it "
    "runs only where `tempfile` itself cannot be imported.",
    bad="with open('/tmp/report.csv', 'w') as out:\n    out.write(data)",
    good="import tempfile\nwith tempfile.NamedTemporaryFile('w', suffix='.csv', delete=False) as out:\n"
    "    out.write(data)",
)
def hardcoded_temp_path(ctx: RuleContext) -> Iterator[Finding]:
    if not any(prefix in ctx.source.text for prefix in _TMP_PREFIXES):
        return
    for node in ctx.facts.nodes(ast.Constant, ast.JoinedStr):
        if isinstance(node, ast.Constant) and isinstance(ctx.facts.parent(node), ast.JoinedStr):
            continue
        text = _tmp_literal_text(node)
        if text is None or not text.startswith(_TMP_PREFIXES):
            continue
        rest = next(text[len(p) :] for p in _TMP_PREFIXES if text.startswith(p))
        if not rest.strip("/ "):
            continue
        if not _used_as_path(ctx, node) or import_fallback(ctx, node):
            continue
        shown = text if isinstance(node, ast.Constant) else ctx.segment(node)
        parent = ctx.facts.parent(node)
        if isinstance(parent, ast.BinOp) and parent.left is node:
            shown = ctx.segment(parent)
        yield hardcoded_temp_path.finding(
            ctx,
            node,
            f"`{shown}` is a fixed name in a world-writable directory; another user can create or "
            "symlink it first — use `tempfile.mkstemp()` or `tempfile.NamedTemporaryFile()`",
        )


_TAR_OPENERS = (
    "tarfile.open",
    "tarfile.TarFile",
    "tarfile.TarFile.open",
    "tarfile.TarFile.taropen",
    "tarfile.TarFile.gzopen",
    "tarfile.TarFile.bz2open",
    "tarfile.TarFile.xzopen",
)
_SAFE_FILTERS = frozenset({"data", "tar"})


def _tar_names(ctx: RuleContext) -> set[str]:
    names: set[str] = set()
    for _, call in ctx.facts.calls_to(*_TAR_OPENERS):
        parent = ctx.facts.parent(call)
        if isinstance(parent, ast.Assign):
            names.update(t.id for t in parent.targets if isinstance(t, ast.Name))
        elif isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
            names.add(parent.optional_vars.id)
    return names


def _every_member(members: ast.expr, archives: set[str]) -> bool:
    """``members=`` that vets nothing: the archive itself (iterating it yields every member)
    or its unfiltered ``getmembers()``."""
    if isinstance(members, ast.Call) and isinstance(members.func, ast.Attribute) and not members.args:
        if members.func.attr == "getmembers":
            members = members.func.value
    return isinstance(members, ast.Name) and members.id in archives


def _capability_check(ctx: RuleContext, test: ast.expr) -> bool:
    """A test of what the running Python offers: ``hasattr(tarfile, "data_filter")``,
    ``sys.version_info >= (3, 12)``, a helper named for the filter (``_has_data_filter()``)."""
    text = ctx.segment(test).lower()
    return "filter" in text or "version_info" in text or "hasattr" in text


def _with_safe_filter(statements: list[ast.stmt], method: str) -> bool:
    """The statements extract through ``method`` with a safe ``filter=`` somewhere."""
    for node in (n for s in statements for n in ast.walk(s)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method:
            value = keyword_value(node, "filter")
            if isinstance(value, ast.Constant) and value.value in _SAFE_FILTERS:
                return True
    return False


def _filter_fallback(ctx: RuleContext, call: ast.Call, method: str) -> bool:
    """The call is the fallback for a Python without extraction filters: the other branch of a
    capability check, or the handler of the ``try`` whose body, extracts with ``filter='data'``."""
    child: ast.AST = call
    for ancestor in ctx.facts.ancestors(call):
        if isinstance(ancestor, ast.If) and _capability_check(ctx, ancestor.test):
            other = ancestor.orelse if child in ancestor.body else ancestor.body
            if _with_safe_filter(other, method):
                return True
        if isinstance(ancestor, ast.Try) and isinstance(child, ast.ExceptHandler):
            if _with_safe_filter(ancestor.body, method):
                return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
        child = ancestor
    return False


_ZIP_SUFFIXES = (".zip", ".whl", ".jar", ".egg")


def _unpack_unfiltered(ctx: RuleContext, call: ast.Call) -> bool:
    """``shutil.unpack_archive(name, dest)`` that may unpack a tar archive with no ``filter=``:
    not a zip archive by its constant ``format`` or file name (zip members are cleaned)."""
    if any(kw.arg is None for kw in call.keywords) or keyword_value(call, "filter") is not None:
        return False
    if len(call.args) > 3:  # ``filter`` is keyword-only: a fourth positional is another API's
        return False
    archive_format = argument(call, 2, "format")
    if archive_format is not None:
        chosen = static_string(ctx, archive_format)
        return chosen is not None and chosen != "zip"
    name = argument(call, 0, "filename")
    text = static_string(ctx, name) if name is not None else None
    return not (text and text.lower().endswith(_ZIP_SUFFIXES))


def _global_filter_set(ctx: RuleContext) -> bool:
    for node in ctx.facts.nodes(ast.Assign):
        assert isinstance(node, ast.Assign)
        if any(isinstance(t, ast.Attribute) and t.attr == "extraction_filter" for t in node.targets):
            return True
    return False


@rule(
    id="SR704",
    name="tarfile-unsafe-extract",
    cwe=22,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B202",),
    ruff=("S202",),
    scope="module",  # looks for an `extraction_filter` setting and for archive names anywhere
    summary="A tar archive is extracted without an extraction filter or a vetted member list.",
    why="Tar members can be named `../../home/user/.bashrc` or `/etc/cron.d/x`, or be symlinks "
    "and device files: extracting an archive from outside the program writes wherever its author "
    "chose. Pass `filter='data'` (Python 3.12+, backported to 3.8.17+) which refuses such members, "
    "or pass a `members=` list you have checked (the archive itself or its unfiltered "
    "`getmembers()` checks nothing). The fallback for a Python without filters is not "
    "reported: the other branch of a capability check (`hasattr(tarfile, 'data_filter')`, "
    "`sys.version_info`), or the `except` handler of a `try`, that extracts with `filter='data'`. "
    "`shutil.unpack_archive` unpacks tar archives the same way before Python 3.14 unless given `filter=` "
    "(an archive whose constant `format` or file name says zip is not reported: zip members are cleaned).",
    bad="import tarfile\nwith tarfile.open(upload) as tar:\n    tar.extractall(dest)",
    good="import tarfile\nwith tarfile.open(upload) as tar:\n    tar.extractall(dest, filter='data')",
)
def tarfile_unsafe_extract(ctx: RuleContext) -> Iterator[Finding]:
    unpacks = list(ctx.facts.calls_to("shutil.unpack_archive"))
    calls = list(ctx.facts.method_calls("extractall", "extract"))
    if not unpacks and not (calls and imports_module(ctx.facts, "tarfile")):
        return
    if _global_filter_set(ctx):
        return
    for _, call in unpacks:
        if _unpack_unfiltered(ctx, call):
            yield tarfile_unsafe_extract.finding(
                ctx,
                call,
                "`shutil.unpack_archive` without `filter=` extracts a tar archive's members wherever their names "
                "point (`../`, absolute paths, symlinks) before Python 3.14; pass `filter='data'`",
                severity=MEDIUM,
                confidence=MEDIUM,
            )
    if not imports_module(ctx.facts, "tarfile"):
        return
    names = _tar_names(ctx)
    for call in calls:
        receiver = call.func.value  # type: ignore[attr-defined]
        method = call.func.attr  # type: ignore[attr-defined]
        if isinstance(receiver, ast.Call) and ctx.facts.qualname(receiver.func) in _TAR_OPENERS:
            confidence = HIGH
        elif isinstance(receiver, ast.Name) and receiver.id in names:
            confidence = HIGH
        elif isinstance(receiver, ast.Name) and "tar" in receiver.id.lower():
            confidence = MEDIUM
        else:
            continue
        if any(kw.arg is None for kw in call.keywords):
            continue
        filter_value = keyword_value(call, "filter")
        if filter_value is not None:
            text = static_string(ctx, filter_value)
            qualname = ctx.facts.qualname(filter_value) or ""
            if text == "fully_trusted" or qualname == "tarfile.fully_trusted_filter":
                yield tarfile_unsafe_extract.finding(
                    ctx,
                    call,
                    f"`{ctx.facts.spelled(call.func)}` with the `fully_trusted` filter writes members wherever "
                    "their names point; use `filter='data'`",
                    confidence=confidence,
                )
            continue
        members = argument(call, 1, "members") if method == "extractall" else None
        archives = names | ({receiver.id} if isinstance(receiver, ast.Name) else set())
        if members is not None and not _every_member(members, archives):
            continue
        if _filter_fallback(ctx, call, method):
            continue
        yield tarfile_unsafe_extract.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` without `filter=` writes members wherever their names point "
            "(`../`, absolute paths, symlinks); pass `filter='data'`",
            severity=HIGH if method == "extractall" else MEDIUM,
            confidence=confidence,
        )
